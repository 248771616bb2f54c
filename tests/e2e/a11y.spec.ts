// The audit every spec runs (tests/e2e/fixtures.ts) catches what it claims to, on pages made
// to fail it: low contrast and a small button, in the `page` fixture and in a second person's
// context, each state once.
import { test, expect, Page } from './fixtures';

const PROBE = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>探针</title></head>
<body><main><h1>探针页面</h1><p style="color:#bbb;background:#fff">浅灰色的说明文字</p>
<button style="width:30px;height:20px;padding:0">小</button><a href="#x" style="display:inline-block;width:60px;height:60px">够大</a></main></body></html>`;

async function serveProbe(page: Page, path: string) {
  await page.route(`**${path}`, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: PROBE }));
}

test('the audit reports contrast and small targets with rule, node and URL, in every context, once per state', async ({ page, browser, a11y }) => {
  await serveProbe(page, '/probe/one');
  await page.goto('/probe/one');
  await expect.poll(async () => (a11y.findings.length), { timeout: 15_000 }).toBe(2);
  await page.reload();
  await page.waitForTimeout(1_000);

  const other = await browser.newContext();
  const second = await other.newPage();
  await serveProbe(second, '/probe/two');
  await second.goto('/probe/two');
  await expect.poll(async () => (a11y.findings.length), { timeout: 15_000 }).toBe(4);
  await other.close();

  const found = await a11y.takeFindings();
  expect(found).toHaveLength(4);
  for (const path of ['/probe/one', '/probe/two']) {
    const mine = found.filter((f) => f.includes(path));
    expect(mine.find((f) => f.startsWith('axe serious color-contrast'))).toMatch(/\n {6}p: Element has insufficient color contrast of 1\.91/);
    const small = mine.find((f) => f.includes('touch target(s) under 44×44'));
    expect(small).toContain('button "小" 30×20');
    expect(small).not.toContain('够大');
  }
});
