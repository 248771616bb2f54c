import { test, expect, Page, BrowserContext } from './fixtures';
import { signIn, resetDemo, shot, fixture, WANG, XINGHE_USCC, passRealName, uploadLicense } from './helpers';

// WeCom's WebView: back goes one step and never out of the app mid-flow (iOS WeChat closes the
// WebView on an edge swipe after pushState), and 上传证照 survives a reload or a killed WebView.

test.beforeEach(async ({ request }) => {
  await resetDemo(request);
});

/** Counts history.pushState calls in every document of the context, across reloads. */
async function countPushes(context: BrowserContext) {
  await context.addInitScript(() => {
    const push = history.pushState.bind(history);
    history.pushState = (...args: Parameters<History['pushState']>) => {
      sessionStorage.setItem('e2e-pushes', String(Number(sessionStorage.getItem('e2e-pushes') ?? 0) + 1));
      return push(...args);
    };
  });
}

async function pushes(page: Page): Promise<number> {
  return page.evaluate(() => Number(sessionStorage.getItem('e2e-pushes') ?? 0));
}

const TITLE = {
  realName: '个人实名认证',
  license: '上传营业执照或相关证明文件',
};

test('back, the hardware button and the navbar go one step back inside the app, never pushState, and a reload keeps the stack', async ({ browser }) => {
  test.setTimeout(120_000);
  const { context, page } = await signIn(browser, 'wangjianguo');
  await countPushes(context);
  await page.reload();
  await page.locator('.fab-bar').getByRole('button', { name: '去认证' }).click();
  await expect(page).toHaveURL(/\/apply\/real-name(#app)?$/);
  await passRealName(page, WANG);
  await uploadLicense(page, fixture(`${XINGHE_USCC}-perspective.jpg`));
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page).toHaveURL(/\/apply\/contact#app$/);

  // The hardware back (or the iOS swipe): one step, still this app.
  await page.goBack();
  await expect(page).toHaveURL(/\/apply\/license#app$/);
  await expect(page.getByRole('heading', { name: TITLE.license })).toBeVisible();
  await expect(page.getByLabel('企业名称')).toHaveValue('星河云图科技有限公司');

  // A reload keeps the step and what is behind it.
  await page.reload();
  await expect(page).toHaveURL(/\/apply\/license#app$/);
  await expect(page.getByRole('heading', { name: TITLE.license })).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(/\/apply\/real-name#app$/);
  await expect(page.getByRole('heading', { name: TITLE.realName })).toBeVisible();

  // Forward again (下一步 at 实名认证 resumes at 联系方式), then the navbar's 返回 goes back
  // to where the user came from, on the same stack as the hardware back.
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page).toHaveURL(/\/apply\/contact#app$/);
  await page.getByRole('button', { name: '返回' }).click();
  await expect(page).toHaveURL(/\/apply\/real-name#app$/);
  await expect(page.getByRole('heading', { name: TITLE.realName })).toBeVisible();
  await page.goBack();
  // 首页, the first page: the next back may leave the app, as users expect.
  await expect(page).toHaveURL(/\/(#app)?$/);
  await expect(page.getByRole('heading', { name: '认证前准备' })).toBeVisible();

  expect(await pushes(page), 'no navigation may call history.pushState').toBe(0);
  // The counter counts: a pushState of the page's own is seen.
  await page.evaluate(() => history.pushState(null, '', location.href));
  expect(await pushes(page)).toBe(1);
  await context.close();
});

test('a deep link to a step lands on it, and back from the second page returns to it', async ({ browser }) => {
  const { context, page } = await signIn(browser, 'wangjianguo', '/apply');
  await countPushes(context);
  await page.reload();
  await expect(page).toHaveURL(/\/apply\/real-name$/);
  await passRealName(page, WANG);
  await page.goBack();
  await expect(page).toHaveURL(/\/apply\/real-name(#app)?$/);
  await expect(page.getByRole('heading', { name: TITLE.realName })).toBeVisible();
  expect(await pushes(page)).toBe(0);
  await context.close();
});

test('上传证照 comes back after a reload and in a new WebView: the fields, their provenance and the photo', async ({ browser }) => {
  test.setTimeout(120_000);
  const { context, page } = await signIn(browser, 'wangjianguo', '/apply');
  await passRealName(page, WANG);
  await uploadLicense(page, fixture(`${XINGHE_USCC}-perspective.jpg`));
  await expect(page.getByLabel('企业名称')).toHaveValue('星河云图科技有限公司');
  const address = page.getByLabel('住所');
  await address.fill('浙江省杭州市西湖区文三路90号（东门）');
  await expect(page.locator('.cell:has(#address) .tag')).toHaveText('已修改');

  const photoShown = async (p: Page) => {
    const img = p.locator('img.capture__img');
    await expect(img).toBeVisible();
    await expect(img).toHaveAttribute('src', /^blob:/);
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBeGreaterThan(100);
  };

  // A reload: everything, the typed address included.
  await page.reload();
  await expect(page.getByRole('radio', { name: '企业或个体工商户' })).toBeChecked();
  await expect(page.getByLabel('企业名称')).toHaveValue('星河云图科技有限公司');
  await expect(page.locator('.cell:has(#name) .tag')).toHaveText('已识别');
  await expect(page.getByLabel('统一社会信用代码')).toHaveValue(XINGHE_USCC);
  await expect(page.getByLabel('住所')).toHaveValue('浙江省杭州市西湖区文三路90号（东门）');
  await expect(page.locator('.cell:has(#address) .tag')).toHaveText('已修改');
  await expect(page.getByRole('status').filter({ hasText: '已恢复上次拍摄的证照' })).toBeVisible();
  await photoShown(page);
  await shot(page, 'webview-license-restored');

  // The system killed the WebView (a new one has no sessionStorage): the server's draft.
  const fresh = await context.newPage();
  await fresh.goto('/apply/license');
  await expect(fresh.getByLabel('企业名称')).toHaveValue('星河云图科技有限公司');
  await expect(fresh.locator('.cell:has(#name) .tag')).toHaveText('已识别');
  await expect(fresh.getByLabel('住所')).toHaveValue(/文三路90号/);
  await photoShown(fresh);
  await fresh.getByRole('button', { name: '下一步' }).click();
  await expect(fresh).toHaveURL(/\/apply\/contact(#app)?$/);

  // Someone else's session gets no photo.
  const zhang = await signIn(browser, 'zhangwei');
  const uploadId = await fresh.evaluate(async () => (await (await fetch('/api/application/license')).json()).upload_id);
  const res = await zhang.page.request.get(`/api/application/license/photo/${uploadId}`);
  expect([403, 404]).toContain(res.status());
  await zhang.context.close();
  await context.close();
});
