import { Browser, BrowserContext, Page, APIRequestContext, expect } from '@playwright/test';

export type OutboxMessage = {
  id: number;
  channel: 'sms' | 'wecom';
  to: string;
  text: string;
  link: string | null;
  sent_at: number;
};

/** One browser context per person, signed in through /dev/login. */
export async function signIn(browser: Browser, user: string, next = '/'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`/dev/login?user=${user}&next=${encodeURIComponent(next)}`);
  return { context, page };
}

export async function resetDemo(request: APIRequestContext) {
  const res = await request.post('/dev/reset');
  expect(res.status()).toBe(204);
}

export async function outbox(request: APIRequestContext): Promise<OutboxMessage[]> {
  const res = await request.get('/dev/outbox.json');
  expect(res.ok()).toBeTruthy();
  return res.json();
}

/** A full-page screenshot kept as a test artifact (test-results/screenshots). */
export async function shot(page: Page, name: string) {
  // Let dialog and toast fade-ins finish so the picture shows what a person sees.
  await page.waitForTimeout(300);
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}
