import { test, expect, Browser, Page, APIRequestContext } from './fixtures';
import { apiPost, signIn, resetDemo, shot, fixture, outbox, WANG, ZHANG, LINA, XINGHE_USCC, passRealName, uploadLicense, passContact } from './helpers';

// Scenario 1, step 4: path 1 (the legal representative's own face) and path 2 (短信通知法人);
// 企业认证成功.

test.beforeEach(async ({ request }) => {
  await resetDemo(request);
});

test('王建国, the legal representative, passes face verification and the enterprise is verified for everyone', async ({ browser, request }) => {
  test.setTimeout(120_000);
  const { context, page } = await signIn(browser, 'wangjianguo', '/apply');
  await passRealName(page);
  await uploadLicense(page, fixture(`${XINGHE_USCC}-perspective.jpg`));
  await page.getByRole('button', { name: '下一步' }).click();
  await passContact(page, request, WANG.mobile);

  await expect(page.getByRole('heading', { name: '您是企业法定代表人或个体工商户经营者' })).toBeVisible();
  await shot(page, 'authorize-legal-rep');
  await page.getByRole('button', { name: '开始人脸识别' }).click();

  // The local simulation stands where FaceID's page would, and says what it is.
  await expect(page).toHaveURL(/\/dev\/face\//);
  await expect(page.getByText('本地模拟：此页面不进行真实的人脸比对')).toBeVisible();
  await shot(page, 'authorize-face-simulation');
  // First a failure: it explains, and offers a retry.
  await page.getByRole('button', { name: '不通过' }).click();
  await expect(page).toHaveURL(/\/apply\/face-return\?BizToken=/);
  await expect(page.getByRole('heading', { name: '人脸识别未通过' })).toBeVisible();
  await expect(page.getByText('今日还可重试4次')).toBeVisible();
  await shot(page, 'authorize-face-failed');
  await page.getByRole('button', { name: '重新识别' }).click();
  await expect(page).toHaveURL(/\/dev\/face\//);
  await page.getByRole('button', { name: '通过', exact: true }).click();

  await expect(page).toHaveURL(/\/apply\/done(#app)?$/);
  await expect(page.getByRole('heading', { name: '企业认证成功' })).toBeVisible();
  await expect(page.getByText('您已成为该企业的超级管理员')).toBeVisible();
  await shot(page, 'authorize-done');
  await page.getByRole('link', { name: '完成' }).click();
  await expect(page.locator('.badge')).toContainText('已认证');
  await expect(page.locator('.fab-bar')).toHaveCount(0);

  // An ordinary employee now sees the verified state, not the 去认证 prompt.
  const lina = await signIn(browser, 'lina');
  await expect(lina.page.locator('.badge')).toContainText('已认证');
  await expect(lina.page.locator('.fab-bar')).toHaveCount(0);
  await shot(lina.page, 'home-employee-verified');
  await lina.context.close();
  await context.close();
});

test('face verification cannot start before the steps before it', async ({ browser }) => {
  const { context } = await signIn(browser, 'zhangwei');
  // Straight to the endpoint: the server refuses whatever the page shows.
  const start = await apiPost(context.request, '/api/application');
  expect(start.status()).toBe(201);
  const face = await apiPost(context.request, '/api/application/face');
  expect(face.status()).toBe(409);
  expect((await face.json()).error.message).toBe('请先完成前面的认证步骤');
  await context.close();
});

/** 张伟 through steps 1–3, then 短信通知法人 to 王建国's number: his page waits. */
async function zhangNotifies(browser: Browser, request: APIRequestContext) {
  const zhang = await signIn(browser, 'zhangwei', '/apply');
  await passRealName(zhang.page, ZHANG);
  await uploadLicense(zhang.page, fixture(`${XINGHE_USCC}-perspective.jpg`));
  await zhang.page.getByRole('button', { name: '下一步' }).click();
  await passContact(zhang.page, request, ZHANG.mobile);
  await expect(zhang.page.getByRole('heading', { name: '您是企业或个体工商户的员工' })).toBeVisible();
  await expect(zhang.page.getByLabel('法定代表人手机号')).toHaveCount(0);
  await shot(zhang.page, 'authorize-notify-choice');
  await zhang.page.getByRole('button', { name: '短信通知法人' }).click();
  // The form opens with the focus on the number, for the keyboard and screen readers.
  await expect(zhang.page.getByLabel('法定代表人手机号')).toBeFocused();
  await zhang.page.getByLabel('法定代表人手机号').fill(WANG.mobile);
  await shot(zhang.page, 'authorize-notify-form');
  await zhang.page.getByRole('button', { name: '确认' }).click();
  await expect(zhang.page.getByRole('heading', { name: '等待法定代表人授权' })).toBeVisible();
  await expect(zhang.page.getByText('139****0001')).toBeVisible();
  await shot(zhang.page, 'authorize-waiting');
  const sms = (await outbox(request)).find((m) => m.channel === 'sms' && m.link?.startsWith('/legal-rep/'));
  expect(sms, 'the SMS to the legal representative').toBeTruthy();
  return { zhang, link: sms!.link! };
}

/** Whoever holds the link fills in their name and number and passes the face page. */
async function verifyOnLink(page: Page, link: string, person: { name: string; id: string }) {
  await page.goto(link);
  await expect(page.getByRole('heading', { name: '法定代表人授权' })).toBeVisible();
  await page.getByLabel('姓名').fill(person.name);
  await page.getByLabel('身份证号').fill(person.id);
  await page.getByRole('button', { name: '开始人脸识别' }).click();
  await expect(page).toHaveURL(/\/dev\/face\//);
  await page.getByRole('button', { name: '通过', exact: true }).click();
  await expect(page).toHaveURL(/\/legal-rep\/.+\/face-return/);
}

test('短信通知法人: 王建国 authorizes from the SMS link and 张伟\'s page flips to success by itself', async ({ browser, request }) => {
  test.setTimeout(120_000);
  const { zhang, link } = await zhangNotifies(browser, request);

  const wang = await signIn(browser, 'wangjianguo');
  await wang.page.goto(link);
  await expect(wang.page.locator('.cell', { hasText: '申请人' }).first()).toContainText('*伟');
  await expect(wang.page.getByText('星河云图科技有限公司').first()).toBeVisible();
  await shot(wang.page, 'legal-rep-request');
  await verifyOnLink(wang.page, link, WANG);
  await expect(wang.page.getByRole('heading', { name: '身份已确认' })).toBeVisible();
  await wang.page.getByRole('button', { name: '授权', exact: true }).click();
  await expect(wang.page.getByRole('heading', { name: '授权成功' })).toBeVisible();
  await shot(wang.page, 'legal-rep-approved');

  // No reload on 张伟's side: the waiting page notices.
  await expect(zhang.page).toHaveURL(/\/apply\/done(#app)?$/, { timeout: 15_000 });
  await expect(zhang.page.getByRole('heading', { name: '企业认证成功' })).toBeVisible();
  // The used link says so.
  await wang.page.goto(link);
  await expect(wang.page.getByRole('heading', { name: '该授权请求已处理' })).toBeVisible();
  await wang.context.close();
  await zhang.context.close();
});

test('短信通知法人: 王建国 declines, and 张伟 is told and can send again', async ({ browser, request }) => {
  test.setTimeout(120_000);
  const { zhang, link } = await zhangNotifies(browser, request);
  const wang = await signIn(browser, 'wangjianguo');
  await verifyOnLink(wang.page, link, WANG);
  await wang.page.getByRole('button', { name: '拒绝' }).click();
  await expect(wang.page.getByRole('heading', { name: '已拒绝授权' })).toBeVisible();

  await expect(zhang.page.getByText('法定代表人拒绝了本次授权请求')).toBeVisible({ timeout: 15_000 });
  await shot(zhang.page, 'authorize-declined');
  await expect(zhang.page.getByRole('button', { name: '重新发送' })).toBeVisible();
  const told = (await outbox(request)).find((m) => m.channel === 'wecom' && m.to === 'zhangwei');
  expect(told?.text).toContain('拒绝');
  await wang.context.close();
  await zhang.context.close();
});

test('短信通知法人: a link opened by someone else, and a withdrawn link, each get their own page', async ({ browser, request }) => {
  test.setTimeout(120_000);
  const { zhang, link } = await zhangNotifies(browser, request);
  const lina = await signIn(browser, 'lina');
  await verifyOnLink(lina.page, link, LINA);
  await expect(lina.page.getByRole('heading', { name: '无法授权' })).toBeVisible();
  await expect(lina.page.getByText('您不是星河云图科技有限公司的法定代表人')).toBeVisible();
  await shot(lina.page, 'legal-rep-wrong-person');

  await zhang.page.getByRole('button', { name: '取消' }).click();
  // Cancelled: back to the choice, as the seed's step 4 starts.
  await expect(zhang.page.getByRole('button', { name: '短信通知法人' })).toBeVisible();
  await lina.page.goto(link);
  await expect(lina.page.getByRole('heading', { name: '授权请求已取消' })).toBeVisible();
  await lina.page.goto('/legal-rep/not-a-real-token');
  await expect(lina.page.getByRole('heading', { name: '链接无效' })).toBeVisible();
  await lina.context.close();
  await zhang.context.close();
});

test('短信通知法人: a link past its 24 hours says it expired', async ({ browser, request }) => {
  test.setTimeout(120_000);
  const { zhang, link } = await zhangNotifies(browser, request);
  // Local mode's clock, moved a day and a second forward (/dev/reset puts it back).
  expect((await request.post('/dev/clock?advance=86401')).ok()).toBeTruthy();
  const wang = await signIn(browser, 'wangjianguo');
  await wang.page.goto(link);
  await expect(wang.page.getByRole('heading', { name: '链接已过期' })).toBeVisible();
  await expect(wang.page.getByText('有效期24小时')).toBeVisible();
  await shot(wang.page, 'legal-rep-expired');
  await wang.context.close();
  await zhang.context.close();
});
