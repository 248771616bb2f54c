import { test, expect, request as playwrightRequest, Browser, APIRequestContext } from './fixtures';
import { shot, fixture, passRealName, passContact, uploadLicense, WANG, ZHANG, XINGHE_USCC, OutboxMessage } from './helpers';

// Two server processes on one PostgreSQL database (started by `cargo xtask e2e` with
// E2E_POSTGRES=1): whatever one instance records, a page served by the other sees, without a
// reload. Every page and API call of a person goes to the instance named for them.

const A = process.env.E2E_INSTANCE_A;
const B = process.env.E2E_INSTANCE_B;

test.skip(!A || !B, 'needs the two PostgreSQL instances of `E2E_POSTGRES=1 cargo xtask e2e`');

/** A signed-in person whose pages all come from `base`. */
async function signInAt(browser: Browser, base: string, user: string, next = '/') {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  await page.goto(`/dev/login?user=${user}&next=${encodeURIComponent(next)}`);
  return { context, page };
}

async function outboxAt(api: APIRequestContext): Promise<OutboxMessage[]> {
  const res = await api.get('/dev/outbox.json');
  expect(res.ok()).toBeTruthy();
  return res.json();
}

let apiA: APIRequestContext;
let apiB: APIRequestContext;

test.beforeAll(async () => {
  apiA = await playwrightRequest.newContext({ baseURL: A });
  apiB = await playwrightRequest.newContext({ baseURL: B });
});

test.afterAll(async () => {
  await apiA.dispose();
  await apiB.dispose();
});

test.beforeEach(async () => {
  // One database: a reset through either instance clears it for both.
  expect((await apiA.post('/dev/reset')).status()).toBe(204);
});

test('the applicant waits on instance A; the legal representative authorizes on instance B; A flips by itself', async ({ browser }) => {
  test.setTimeout(150_000);
  const zhang = await signInAt(browser, A!, 'zhangwei', '/apply');
  await passRealName(zhang.page, ZHANG);
  await uploadLicense(zhang.page, fixture(`${XINGHE_USCC}-perspective.jpg`));
  await zhang.page.getByRole('button', { name: '下一步' }).click();
  await passContact(zhang.page, apiA, ZHANG.mobile);
  await zhang.page.getByRole('button', { name: '短信通知法人' }).click();
  await zhang.page.getByLabel('法定代表人手机号').fill(WANG.mobile);
  // The waiting page follows the live stream that instance A serves.
  const stream = zhang.page.waitForResponse((r) => r.url().endsWith('/api/application/events'));
  await zhang.page.getByRole('button', { name: '确认' }).click();
  await expect(zhang.page.getByRole('heading', { name: '等待法定代表人授权' })).toBeVisible();
  const events = await stream;
  expect(events.status()).toBe(200);
  expect(events.headers()['content-type']).toContain('text/event-stream');
  expect(new URL(events.url()).origin).toBe(new URL(A!).origin);

  // The SMS, as instance B's outbox shows it: the same database.
  const sms = (await outboxAt(apiB)).find((m) => m.channel === 'sms' && m.link?.startsWith('/legal-rep/'));
  expect(sms, 'the SMS to the legal representative').toBeTruthy();

  const wang = await signInAt(browser, B!, 'wangjianguo');
  await wang.page.goto(sms!.link!);
  await expect(wang.page.getByRole('heading', { name: '法定代表人授权' })).toBeVisible();
  await wang.page.getByLabel('姓名').fill(WANG.name);
  await wang.page.getByLabel('身份证号').fill(WANG.id);
  await wang.page.getByRole('button', { name: '开始人脸识别' }).click();
  await expect(wang.page).toHaveURL(/\/dev\/face\//);
  await wang.page.getByRole('button', { name: '通过', exact: true }).click();
  await expect(wang.page.getByRole('heading', { name: '身份已确认' })).toBeVisible();
  await wang.page.getByRole('button', { name: '授权', exact: true }).click();
  await expect(wang.page.getByRole('heading', { name: '授权成功' })).toBeVisible();
  expect(new URL(wang.page.url()).origin).toBe(new URL(B!).origin);

  // No reload on instance A: the waiting page learns of B's decision.
  await expect(zhang.page).toHaveURL(/\/apply\/done(#app)?$/, { timeout: 15_000 });
  await expect(zhang.page.getByRole('heading', { name: '企业认证成功' })).toBeVisible();
  expect(new URL(zhang.page.url()).origin).toBe(new URL(A!).origin);
  await shot(zhang.page, 'instances-a-done');
  await wang.context.close();
  await zhang.context.close();
});

test('a letter uploaded through instance A is shown to the reviewer on instance B', async ({ browser }) => {
  test.setTimeout(150_000);
  const ZHOU = { name: '周敏', id: '510107198511300256', mobile: '13900000021' };
  const zhou = await signInAt(browser, A!, 'zhoumin', '/apply');
  const page = zhou.page;
  await passRealName(page, ZHOU);
  await page.getByRole('radio', { name: '党政机关及事业单位或其他组织' }).check();
  await page.locator('#capture-album').setInputFiles(fixture('11510107MB1C4D5E7K-perspective.jpg'));
  await expect(page.locator('.capture')).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
  await page.getByRole('button', { name: '下一步' }).click();
  await passContact(page, apiA, ZHOU.mobile);
  await page.locator('#letter-1-album').setInputFiles(fixture('11510107MB1C4D5E7K-perspective.jpg'));
  await expect(page.locator('.capture').first()).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page.getByRole('heading', { name: '授权书审核中' })).toBeVisible();

  const staff = await signInAt(browser, B!, 'reviewer', '/ops/reviews');
  const card = staff.page.getByRole('article', { name: '青禾市数据资源局的授权书' });
  await expect(card).toBeVisible();
  // The photo itself, read from the database by instance B.
  const photo = card.locator('img').first();
  await expect(photo).toBeVisible();
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await shot(staff.page, 'instances-b-review');
  await card.getByRole('button', { name: '通过' }).click();

  // 周敏's page on instance A flips to success by itself.
  await expect(page).toHaveURL(/\/apply\/done(#app)?$/, { timeout: 15_000 });
  await staff.context.close();
  await zhou.context.close();
});
