import { test, expect, Page, APIRequestContext } from './fixtures';
import { apiPost, signIn, resetDemo, shot, fixture, outbox, passRealName, uploadLicense } from './helpers';

// Scenario 2: 关联微信账户 → 短信通知超级管理员 → 确认开通 by the super admin → 授权成功, then
// 邀请企业员工在企业微信使用 and the invited employee's own verification.

const CHEN = { name: '陈静', id: '330106199005060485' };
const ZHAO = { name: '赵磊', id: '31011519800101077X' };
const LIU = { name: '刘洋', id: '44030519950817031X' };
const LANHAI_USCC = '91440305MA5G3N2R3N';
const OPENED = '授权成功，您的企业已经成功开通腾讯电子签企业微信服务';

test.beforeEach(async ({ request }) => {
  await resetDemo(request);
});

async function activationLink(request: APIRequestContext): Promise<string> {
  const sms = (await outbox(request)).find((m) => m.channel === 'sms' && m.link?.startsWith('/activate/'));
  expect(sms, 'the SMS to the super admin').toBeTruthy();
  expect(sms!.text).toContain('确认开通');
  return sms!.link!;
}

/** Reads the agreement to its end, which enables 确认开通, and taps it. */
async function readAndConfirm(page: Page) {
  const confirm = page.getByRole('button', { name: '确认开通' });
  await expect(confirm).toBeDisabled();
  await expect(page.getByText('请先阅读完《企业微信端腾讯电子签服务协议》')).toBeVisible();
  await page.getByRole('region', { name: '《企业微信端腾讯电子签服务协议》' }).evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(confirm).toBeEnabled();
  await confirm.click();
  await expect(page.getByRole('heading', { name: '请超级管理员进行实名认证，确认为本人操作' })).toBeVisible();
}

test('陈静 links the WeChat account and notifies 赵磊, who opens the service from the SMS; her page flips to success', async ({ browser, request }) => {
  test.setTimeout(150_000);
  const chen = await signIn(browser, 'chenjing');
  await chen.page.getByRole('button', { name: '去认证', exact: true }).click();
  await expect(chen.page).toHaveURL(/\/apply\/real-name(#app)?$/);
  await passRealName(chen.page, CHEN);

  // 关联微信账户 before any license: 陈静 has no account on the WeChat side, and 星河's code
  // is not opened there. The page says so and leads back to scenario 1.
  await chen.page.getByRole('link', { name: '关联微信账户' }).click();
  await expect(chen.page).toHaveURL(/\/apply\/wechat(#app)?$/);
  await expect(chen.page.getByRole('alert')).toContainText('未查询到已开通腾讯电子签微信端服务的企业');
  await chen.page.getByLabel('统一社会信用代码').fill('91330106MA2KX7Q890');
  await chen.page.getByRole('button', { name: '查找' }).click();
  await expect(chen.page.getByRole('alert')).toContainText('请按全新未认证企业的方式上传证照完成认证');
  await shot(chen.page, 'wechat-not-found');
  await chen.page.getByRole('link', { name: '返回上传证照' }).click();
  await expect(chen.page).toHaveURL(/\/apply\/license(#app)?$/);

  // The license read belongs to an enterprise already opened on the WeChat side.
  await uploadLicense(chen.page, fixture(`${LANHAI_USCC}-perspective.jpg`));
  await expect(chen.page.getByText('电子签服务已开通')).toBeVisible();
  await chen.page.getByRole('button', { name: '关联微信账户' }).click();
  await expect(chen.page).toHaveURL(/\/apply\/wechat(#app)?$/);
  await expect(chen.page.getByRole('heading', { name: '电子签服务已开通' })).toBeVisible();
  await expect(chen.page.getByText('蓝海文化传媒有限公司')).toBeVisible();
  await expect(chen.page.getByText('*磊', { exact: true })).toBeVisible();
  await expect(chen.page.getByText('139****0011', { exact: true })).toBeVisible();
  await shot(chen.page, 'wechat-linked');

  await chen.page.getByRole('button', { name: '短信通知超级管理员' }).click();
  const dialog = chen.page.getByRole('dialog', { name: '短信通知超级管理员' });
  await expect(dialog).toContainText('该手机号仅用于通知超级管理员授权使用');
  await shot(chen.page, 'wechat-notify-dialog');
  await dialog.getByRole('button', { name: '确定' }).click();
  await expect(chen.page.getByRole('heading', { name: '等待超级管理员授权' })).toBeVisible();
  await expect(chen.page.getByRole('button', { name: /秒后可重新发送/ })).toBeDisabled();
  await shot(chen.page, 'wechat-waiting');
  const link = await activationLink(request);

  // Refusals: the API will not open without the agreement, nor for anyone but the super admin.
  const token = link.split('/').pop();
  const early = await apiPost(chen.context.request, `/api/activate/${token}/face`, { data: { identity: { name: ZHAO.name, id_number: ZHAO.id } } });
  expect(early.status()).toBe(409);
  const notAccepted = await apiPost(chen.context.request, `/api/activate/${token}/confirm`, { data: { agreement_version: 'x', accepted: false } });
  expect(notAccepted.status()).toBe(400);
  expect((await notAccepted.json()).error.field).toBe('agreement');
  // 陈静 opens 赵磊's link herself.
  const intruder = await chen.context.newPage();
  await intruder.goto(link);
  await readAndConfirm(intruder);
  await intruder.getByLabel('姓名').fill(CHEN.name);
  await intruder.getByLabel('身份证号').fill(CHEN.id);
  await intruder.getByRole('button', { name: '开始人脸识别' }).click();
  await expect(intruder.getByRole('heading', { name: '无法授权' })).toBeVisible();
  await expect(intruder.getByText('您不是蓝海文化传媒有限公司的电子签超级管理员')).toBeVisible();
  await shot(intruder, 'activate-wrong-person');
  await intruder.close();

  // 赵磊, in his own WeCom, opens the SMS link.
  const zhao = await signIn(browser, 'zhaolei', link);
  await expect(zhao.page.getByRole('heading', { name: '超级管理员授权' })).toBeVisible();
  await expect(zhao.page.getByText('将蓝海文化传媒有限公司在微信端已开通的腾讯电子签企业账号关联至企业微信')).toBeVisible();
  await shot(zhao.page, 'activate-agreement');
  await readAndConfirm(zhao.page);
  await zhao.page.getByLabel('姓名').fill(ZHAO.name);
  await zhao.page.getByLabel('身份证号').fill(ZHAO.id);
  await shot(zhao.page, 'activate-identity');
  await zhao.page.getByRole('button', { name: '开始人脸识别' }).click();
  await expect(zhao.page).toHaveURL(/\/dev\/face\//);
  await zhao.page.getByRole('button', { name: '通过', exact: true }).click();
  await expect(zhao.page).toHaveURL(/\/apply\/done(#app)?$/);
  await expect(zhao.page.getByRole('heading', { name: '授权成功' })).toBeVisible();
  await expect(zhao.page.getByText(OPENED)).toBeVisible();

  // 陈静's waiting page updates by itself.
  await expect(chen.page).toHaveURL(/\/apply\/done(#app)?$/, { timeout: 15_000 });
  await expect(chen.page.getByText(OPENED)).toBeVisible();
  await expect(chen.page.getByRole('button', { name: '邀请企业员工在企业微信使用' })).toHaveCount(0);
  await shot(chen.page, 'wechat-applicant-done');

  // The link is spent.
  await zhao.page.goto(link);
  await expect(zhao.page.getByRole('heading', { name: '该授权请求已处理' })).toBeVisible();
  await shot(zhao.page, 'activate-used-link');
  await zhao.context.close();
  await chen.context.close();
});

test('赵磊, the super admin, links and opens by himself, invites the employees, and 刘洋 verifies', async ({ browser, request }) => {
  test.setTimeout(150_000);
  const zhao = await signIn(browser, 'zhaolei');
  // Not a WeCom admin: 去认证 explains, and offers 关联微信账户 to a WeChat-side super admin.
  await zhao.page.getByRole('button', { name: '去认证', exact: true }).click();
  const prompt = zhao.page.getByRole('dialog', { name: '暂无权限' });
  await expect(prompt).toBeVisible();
  await shot(zhao.page, 'wechat-employee-prompt');
  await prompt.getByRole('link', { name: '关联微信账户' }).click();
  await expect(zhao.page).toHaveURL(/\/me\/real-name\?next=wechat(#app)?$/);
  await zhao.page.getByLabel('姓名').fill(ZHAO.name);
  await zhao.page.getByLabel('身份证号').fill(ZHAO.id);
  await zhao.page.getByRole('button', { name: '提交认证' }).click();

  await expect(zhao.page).toHaveURL(/\/apply\/wechat(#app)?$/);
  await expect(zhao.page.getByRole('heading', { name: '电子签服务已开通' })).toBeVisible();
  await expect(zhao.page.getByText('您是该企业的电子签超级管理员')).toBeVisible();
  await expect(zhao.page.getByRole('button', { name: '短信通知超级管理员' })).toHaveCount(0);
  await shot(zhao.page, 'wechat-super-admin');
  await zhao.page.getByRole('button', { name: '下一步' }).click();
  await expect(zhao.page).toHaveURL(/\/activate\//);
  // Verified a minute ago: no second typing of the ID number.
  await expect(zhao.page.getByText('3101**********077X')).toHaveCount(0);
  await readAndConfirm(zhao.page);
  await expect(zhao.page.getByText('3101**********077X')).toBeVisible();
  await zhao.page.getByRole('button', { name: '开始人脸识别' }).click();
  await zhao.page.getByRole('button', { name: '通过', exact: true }).click();
  await expect(zhao.page).toHaveURL(/\/apply\/done(#app)?$/);
  await expect(zhao.page.getByText(OPENED)).toBeVisible();
  expect((await outbox(request)).filter((m) => m.link?.startsWith('/activate/'))).toHaveLength(0);
  await shot(zhao.page, 'wechat-done-super-admin');

  // 邀请企业员工在企业微信使用 → 确定: 刘洋 and 孙丽.
  await zhao.page.getByRole('button', { name: '邀请企业员工在企业微信使用' }).click();
  const confirm = zhao.page.getByRole('dialog', { name: '邀请企业员工' });
  await expect(confirm).toContainText('2名员工');
  await confirm.getByRole('button', { name: '确定' }).click();
  await expect(zhao.page.getByText('已向2名员工发送短信邀请')).toBeVisible();
  await expect(zhao.page.getByText('*洋 139****0013')).toBeVisible();
  await expect(zhao.page.getByText('*丽 139****0014')).toBeVisible();
  await shot(zhao.page, 'wechat-invited');
  const invitations = (await outbox(request)).filter((m) => m.channel === 'sms' && m.text.includes('邀请您在企业微信中使用'));
  expect(invitations).toHaveLength(2);

  // Two more the same day are allowed; the fourth to the same numbers is refused, and says so.
  for (let i = 0; i < 2; i++) {
    expect((await apiPost(zhao.context.request, '/api/enterprise/invitations')).status()).toBe(200);
  }
  await zhao.page.getByRole('button', { name: '邀请企业员工在企业微信使用' }).click();
  await zhao.page.getByRole('dialog', { name: '邀请企业员工' }).getByRole('button', { name: '确定' }).click();
  await expect(zhao.page.getByText('每个手机号每天最多接收3次邀请，今日已达上限')).toBeVisible();
  await shot(zhao.page, 'wechat-invite-capped');
  expect((await outbox(request)).filter((m) => m.text.includes('邀请您在企业微信中使用'))).toHaveLength(6);

  // Home, for the super admin: verified, and the way back to inviting.
  await zhao.page.getByRole('link', { name: '完成' }).click();
  await expect(zhao.page.locator('.badge')).toContainText('已认证');
  await expect(zhao.page.getByText('您是企业的超级管理员')).toBeVisible();
  await expect(zhao.page.getByRole('link', { name: '企业认证详情' })).toBeVisible();
  await shot(zhao.page, 'home-super-admin');

  // 刘洋, invited, verifies himself and becomes a verified member.
  const liu = await signIn(browser, 'liuyang');
  await expect(liu.page.getByRole('heading', { name: '您已受邀使用腾讯电子签' })).toBeVisible();
  await shot(liu.page, 'home-invited');
  await liu.page.getByRole('link', { name: '个人实名认证' }).click();
  await expect(liu.page).toHaveURL(/\/me\/real-name(#app)?$/);
  await liu.page.getByLabel('姓名').fill(LIU.name);
  await liu.page.getByLabel('身份证号').fill('440305199702240641'); // 孙丽's number: not the invited person
  await liu.page.getByRole('button', { name: '提交认证' }).click();
  await expect(liu.page.getByText('身份证号与超级管理员邀请时登记的信息不一致')).toBeVisible();
  await expect(liu.page.getByLabel('姓名')).toHaveValue(LIU.name);
  await liu.page.getByLabel('身份证号').fill(LIU.id);
  await liu.page.getByRole('button', { name: '提交认证' }).click();
  await expect(liu.page).toHaveURL(/\/(#app)?$/);
  await expect(liu.page.getByText('是蓝海文化传媒有限公司的认证成员')).toBeVisible();
  await expect(liu.page.getByRole('heading', { name: '您已受邀使用腾讯电子签' })).toHaveCount(0);
  await shot(liu.page, 'home-member-verified');

  // Nobody else is shown as invited: 陈静 sees the ordinary verified state.
  const chen = await signIn(browser, 'chenjing');
  await expect(chen.page.locator('.badge')).toContainText('已认证');
  await expect(chen.page.getByRole('heading', { name: '您已受邀使用腾讯电子签' })).toHaveCount(0);
  await chen.context.close();
  await liu.context.close();
  await zhao.context.close();
});

test('赵磊 opens the service from the SMS outside WeCom, then claims the super admin role in WeCom with his own face', async ({ browser, request }) => {
  test.setTimeout(120_000);
  // 陈静 links by typing the code (no photo), then notifies.
  const chen = await signIn(browser, 'chenjing', '/apply');
  await passRealName(chen.page, CHEN);
  await chen.page.getByRole('link', { name: '关联微信账户' }).click();
  await chen.page.getByLabel('统一社会信用代码').fill(LANHAI_USCC);
  await chen.page.getByRole('button', { name: '查找' }).click();
  await chen.page.getByRole('button', { name: '短信通知超级管理员' }).click();
  await chen.page.getByRole('dialog', { name: '短信通知超级管理员' }).getByRole('button', { name: '确定' }).click();
  await expect(chen.page.getByRole('heading', { name: '等待超级管理员授权' })).toBeVisible();
  const link = await activationLink(request);

  // The SMS opens in WeChat: no WeCom session.
  const outside = await browser.newContext();
  const page = await outside.newPage();
  await page.goto(link);
  await readAndConfirm(page);
  await page.getByLabel('姓名').fill(ZHAO.name);
  await page.getByLabel('身份证号').fill(ZHAO.id);
  await page.getByRole('button', { name: '开始人脸识别' }).click();
  await page.getByRole('button', { name: '通过', exact: true }).click();
  await expect(page.getByRole('heading', { name: '授权成功' })).toBeVisible();
  await expect(page.getByText('并完成个人实名认证，即可邀请企业员工')).toBeVisible();
  await shot(page, 'activate-done-outside-wecom');
  await expect(chen.page.getByText(OPENED)).toBeVisible({ timeout: 15_000 });

  // 刘洋 types 赵磊's name and ID number: that claims nothing without 赵磊's face.
  const liu = await signIn(browser, 'liuyang', '/me/real-name');
  await liu.page.getByLabel('姓名').fill(ZHAO.name);
  await liu.page.getByLabel('身份证号').fill(ZHAO.id);
  await liu.page.getByRole('button', { name: '提交认证' }).click();
  await expect(liu.page.getByRole('button', { name: '人脸识别确认身份' })).toBeVisible();
  await expect(liu.page.getByText('您是企业的超级管理员')).toHaveCount(0);
  expect((await liu.context.request.post('/api/enterprise/invitations', { headers: { origin: new URL(liu.page.url()).origin } })).status()).toBe(403);
  await liu.context.close();

  // In WeCom, 赵磊 verifies himself, then proves with his face that he is that person.
  const zhao = await signIn(browser, 'zhaolei');
  await expect(zhao.page.getByText('请完成个人实名认证并通过人脸识别确认身份')).toBeVisible();
  await shot(zhao.page, 'home-super-admin-unknown');
  await zhao.page.getByRole('link', { name: '个人实名认证' }).click();
  await zhao.page.getByLabel('姓名').fill(ZHAO.name);
  await zhao.page.getByLabel('身份证号').fill(ZHAO.id);
  await zhao.page.getByRole('button', { name: '提交认证' }).click();
  await expect(zhao.page.getByText('请通过人脸识别确认是您本人')).toBeVisible();
  await shot(zhao.page, 'home-super-admin-claim');
  await zhao.page.getByRole('button', { name: '人脸识别确认身份' }).click();
  await zhao.page.getByRole('button', { name: '通过', exact: true }).click();
  await expect(zhao.page.getByRole('button', { name: '邀请企业员工在企业微信使用' })).toBeVisible();
  await zhao.page.goto('/');
  await expect(zhao.page.getByText('您是企业的超级管理员')).toBeVisible();
  await outside.close();
  await zhao.context.close();
  await chen.context.close();
});
