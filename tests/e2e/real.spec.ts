import { test, expect, request as playwrightRequest, APIRequestContext, Browser, Page, Response } from './fixtures';
import { shot, fixture, ZHANG, WANG, XINGHE_USCC } from './helpers';

// Real mode, end to end, without the internet: `cargo xtask e2e` starts the contract fakes of
// WeCom and Tencent Cloud and a server configured as a deployment would be (every provider
// real), with only the base URLs pointed at the fakes. The suite installs the app the way WeCom
// does (encrypted suite_ticket and create_auth callbacks), signs in through OAuth, and takes
// scenario 1 path 2 to 认证成功 with the legal representative on the SMS short-code link.

const BASE = process.env.E2E_REAL_BASE;
const WECOM = process.env.E2E_FAKE_WECOM;
const SMS = process.env.E2E_FAKE_SMS;
const OCR = process.env.E2E_FAKE_OCR;
const FACEID = process.env.E2E_FAKE_FACEID;
const SECRETS = (process.env.E2E_REAL_SECRETS ?? '').split('\n').filter(Boolean);

test.skip(!BASE || !WECOM || !SMS || !OCR || !FACEID, 'needs the real-mode server and fakes of `cargo xtask e2e`');

type SmsSent = { phone: string; template_id: string; params: string[] };

let fakes: { wecom: APIRequestContext; sms: APIRequestContext; ocr: APIRequestContext; faceid: APIRequestContext };

test.beforeAll(async () => {
  fakes = {
    wecom: await playwrightRequest.newContext({ baseURL: WECOM }),
    sms: await playwrightRequest.newContext({ baseURL: SMS }),
    ocr: await playwrightRequest.newContext({ baseURL: OCR }),
    faceid: await playwrightRequest.newContext({ baseURL: FACEID }),
  };
});

test.afterAll(async () => {
  for (const f of Object.values(fakes)) await f.dispose();
});

/** Every answer the server gives a person's browser, kept to look for secrets in. */
function recordAnswers(page: Page, into: string[]) {
  page.on('response', async (r: Response) => {
    if (!r.url().startsWith(BASE!)) return;
    into.push(JSON.stringify(r.headers()));
    const body = await r.text().catch(() => '');
    into.push(body);
  });
}

async function smsTo(phone: string): Promise<SmsSent[]> {
  const res = await fakes.sms.get('/_fake/sms/messages');
  expect(res.ok()).toBeTruthy();
  const all: SmsSent[] = await res.json();
  return all.filter((m) => m.phone === `+86${phone}`);
}

/** A browser context in WeCom's in-app browser, signed in through OAuth as `userid`. */
async function signInWithWeCom(browser: Browser, userid: string, path: string, answers: string[]) {
  const context = await browser.newContext({ baseURL: BASE });
  const page = await context.newPage();
  recordAnswers(page, answers);
  // No session, inside WeCom: the server sends the page to WeCom's OAuth, which (the fake)
  // asks who is signed in to the WeCom client.
  await page.goto(path);
  await expect(page).toHaveURL(new RegExp(`^${WECOM}/connect/oauth2/authorize`));
  await shot(page, 'real-oauth-fake');
  await page.getByRole('button', { name: new RegExp(`以 ${userid} 登录`) }).click();
  await expect(page).toHaveURL(`${BASE}${path}`);
  return { context, page };
}

test('installed by callbacks, signed in by OAuth, verified by the legal representative on the SMS link', async ({ browser }) => {
  test.setTimeout(180_000);
  const answers: string[] = [];

  // WeCom installs the suite: the ticket, then the corp's authorization.
  for (const kind of ['suite_ticket', 'create_auth']) {
    const push = await fakes.wecom.post(`/_fake/wecom/push?kind=${kind}&to=${encodeURIComponent(BASE!)}`);
    expect(push.ok(), `${kind}: ${await push.text()}`).toBeTruthy();
    const answer = await push.json();
    expect(answer, kind).toEqual({ status: 200, body: 'success' });
  }

  const zhang = await signInWithWeCom(browser, 'zhangwei', '/apply', answers);
  const page = zhang.page;
  await page.getByLabel('姓名').fill(ZHANG.name);
  await page.getByLabel('身份证号').fill(ZHANG.id);
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page).toHaveURL(/\/apply\/license(#app)?$/);

  // BizLicenseOCR reads the license and warns that the photo is of a screen (翻拍).
  const license = {
    RegNum: XINGHE_USCC,
    Name: '星河云图科技有限公司',
    Person: '王建国',
    Type: '有限责任公司(自然人投资或控股)',
    Address: '浙江省杭州市西湖区文三路398号',
    SetDate: '2019年03月12日',
    RecognizeWarnCode: [-9104],
    RecognizeWarnMsg: ['WARN_RESHOOT_CARD'],
  };
  expect((await fakes.ocr.post('/_fake/ocr/license', { data: license })).ok()).toBeTruthy();
  await page.getByRole('radio', { name: '企业或个体工商户' }).check();
  await page.locator('#capture-album').setInputFiles(fixture(`${XINGHE_USCC}-perspective.jpg`));
  await expect(page.locator('.capture')).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
  // What BizLicenseOCR (the fake's default answer, 星河云图's license) read.
  await expect(page.getByLabel('统一社会信用代码')).toHaveValue(XINGHE_USCC);
  await expect(page.getByRole('alert').filter({ hasText: '检测到照片为翻拍件' })).toBeVisible();
  await shot(page, 'real-license-warning');
  await page.getByRole('button', { name: '下一步' }).click();

  await page.getByLabel('手机号').fill(ZHANG.mobile);
  await page.getByRole('button', { name: '获取验证码' }).click();
  await expect(page.getByRole('button', { name: /\d+秒后重发/ })).toBeDisabled();
  const codes = await smsTo(ZHANG.mobile);
  expect(codes.length).toBe(1);
  expect(codes[0].template_id).toBe('2000001');
  await page.getByLabel('验证码').fill(codes[0].params[0]);
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page).toHaveURL(/\/apply\/authorize(#app)?$/);

  await page.getByRole('button', { name: '短信通知法人' }).click();
  await page.getByLabel('法定代表人手机号').fill(WANG.mobile);
  await page.getByRole('button', { name: '确认' }).click();
  await expect(page.getByRole('heading', { name: '等待法定代表人授权' })).toBeVisible();
  await shot(page, 'real-waiting');

  // The SMS carries only a short code; its template's constant text holds the entry point.
  const toWang = await smsTo(WANG.mobile);
  expect(toWang.length).toBe(1);
  expect(toWang[0].template_id).toBe('2000002');
  const code = toWang[0].params[toWang[0].params.length - 1];
  expect(code).toMatch(/^[A-Za-z0-9]{12}$/);

  // The legal representative opens it in a phone browser, with no session and outside WeCom.
  const wangContext = await browser.newContext({
    baseURL: BASE,
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  });
  const wang = await wangContext.newPage();
  recordAnswers(wang, answers);
  const wangScripts: string[] = [];
  wang.on('request', (r) => wangScripts.push(r.url()));
  await wang.goto(`/s/${code}`);
  await expect(wang).toHaveURL(new RegExp(`/legal-rep/${code}$`));
  await expect(wang.getByRole('heading', { name: '法定代表人授权' })).toBeVisible();
  await wang.getByLabel('姓名').fill(WANG.name);
  await wang.getByLabel('身份证号').fill(WANG.id);
  await wang.getByRole('button', { name: '开始人脸识别' }).click();
  // FaceID's H5 page (the fake's), then back to the RedirectUrl with the BizToken.
  await expect(wang).toHaveURL(new RegExp(`^${FACEID}/`));
  await shot(wang, 'real-faceid-fake');
  await wang.getByRole('button', { name: '通过', exact: true }).click();
  await expect(wang).toHaveURL(new RegExp(`^${BASE}/legal-rep/${code}/face-return`));
  await expect(wang.getByRole('heading', { name: '身份已确认' })).toBeVisible();
  // Every WeCom token expires now: the result's message/send meets 42001, and the server
  // fetches a new corp token and sends once more.
  expect((await fakes.wecom.post('/_fake/wecom/expire-tokens')).ok()).toBeTruthy();
  await wang.getByRole('button', { name: '授权', exact: true }).click();
  await expect(wang.getByRole('heading', { name: '授权成功' })).toBeVisible();
  await shot(wang, 'real-legal-rep-approved');

  // The applicant's page learns of it by itself, without a reload.
  await expect(page).toHaveURL(/\/apply\/done(#app)?$/, { timeout: 15_000 });
  await expect(page.getByRole('heading', { name: '企业认证成功' })).toBeVisible();
  await shot(page, 'real-done');

  // WeCom told the server no names: 张伟 is named by what he verified. 李娜, who verified
  // nothing, is named inside WeCom by WeCom's open-data element, for which 首页 loads WeCom's
  // JS-SDK; the legal representative's browser, outside WeCom, loaded nothing of WeCom's.
  await page.goto('/');
  await expect(page.locator('.corp-card__meta')).toHaveText('张伟 · 企业超级管理员');
  await expect(page.locator('ww-open-data')).toHaveCount(0);
  await shot(page, 'real-home');
  const lina = await signInWithWeCom(browser, 'lina', '/', answers);
  await expect(lina.page.locator('ww-open-data[type="userName"][openid="lina"]')).toBeAttached();
  await expect.poll(() => lina.page.evaluate(() => !!document.getElementById('wecom-sdk'))).toBe(true);
  await shot(lina.page, 'real-home-employee');
  await lina.context.close();
  expect(wangScripts.filter((u) => u.includes('wecom.js') || u.includes('weixin') || u.includes('wx.qq.com'))).toEqual([]);

  // The WeCom message of the result went to the applicant, through message/send.
  const sent = await (await fakes.wecom.get('/_fake/wecom/messages')).json();
  expect(JSON.stringify(sent)).toContain('zhangwei');

  // No secret in any answer a browser received.
  const seen = answers.join('\n');
  for (const secret of SECRETS) expect(seen.includes(secret), 'a secret in an answer').toBe(false);

  // What each fake received, for the closing note.
  for (const [name, f] of [['wecom', fakes.wecom], ['tencent cloud', fakes.sms]] as const) {
    const stats = await (await f.get('/_fake/stats')).json();
    console.log(`fake ${name}: ${JSON.stringify(stats)}`);
  }
  await wangContext.close();
  await zhang.context.close();
});

test('a reused OAuth code or a forged state gets a clear page and no session', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: BASE });
  const page = await context.newPage();
  await page.goto('/auth/wecom/callback?code=forged&state=forged');
  await expect(page.locator('body')).toContainText(/登录|授权/);
  const session = await page.request.get('/api/session');
  expect(session.status()).toBe(401);
  await context.close();
});
