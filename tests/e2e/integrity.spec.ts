import { test, expect } from './fixtures';
import { signIn, resetDemo, shot, fixture, passRealName, uploadLicense, WANG, ZHANG, XINGHE_USCC } from './helpers';

// What keeps verification honest, seen by the people it concerns: the registry check at
// 上传证照, 撤销认证 by the applicant, and 接管认证 of an application left for 30 days.

test.beforeEach(async ({ request }) => {
  await resetDemo(request);
});

test('张伟 cannot name himself 法定代表人: the registry refuses at the field, keeping what he typed', async ({ browser }) => {
  test.setTimeout(120_000);
  const { context, page } = await signIn(browser, 'zhangwei', '/apply');
  await passRealName(page, ZHANG);
  await uploadLicense(page, fixture(`${XINGHE_USCC}-perspective.jpg`));
  await expect(page.getByLabel('法定代表人')).toHaveValue('王建国');
  await page.getByLabel('法定代表人').fill('张伟');
  await page.getByRole('button', { name: '下一步' }).click();

  await expect(page.getByRole('alert').filter({ hasText: '法定代表人与登记信息不一致，请核对营业执照' })).toBeVisible();
  await expect(page).toHaveURL(/\/apply\/license(#app)?$/);
  // Nothing already entered is lost.
  await expect(page.getByLabel('法定代表人')).toHaveValue('张伟');
  await expect(page.getByLabel('企业名称')).toHaveValue('星河云图科技有限公司');
  await expect(page.getByLabel('统一社会信用代码')).toHaveValue(XINGHE_USCC);
  await shot(page, 'license-registry-refused');

  // As printed on the license, it goes on; the server then asks the legal rep by SMS.
  await page.getByLabel('法定代表人').fill('王建国');
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page).toHaveURL(/\/apply\/contact(#app)?$/);
  await context.close();
});

test('撤销认证: the applicant withdraws from 首页, and the enterprise is unverified again', async ({ browser }) => {
  test.setTimeout(90_000);
  const { context, page } = await signIn(browser, 'wangjianguo', '/apply');
  await passRealName(page, WANG);
  await page.goto('/');
  await expect(page.locator('.badge')).toContainText('认证中');
  await page.getByRole('button', { name: '撤销认证' }).click();
  const dialog = page.getByRole('dialog', { name: '撤销企业认证' });
  await expect(dialog).toBeVisible();
  await shot(page, 'home-withdraw-dialog');
  await dialog.getByRole('button', { name: '确定' }).click();
  await expect(page.getByText('已撤销企业认证')).toBeVisible();
  await expect(page.locator('.badge')).toContainText('未认证');
  await expect(page.locator('.fab-bar').getByRole('button', { name: '去认证' })).toBeVisible();
  // Starting again skips 实名认证: that is a fact about the person.
  await page.locator('.fab-bar').getByRole('button', { name: '去认证' }).click();
  await expect(page).toHaveURL(/\/apply\/license(#app)?$/);
  await context.close();
});

test('接管认证: 30 days after 张伟 stopped, 王建国 takes the application over', async ({ browser, request }) => {
  test.setTimeout(90_000);
  const zhang = await signIn(browser, 'zhangwei', '/apply');
  await passRealName(zhang.page, ZHANG);
  await zhang.context.close();

  // Within 30 days, another admin only sees who is verifying.
  const early = await signIn(browser, 'wangjianguo');
  await expect(early.page.getByText('*伟正在进行企业认证')).toBeVisible();
  await expect(early.page.getByRole('button', { name: '接管认证' })).toHaveCount(0);
  await early.context.close();

  expect((await request.post('/dev/clock?advance=2592000')).ok()).toBeTruthy();
  const wang = await signIn(browser, 'wangjianguo');
  await expect(wang.page.getByText('已超过30天无进展')).toBeVisible();
  await shot(wang.page, 'home-takeover');
  await wang.page.getByRole('button', { name: '接管认证' }).click();
  const dialog = wang.page.getByRole('dialog', { name: '接管企业认证' });
  await expect(dialog).toContainText('原申请作废');
  await dialog.getByRole('button', { name: '确定' }).click();
  await expect(wang.page).toHaveURL(/\/apply\/real-name(#app)?$/);
  await passRealName(wang.page, WANG);
  await wang.context.close();

  // 张伟 is told, and his 首页 shows who verifies now.
  const again = await signIn(browser, 'zhangwei');
  await expect(again.page.getByText('*建国正在进行企业认证')).toBeVisible();
  await again.context.close();
});
