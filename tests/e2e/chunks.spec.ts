import { test, expect, type Page } from './fixtures';
import { resetDemo, watchCsp, cspViolations, shot } from './helpers';

// 首页 must not pay for the other routes: the release bundle splits them into chunks
// (src/routes.rs) that load on first visit, and one that fails on a weak network can be retried.

test.beforeEach(async ({ request }) => {
  await resetDemo(request);
});

/** Every .wasm the page fetched, by file name. */
function recordWasm(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    const name = new URL(r.url()).pathname.split('/').pop() ?? '';
    if (name.endsWith('.wasm')) seen.push(name);
  });
  return seen;
}

const MAIN = /^app-[0-9a-f]{12,16}_bg\.wasm$/;
const isChunk = (name: string) => !MAIN.test(name);

test('首页 fetches only the main module; 去认证 then fetches the steps chunk, never the others', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await watchCsp(page);
  const wasm = recordWasm(page);
  await page.goto(`/dev/login?user=wangjianguo&next=${encodeURIComponent('/')}`);
  const go = page.locator('.fab-bar').getByRole('button', { name: '去认证' });
  await expect(go).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(wasm.filter((n) => MAIN.test(n))).toHaveLength(1);
  expect(wasm.filter(isChunk), 'chunks fetched by 首页').toEqual([]);

  // 准备资料 is in the main module too.
  await page.locator('a[href="/materials"]').click();
  await expect(page).toHaveURL(/\/materials(#app)?$/);
  await page.waitForLoadState('networkidle');
  expect(wasm.filter(isChunk), 'chunks fetched by 准备资料').toEqual([]);
  await page.goBack();

  await go.click();
  await expect(page).toHaveURL(/\/apply\/real-name(#app)?$/);
  await expect(page.getByLabel('姓名')).toBeVisible();
  const chunks = wasm.filter(isChunk);
  expect(chunks.some((n) => /^split_apply-[0-9a-f]{16}\.wasm$/.test(n)), chunks.join(', ')).toBe(true);
  expect(chunks.filter((n) => /^split_(links|ops)-/.test(n)), 'other groups').toEqual([]);
  // Chunk fetches (connect-src, wasm-unsafe-eval) and the loader pass the CSP.
  expect(await cspViolations(page)).toEqual([]);
  await context.close();
});

test('a chunk that does not arrive shows 加载失败 with 重试, and 重试 loads it', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`/dev/login?user=wangjianguo&next=${encodeURIComponent('/')}`);
  await expect(page.locator('.fab-bar').getByRole('button', { name: '去认证' })).toBeVisible();

  // The weak network: the steps chunk fails once.
  let failed = 0;
  await page.route(/\/split_apply-[0-9a-f]+\.wasm$/, async (route) => {
    if (failed++ === 0) await route.abort('internetdisconnected');
    else await route.continue();
  });
  await page.goto('/apply');
  const alert = page.getByRole('alert').filter({ hasText: '加载失败' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('网络不稳定');
  await shot(page, 'chunk-load-failed');
  await alert.getByRole('button', { name: '重试' }).click();
  await expect(page.getByLabel('姓名')).toBeVisible();
  expect(failed).toBe(2);
  await context.close();
});

test('without WebAssembly.instantiateStreaming (iOS 14 WKWebView) the chunks still load', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    delete (WebAssembly as { instantiateStreaming?: unknown }).instantiateStreaming;
  });
  const wasm = recordWasm(page);
  await page.goto(`/dev/login?user=wangjianguo&next=${encodeURIComponent('/apply')}`);
  await expect(page).toHaveURL(/\/apply\/real-name(#app)?$/);
  await expect(page.getByLabel('姓名')).toBeVisible();
  expect(wasm.some((n) => n.startsWith('split_apply-'))).toBe(true);
  await context.close();
});
