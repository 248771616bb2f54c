import { test, expect } from './fixtures';
import { apiPost, signIn, resetDemo, outbox, shot, watchCsp, cspViolations, ORIGIN } from './helpers';

test.beforeEach(async ({ request }) => {
  await resetDemo(request);
});

test('an employee notifies the WeCom admins, once per ten minutes', async ({ browser, request }) => {
  const { context, page } = await signIn(browser, 'lina');
  await expect(page.getByText('星河云图科技有限公司')).toBeVisible();
  await expect(page.locator('.badge')).toHaveText(/未认证/);
  await shot(page, 'home-employee');

  await page.locator('.fab-bar').getByRole('button', { name: '去认证' }).click();
  const dialog = page.getByRole('dialog', { name: '暂无权限' });
  await expect(dialog).toBeVisible();
  await shot(page, 'home-employee-dialog');

  await dialog.getByRole('button', { name: '通知企微管理员' }).click();
  await expect(page.locator('.toast')).toHaveText('已通知企微管理员');
  await expect(dialog).toBeHidden();
  await shot(page, 'home-employee-notified');

  const sent = await outbox(request);
  expect(sent.map((m) => m.to).sort()).toEqual(['wangjianguo', 'zhangwei']);
  for (const m of sent) {
    expect(m.channel).toBe('wecom');
    expect(m.text).toContain('李娜');
  }

  // A second tap: the dialog says how long to wait, and nothing more is sent.
  await expect(page.locator('.toast')).toBeHidden();
  await page.locator('.badge--action').click();
  await dialog.getByRole('button', { name: '通知企微管理员' }).click();
  await expect(dialog.getByRole('alert')).toHaveText(/已通知过管理员，请\d+分(\d+秒)?后再试|已通知过管理员，请\d+分钟后再试/);
  await shot(page, 'home-employee-rate-limited');
  expect(await outbox(request)).toHaveLength(2);

  // Cancel closes it.
  await dialog.getByRole('button', { name: '取消' }).click();
  await expect(dialog).toBeHidden();
  await context.close();
});

test('an admin of a 成员授权 install sees how to switch the authorization mode', async ({ browser }) => {
  const { context, page } = await signIn(browser, 'wuhao');
  await expect(page.getByText('北辰物流有限公司')).toBeVisible();
  await page.getByRole('button', { name: '去认证' }).last().click();
  const dialog = page.getByRole('dialog', { name: '请切换授权方式' });
  await expect(dialog).toContainText('企业管理员授权使用');
  for (const step of ['企业微信管理后台', '应用管理', '腾讯电子签', '授权方式']) {
    await expect(dialog.getByRole('listitem').filter({ hasText: step })).toBeVisible();
  }
  await shot(page, 'home-member-mode-dialog');
  await dialog.getByRole('button', { name: '我知道了' }).click();
  await expect(dialog).toBeHidden();
  await context.close();
});

test('a WeCom admin reaches the first step, and home then offers to continue', async ({ browser }) => {
  const { context, page } = await signIn(browser, 'wangjianguo');
  await expect(page.locator('.corp-card')).toContainText('王建国');
  await shot(page, 'home-admin');
  // The badge is a second way in, besides the floating bar.
  await page.getByRole('button', { name: '未认证，去认证' }).click();
  await expect(page).toHaveURL(/\/apply\/real-name(#app)?$/);
  await expect(page.getByRole('heading', { name: '个人实名认证' })).toBeVisible();
  await expect(page.locator('.steps__item[aria-current="step"]')).toContainText('实名认证');
  await shot(page, 'apply-first-step');
  await page.getByRole('button', { name: '返回' }).click();
  await expect(page.locator('.badge')).toContainText('认证中');
  await page.locator('.fab-bar').getByRole('button', { name: '继续认证' }).click();
  await expect(page).toHaveURL(/\/apply\/real-name(#app)?$/);
  await context.close();
});

test('准备资料 shows the four cases of the table', async ({ browser }) => {
  const { context, page } = await signIn(browser, 'lina');
  await page.getByRole('link', { name: /准备资料/ }).click();
  await expect(page).toHaveURL(/\/materials(#app)?$/);
  await expect(page.getByRole('heading', { name: '全新未认证企业' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '已开通腾讯电子签微信端服务的企业' })).toBeVisible();
  const cards = page.locator('.material-card');
  await expect(cards).toHaveCount(4);
  await expect(cards.nth(0)).toContainText('企业或个体工商户');
  await expect(cards.nth(0)).toContainText('超级管理员和法定代表人');
  await expect(cards.nth(1)).toContainText('加盖公章的超级管理员授权书');
  await expect(cards.nth(2)).toContainText('企业营业执照原件或营业执照照片');
  await expect(cards.nth(3)).toContainText('机构相关证明文件');
  await shot(page, 'materials');
  await page.getByRole('button', { name: '返回' }).click();
  await expect(page).toHaveURL(/\/(#app)?$/);
  await context.close();
});

test('a retry appears when the API is down and works when it is back', async ({ browser }) => {
  const { context, page } = await signIn(browser, 'lina', '/materials');
  await page.route('**/api/session', (route) => route.abort('connectionrefused'));
  await page.goto('/');
  const retry = page.getByRole('button', { name: '重试' });
  await expect(retry).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('网络连接失败');
  await shot(page, 'home-network-error');
  await page.unroute('**/api/session');
  await retry.click();
  await expect(page.getByText('星河云图科技有限公司')).toBeVisible();
  await context.close();
});

test('without a session the app asks to reopen it from WeCom', async ({ page, request }) => {
  const res = await request.get('/api/session', { headers: { cookie: '' } });
  expect(res.status()).toBe(401);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: '请从企业微信工作台重新打开' })).toBeVisible();
  await shot(page, 'relogin');
});

test('an unknown route gets a styled 404 with a way home', async ({ browser }) => {
  const { context, page } = await signIn(browser, 'lina', '/no/such/page');
  await expect(page.getByRole('heading', { name: '页面不存在' })).toBeVisible();
  await shot(page, 'not-found');
  await page.getByRole('link', { name: '返回首页' }).click();
  await expect(page.getByText('星河云图科技有限公司')).toBeVisible();
  await context.close();
});

test('an unknown demo user gets a clear 404 page', async ({ page }) => {
  const res = await page.goto('/dev/login?user=nobody');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: '未找到该演示用户' })).toBeVisible();
});

test('bad requests get 4xx with a message, never a 500', async ({ request }) => {
  const anon = await apiPost(request, '/api/notify-admins', { data: '{not json', headers: { 'content-type': 'application/json', cookie: '' } });
  expect(anon.status()).toBe(401);
  const body = await anon.json();
  expect(body.error.message).toContain('重新打开');
  const unknown = await request.get('/api/nope');
  expect(unknown.status()).toBe(404);
  expect((await unknown.json()).error.code).toBe('not_found');
});

test('the app is served with the right caching and compression', async ({ request }) => {
  const index = await request.get('/', { headers: { 'accept-encoding': 'br' } });
  expect(index.headers()['cache-control']).toBe('no-cache');
  const html = await index.text();
  const wasm = html.match(/\/(app-[0-9a-f]+_bg\.wasm)/);
  expect(wasm).not.toBeNull();
  const asset = await request.get(`/${wasm![1]}`, { headers: { 'accept-encoding': 'br' } });
  expect(asset.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(asset.headers()['content-encoding']).toBe('br');
});

test('the app runs under its Content-Security-Policy, and another site cannot post as the user', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await watchCsp(page);
  const signedIn = await page.goto('/dev/login?user=wangjianguo&next=/');
  const csp = signedIn?.headers()['content-security-policy'] ?? '';
  const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
  expect(scriptSrc).toContain("'wasm-unsafe-eval'");
  // The boot check and Trunk's loader, by hash; nothing else inline.
  expect(scriptSrc.match(/'sha256-/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain("'unsafe-eval'");

  // The app mounts (WebAssembly compiled, the loader ran), loads its data and moves on.
  await expect(page.getByText('星河云图科技有限公司')).toBeVisible();
  await page.locator('.fab-bar').getByRole('button', { name: '去认证' }).click();
  await expect(page.getByLabel('身份证号')).toBeVisible();
  await page.goto('/dev/login');
  await expect(page.getByRole('heading', { name: '选择演示用户登录' })).toBeVisible();
  expect(await cspViolations(page)).toEqual([]);

  // The page's own POST went through (the application exists: 200 resumes it); another
  // site's does not.
  for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, {}]) {
    const res = await context.request.post('/api/notify-admins', { headers });
    expect(res.status(), JSON.stringify(headers)).toBe(403);
    expect((await res.json()).error.code).toBe('forbidden');
  }
  const own = await context.request.post('/api/application', { headers: { origin: ORIGIN } });
  expect(own.status()).toBe(200);
  await context.close();
});
