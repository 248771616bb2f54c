// `cargo xtask bench bundle`'s browser half: what Chromium is actually sent for 首页 on a cold
// cache (CDP's encodedDataLength: compressed body plus headers), then for every route, then for
// any shipped wasm/js/css no route asked for. Prints `key value` lines for xtask to read.
//
// Env: BENCH_BASE_URL, BENCH_COOKIE (`esign_sid=…`), BENCH_ASSETS (the dist/ paths of every
// shipped wasm/js/css, one a line), CHROMIUM (default /usr/bin/chromium).
import { chromium } from '@playwright/test';

const base = process.env.BENCH_BASE_URL;
const cookie = process.env.BENCH_COOKIE ?? '';
const assets = (process.env.BENCH_ASSETS ?? '').split('\n').filter(Boolean);
// Every routed view, as a person reaches them (tokens that do not exist still load the page).
const ROUTES = [
  '/materials', '/apply', '/apply/real-name', '/apply/license', '/apply/contact',
  '/apply/authorize', '/apply/wechat', '/apply/done', '/me/real-name', '/legal-rep/bench',
  '/activate/bench', '/s', '/ops/reviews', '/no/such/page',
];

const kind = (url, mime) => {
  const path = new URL(url).pathname;
  if (path.endsWith('.wasm') || mime === 'application/wasm') return 'wasm';
  if (path.endsWith('.js') || mime.includes('javascript')) return 'js';
  if (path.endsWith('.css') || mime === 'text/css') return 'css';
  if (mime === 'text/html') return 'html';
  return 'other';
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
});
const context = await browser.newContext({
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
});
const [name, ...value] = cookie.split('=');
await context.addCookies([{ name, value: value.join('='), url: base }]);
// When 去认证 first shows, stamped by the page itself (init scripts are outside the CSP).
await context.addInitScript(() => {
  const seen = () => {
    if (window.__goVerifyAt) return;
    for (const b of document.querySelectorAll('button')) {
      if (b.textContent.trim() === '去认证' && b.getClientRects().length) {
        window.__goVerifyAt = performance.now();
        return;
      }
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true, characterData: true });
});
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });

const requests = new Map();
cdp.on('Network.responseReceived', (e) => {
  const r = requests.get(e.requestId) ?? {};
  const enc = Object.entries(e.response.headers).find(([k]) => k.toLowerCase() === 'content-encoding');
  Object.assign(r, { url: e.response.url, mime: e.response.mimeType, encoding: enc ? enc[1] : 'identity', status: e.response.status });
  requests.set(e.requestId, r);
});
cdp.on('Network.loadingFinished', (e) => {
  const r = requests.get(e.requestId) ?? {};
  r.bytes = e.encodedDataLength;
  requests.set(e.requestId, r);
});
const settle = async () => {
  // Until every response seen has finished (loadingFinished comes after the load event).
  for (let i = 0; i < 50 && [...requests.values()].some((r) => r.url && r.bytes === undefined); i++) {
    await page.waitForTimeout(100);
  }
};
const print = (key, v) => console.log(`${key} ${v}`);

await page.goto(`${base}/`, { waitUntil: 'load' });
await page.getByRole('button', { name: '去认证', exact: true }).first().waitFor({ state: 'visible', timeout: 30_000 });
await page.waitForLoadState('networkidle');
await settle();
const visible = await page.evaluate(() => window.__goVerifyAt ?? null);
const nav = await page.evaluate(() => {
  const n = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return { dom: n.domContentLoadedEventEnd, load: n.loadEventEnd, fcp: fcp ? fcp.startTime : null };
});
if (visible !== null) print('home.go_verify_ms', visible.toFixed(0));
if (nav.fcp !== null) print('home.fcp_ms', nav.fcp.toFixed(0));
print('home.load_ms', nav.load.toFixed(0));

const seen = new Set();
for (const r of requests.values()) {
  if (!r.url || r.bytes === undefined) continue;
  seen.add(new URL(r.url).pathname);
  print('home.file', `${kind(r.url, r.mime)} ${r.bytes} ${r.encoding} ${new URL(r.url).pathname}`);
}

// Every route in the same tab: what a person visiting them all downloads after 首页.
requests.clear();
for (const route of ROUTES) {
  await page.goto(`${base}${route}`, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
}
// Shipped assets that no visited route loaded (a module only some state asks for).
const missing = assets.filter((a) => !seen.has(a) && ![...requests.values()].some((r) => r.url && new URL(r.url).pathname === a));
await page.evaluate(async (paths) => {
  for (const p of paths) await (await fetch(p)).arrayBuffer();
}, missing);
await settle();
for (const r of requests.values()) {
  if (!r.url || r.bytes === undefined) continue;
  const path = new URL(r.url).pathname;
  if (seen.has(path)) continue;
  const k = kind(r.url, r.mime);
  // An asset is downloaded once; a cached (304/from-cache) repeat transfers headers only.
  if (['wasm', 'js', 'css'].includes(k)) seen.add(path);
  print('more.file', `${k} ${r.bytes} ${r.encoding} ${path}`);
}
await browser.close();
