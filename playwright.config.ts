import { defineConfig } from '@playwright/test';
import fs from 'node:fs';

// Every spec takes `test` from tests/e2e/fixtures.ts, which audits each page it reaches
// (axe-core, touch targets): a spec on Playwright's bare `test` would skip the audit.
for (const f of fs.readdirSync('tests/e2e').filter((n) => n.endsWith('.spec.ts'))) {
  if (/import\s*{[^}]*\btest\b[^}]*}\s*from\s*'@playwright\/test'/.test(fs.readFileSync(`tests/e2e/${f}`, 'utf8'))) {
    throw new Error(`tests/e2e/${f}: import { test, expect } from './fixtures', not '@playwright/test'`);
  }
}

// Runs against a real server in local mode (started by `cargo xtask e2e`), on the release
// bundle, in Debian's Chromium at a phone viewport. Never downloads a browser.
export default defineConfig({
  testDir: 'tests/e2e',
  // One server, one database: tests reset the demo data and must not interleave.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: 'test-results/artifacts',
  use: {
    baseURL: process.env.E2E_BASE_URL ?? 'http://127.0.0.1:18080',
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    // WeCom's in-app browser on iOS, as the product meets it.
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
      'Mobile/15E148 wxwork/4.1.26 MicroMessenger/7.0.1 Language/zh ColorScheme/Light',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // A fake back camera, granted without a prompt: the live viewfinder is tested too.
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
      ],
    },
  },
});
