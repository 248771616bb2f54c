import { test, expect, Page, BrowserContext, Browser } from './fixtures';
import crypto from 'node:crypto';
import { resetDemo, shot, watchCsp, cspViolations } from './helpers';

// 首页 on a slow phone: index.html paints a static copy of 首页 before the wasm has arrived, and
// starts the /api/session request beside the wasm download. The app replaces the copy box for
// box and takes that answer once. Other links (from an SMS) keep the plain spinner. The inline
// scripts that do it run only because the CSP lists their hashes: a changed one does not run.

test.beforeEach(async ({ request }) => {
  await resetDemo(request);
});

/** Signed in without loading a page (the login's redirect would load the app). */
async function signedInContext(browser: Browser, user: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  const res = await context.request.get(`/dev/login?user=${user}`, { maxRedirects: 0 });
  expect(res.status()).toBe(303);
  return context;
}

/** Holds every wasm request until the returned function is called. */
async function holdWasm(page: Page): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  await page.route(/_bg\.wasm$/, async (route) => {
    await released;
    await route.continue();
  });
  return release;
}

/** Layout shifts as the page reports them, summed (what CLS counts on one page). */
async function watchLayoutShifts(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __cls: number };
    w.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
        if (!e.hadRecentInput) w.__cls += e.value;
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

const BOXES = [
  '.corp-card', '.hero', '.hero__title', '.hero__desc', '.feature-list__item', '.cells__title',
  '.cells', '.cell', '.cells__tips',
];

/** The boxes of 首页's parts inside `root`, rounded to a tenth of a pixel. */
async function boxes(page: Page, root: string) {
  return page.evaluate(
    ({ root, selectors }) => {
      const scope = document.querySelector(root);
      if (!scope) return null;
      return selectors.map((s) =>
        [...scope.querySelectorAll(s)].map((el) => {
          const r = el.getBoundingClientRect();
          return [s, ...[r.x, r.y, r.width, r.height].map((v) => Math.round(v * 10) / 10)].join(' ');
        }),
      );
    },
    { root, selectors: BOXES },
  );
}

test('首页 paints before the wasm, its session already asked for, and the app takes over box for box', async ({ browser }) => {
  const context = await signedInContext(browser, 'wangjianguo');
  const page = await context.newPage();
  await watchCsp(page);
  await watchLayoutShifts(page);
  const sessions: string[] = [];
  const order: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path === '/api/session') sessions.push(path);
    if (path === '/api/session' || path.endsWith('_bg.wasm')) order.push(path.endsWith('.wasm') ? 'wasm' : 'session');
  });
  const release = await holdWasm(page);

  await page.goto('/', { waitUntil: 'domcontentloaded' });
  // Before any app code: the static copy, not the spinner, and the request already made.
  const shell = page.locator('#boot .boot__home');
  await expect(shell).toBeVisible();
  await expect(page.locator('#boot .boot__spinner')).toBeHidden();
  await expect(shell.getByRole('heading', { name: '企业认证' })).toBeVisible();
  await expect(shell.getByRole('link', { name: /准备资料/ })).toBeVisible();
  await expect(shell.locator('.cells__tips')).toBeVisible();
  // Chromium's preload scanner may ask for the wasm a moment before the inline script runs;
  // what counts is that the session request is out while the wasm is still held (overlap).
  await expect.poll(() => sessions.length).toBe(1);
  expect(order).toContain('session');
  const before = await boxes(page, '#boot');
  await shot(page, 'home-first-paint');

  release();
  await expect(page.locator('.fab-bar').getByRole('button', { name: '去认证' })).toBeVisible();
  await expect(page.locator('#boot')).toHaveCount(0);
  await expect(page.locator('main.app')).toHaveCount(1);
  await expect(page.locator('.corp-card__name')).toHaveText('星河云图科技有限公司');
  const after = await boxes(page, 'main.app');
  // Box for box: the enterprise card keeps its size as its lines become the name and badge,
  // and everything under it stays where it was painted.
  expect(after).toEqual(before);
  expect(await page.evaluate(() => (window as unknown as { __cls: number }).__cls)).toBeLessThanOrEqual(0.02);
  // The app took the prefetched answer (once) instead of asking again.
  expect(sessions).toHaveLength(1);
  expect(await page.evaluate(() => '__esignSession' in window)).toBe(false);
  expect(await cspViolations(page)).toEqual([]);
  await shot(page, 'home-after-mount');
  await context.close();
});

test('a link from an SMS keeps the spinner: no flash of 首页, no session prefetch', async ({ browser }) => {
  const context = await browser.newContext();
  for (const path of ['/legal-rep/abcdef123456', '/activate/abcdef123456', '/apply/license', '/#/apply/license']) {
    const page = await context.newPage();
    const sessions: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/session') sessions.push(r.url());
    });
    const release = await holdWasm(page);
    await page.goto(path, { waitUntil: 'domcontentloaded' });
    await expect(page.locator('#boot .boot__spinner'), path).toBeVisible();
    await expect(page.locator('#boot .boot__home'), path).toBeHidden();
    await expect(page.getByText('准备资料'), path).toBeHidden();
    expect(await page.evaluate(() => document.documentElement.className), path).not.toContain('boot-home');
    expect(sessions, path).toEqual([]);
    release();
    await page.close();
  }
  // The typed-code page is the server's own: no copy of 首页 in it either.
  const page = await context.newPage();
  await page.goto('/s');
  await expect(page.getByText('准备资料')).toBeHidden();
  await context.close();
});

function inlineScripts(html: string): string[] {
  const out: string[] = [];
  const re = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
  for (const m of html.replace(/<!--[\s\S]*?-->/g, '').matchAll(re)) {
    if (!/\bsrc\s*=/i.test(m[1])) out.push(m[2]);
  }
  return out;
}

const sha256 = (text: string) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;

test('the CSP lists every inline script of the page, the shell and prefetch ones too', async ({ request }) => {
  const res = await request.get('/');
  const csp = res.headers()['content-security-policy'];
  const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'))!.trim().split(/\s+/);
  const scripts = inlineScripts(await res.text());
  // The prefetch and route choice, the boot check, Trunk's loader.
  expect(scripts.length).toBeGreaterThanOrEqual(3);
  expect(scripts.some((s) => s.includes("fetch('/api/session'"))).toBe(true);
  for (const s of scripts) expect(scriptSrc, s.slice(0, 80)).toContain(sha256(s));
  expect(csp).not.toContain('unsafe-inline');
});

test('an inline script changed by one character does not run, and the app still loads its own session', async ({ browser }) => {
  const context = await signedInContext(browser, 'wangjianguo');
  const page = await context.newPage();
  await watchCsp(page);
  // The page as a tampering proxy would pass it on: the real headers (and CSP), one script altered.
  await page.route((url) => url.pathname === '/', async (route) => {
    const res = await route.fetch();
    const html = await res.text();
    const tampered = html.replace('window.__esignSession = p;', 'window.__esignSession = p; window.__tampered = 1;');
    expect(tampered).not.toBe(html);
    await route.fulfill({ response: res, body: tampered });
  });
  await page.goto('/');
  await expect(page.locator('.fab-bar').getByRole('button', { name: '去认证' })).toBeVisible();
  expect(await page.evaluate(() => 'tampered=' + String((window as unknown as { __tampered?: number }).__tampered))).toBe('tampered=undefined');
  const violations = await cspViolations(page);
  expect(violations.some((v) => v.startsWith('script-src') && v.includes('inline'))).toBe(true);
  await context.close();
});
