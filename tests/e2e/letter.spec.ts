import fs from 'node:fs';
import { test, expect } from './fixtures';
import { signIn, resetDemo, shot, fixture, passRealName, passContact } from './helpers';

// Scenario 1, step 4, path 3: 周敏 of 青禾市数据资源局 sends an authorization letter; a reviewer
// rejects it with a reason, 周敏 resubmits, the reviewer approves.

const ZHOU = { name: '周敏', id: '510107198511300256', mobile: '13900000021' };

test.beforeEach(async ({ request }) => {
  await resetDemo(request);
});

test('授权书: template, upload, review with a rejection and a resubmission, then success', async ({ browser, request }) => {
  test.setTimeout(180_000);
  const zhou = await signIn(browser, 'zhoumin', '/apply');
  const page = zhou.page;
  await passRealName(page, ZHOU);
  await page.getByRole('radio', { name: '党政机关及事业单位或其他组织' }).check();
  await page.locator('#capture-album').setInputFiles(fixture('11510107MB1C4D5E7K-perspective.jpg'));
  await expect(page.locator('.capture')).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
  await expect(page.getByLabel('机构名称')).toHaveValue('青禾市数据资源局');
  await page.getByRole('button', { name: '下一步' }).click();
  await passContact(page, request, ZHOU.mobile);

  await expect(page.getByRole('heading', { name: '上传授权书认证' })).toBeVisible();
  for (const note of ['请将日期填写完整。', '请确保上传图片清晰可辨认。']) {
    await expect(page.getByText(note)).toBeVisible();
  }
  await page.getByRole('button', { name: '获取授权书模板' }).click();
  const downloadLink = page.getByRole('link', { name: '下载授权书模板（PDF）' });
  await expect(downloadLink).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), downloadLink.click()]);
  const pdf = fs.readFileSync(await download.path());
  expect(pdf.subarray(0, 8).toString()).toBe('%PDF-1.4');
  expect(pdf.toString('latin1')).toContain('/STSong-Light');

  // The letter's photo (any generated photo stands in for the stamped page here).
  await page.locator('#letter-1-album').setInputFiles(fixture('11510107MB1C4D5E7K-perspective.jpg'));
  await expect(page.locator('.capture').first()).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await shot(page, 'letter-form');
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page.getByRole('heading', { name: '授权书审核中' })).toBeVisible();
  await expect(page.getByText(/预计\d{4}-\d{2}-\d{2}前反馈认证结果/)).toBeVisible();
  await shot(page, 'letter-in-review');

  // Not for everyone.
  const lina = await signIn(browser, 'lina', '/ops/reviews');
  await expect(lina.page.getByText('仅腾讯电子签工作人员可以访问审核台')).toBeVisible();
  expect((await lina.context.request.get('/api/ops/reviews')).status()).toBe(403);
  await lina.context.close();

  // The reviewer rejects with a preset reason.
  const staff = await signIn(browser, 'reviewer', '/ops/reviews');
  const card = staff.page.getByRole('article', { name: '青禾市数据资源局的授权书' });
  await expect(card).toBeVisible();
  await card.getByRole('button', { name: '放大第1张授权书照片' }).click();
  await expect(staff.page.getByRole('dialog', { name: '授权书照片' })).toBeVisible();
  await shot(staff.page, 'reviews-photo');
  await staff.page.getByRole('dialog', { name: '授权书照片' }).click();
  await shot(staff.page, 'reviews-queue');
  await card.getByRole('button', { name: '驳回' }).click();
  const reasons = staff.page.getByRole('dialog', { name: '驳回原因' });
  await reasons.getByRole('radio', { name: '授权书日期未填写完整' }).check();
  await shot(staff.page, 'reviews-reject');
  await reasons.getByRole('button', { name: '确认驳回' }).click();
  await expect(staff.page.getByRole('heading', { name: '暂无待审核的授权书' })).toBeVisible();

  // 周敏's page learns of it by itself, and takes a new upload.
  await expect(page.getByText('原因：授权书日期未填写完整')).toBeVisible({ timeout: 15_000 });
  await shot(page, 'letter-rejected');
  await page.locator('#letter-1-album').setInputFiles(fixture('11510107MB1C4D5E7K-perspective.jpg'));
  await expect(page.locator('.capture').first()).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page.getByRole('heading', { name: '授权书审核中' })).toBeVisible();

  // Approved: 周敏's page flips to success.
  await staff.page.reload();
  await expect(card.getByText('此前驳回：授权书日期未填写完整')).toBeVisible();
  await card.getByRole('button', { name: '通过' }).click();
  await expect(staff.page.getByRole('heading', { name: '暂无待审核的授权书' })).toBeVisible();
  await expect(page).toHaveURL(/\/apply\/done(#app)?$/, { timeout: 15_000 });
  await expect(page.getByRole('heading', { name: '企业认证成功' })).toBeVisible();
  await staff.context.close();
  await zhou.context.close();
});
