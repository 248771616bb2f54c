import { test, expect } from '@playwright/test';
import { signIn, resetDemo, shot, fixture, WANG, XINGHE_USCC, passRealName, uploadLicense, passContact } from './helpers';

// Scenario 1, step 4, path 1: the legal representative verifies their own face; 企业认证成功.

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

  await expect(page).toHaveURL(/\/apply\/done$/);
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
  const start = await context.request.post('/api/application');
  expect(start.status()).toBe(201);
  const face = await context.request.post('/api/application/face');
  expect(face.status()).toBe(409);
  expect((await face.json()).error.message).toBe('请先完成前面的认证步骤');
  await context.close();
});
