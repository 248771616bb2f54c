// `cargo xtask bench lighthouse`'s browser half: Lighthouse 12's default mobile run (simulated
// throttling) on 首页, signed in by the session cookie as an extra header, RUNS times, each in
// a fresh headless Chromium. Prints `key value` lines for xtask to read, one `run.*` set per run.
//
// Env: BENCH_BASE_URL, BENCH_COOKIE (`esign_sid=…`), BENCH_RUNS (default 3),
// BENCH_REPORT_DIR (where each run's JSON report goes), CHROME_PATH (default /usr/bin/chromium).
import fs from 'node:fs';
import path from 'node:path';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';

const base = process.env.BENCH_BASE_URL;
const cookie = process.env.BENCH_COOKIE ?? '';
const runs = Number(process.env.BENCH_RUNS ?? '3');
const reportDir = process.env.BENCH_REPORT_DIR;
process.env.CHROME_PATH ??= '/usr/bin/chromium';

const print = (key, v) => console.log(`${key} ${v}`);
for (let i = 0; i < runs; i++) {
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH,
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const result = await lighthouse(`${base}/`, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance'],
      extraHeaders: { Cookie: cookie },
    });
    const lhr = result.lhr;
    if (reportDir) fs.writeFileSync(path.join(reportDir, `lighthouse-${i + 1}.json`), result.report);
    if (lhr.runtimeError) throw new Error(`${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
    const a = (id) => lhr.audits[id]?.numericValue;
    print('run.score', Math.round(lhr.categories.performance.score * 100));
    print('run.lcp_ms', a('largest-contentful-paint').toFixed(0));
    print('run.tbt_ms', a('total-blocking-time').toFixed(0));
    print('run.cls', a('cumulative-layout-shift').toFixed(3));
    print('run.fcp_ms', a('first-contentful-paint').toFixed(0));
    print('run.bytes', a('total-byte-weight').toFixed(0));
    const lcp = lhr.audits['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node;
    print('run.lcp_element', (lcp?.selector ?? '?').replace(/\s+/g, ' '));
    print('run.end', i + 1);
  } finally {
    await chrome.kill();
  }
}
