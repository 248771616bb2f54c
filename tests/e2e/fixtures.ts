/**
 * The suite's `test`: Playwright's, plus an accessibility audit of every page state a test
 * reaches, in every browser context it opens (one per person). Specs import `test` and `expect`
 * from here instead of '@playwright/test'; nothing else is needed, so no test can forget it.
 *
 * How: every context (the `context` fixture's and each `browser.newContext()`) gets an init
 * script that tells the runner when the page has settled (no DOM change for a while) and what
 * state it is in (path, open dialog, alerts, the controls' labels without digits). Each state is
 * checked once per run: axe-core (WCAG 2.1 A/AA and best practices) and the touch-target rule
 * (every visible control at least 44×44 CSS px). Serious and critical axe findings and small
 * targets fail the test at its end, with the rule, the node and the page's URL.
 * Every check is also written to test-results/artifacts/a11y/<pid>.jsonl for the figures.
 */
import { test as base, expect, Browser, BrowserContext, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import path from 'node:path';

export * from '@playwright/test';
export { expect };

/** The smallest target side, in CSS pixels (WCAG 2.5.5's 44×44). */
export const MIN_TARGET = 44;
const FAILING_IMPACTS = new Set(['serious', 'critical']);
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/** States already checked in this worker: the same page state is not audited twice. */
const checked = new Set<string>();
const LOG = path.join('test-results', 'artifacts', 'a11y', `${process.pid}.jsonl`);

/**
 * The product's servers. The contract fakes' pages (the fake WeCom's OAuth page) stand in for
 * other companies' pages and are not audited.
 */
const AUDITED_ORIGINS = new Set(
  [process.env.E2E_BASE_URL ?? 'http://127.0.0.1:18080', process.env.E2E_REAL_BASE, process.env.E2E_INSTANCE_A, process.env.E2E_INSTANCE_B]
    .filter((u): u is string => !!u)
    .map((u) => new URL(u).origin),
);

type SmallTarget = { selector: string; text: string; width: number; height: number };

/**
 * Runs in every document of an audited context. Reports, through the `__a11ySettled` binding,
 * each new state once the DOM has been quiet for QUIET ms.
 */
function settleWatcher(quietMs: number) {
  if (window.top !== window || !/^https?:$/.test(location.protocol)) return;
  let last = performance.now();
  let sent = '';
  const strip = (s: string) => s.replace(/\d+/g, '#').replace(/\s+/g, ' ').trim().slice(0, 24);
  const visible = (el: Element) => (el as HTMLElement).offsetParent !== null || getComputedStyle(el).position === 'fixed';
  // Ids and tokens in paths (/activate/<token>, /dev/face/<id>) name the same page.
  const route = () =>
    location.pathname
      .split('/')
      .map((seg) => ((/\d/.test(seg) && seg.length > 3) || (/^[\w-]{10,}$/.test(seg) && /[A-Z0-9]/.test(seg)) ? ':id' : seg))
      .join('/');
  const stateKey = () => {
    const dialogs = Array.from(document.querySelectorAll('[role=dialog],[role=alertdialog],dialog[open]'))
      .filter(visible)
      .map((d) => strip(d.getAttribute('aria-label') ?? d.textContent ?? ''));
    const alerts = Array.from(document.querySelectorAll('[role=alert],[aria-invalid=true]')).filter(visible).length > 0;
    const controls = Array.from(document.querySelectorAll('button,a[href],input,[role=button]'))
      .filter(visible)
      .map((c) => strip((c as HTMLElement).innerText || c.getAttribute('aria-label') || c.getAttribute('type') || c.tagName));
    return `${route()}|${dialogs.join(',')}|${alerts ? 'alert' : ''}|${Array.from(new Set(controls)).sort().join(',')}`;
  };
  (window as unknown as { __a11yKey: () => string }).__a11yKey = stateKey;
  (window as unknown as { __a11yResend: () => void }).__a11yResend = () => (sent = '');
  new MutationObserver(() => (last = performance.now())).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    characterData: true,
  });
  // Fades and slides (dialogs, toasts, masks) must end first: mid-fade colours are not the page's.
  const animating = () =>
    document.getAnimations().some((a) => a.playState === 'running' && a.effect?.getTiming().iterations !== Infinity);
  (window as unknown as { __a11yAnimating: () => boolean }).__a11yAnimating = animating;
  setInterval(() => {
    if (document.readyState !== 'complete' || !document.contentType.startsWith('text/html')) return;
    if (performance.now() - last < quietMs || animating()) return;
    const key = stateKey();
    if (key === sent) return;
    sent = key;
    (window as unknown as { __a11ySettled: (k: string) => Promise<void> }).__a11ySettled(key).catch(() => {});
  }, 100);
}

/** Visible controls whose target (the control, or the label that activates it) is under 44×44. */
function smallTargets(min: number): SmallTarget[] {
  const controls = document.querySelectorAll<HTMLElement>(
    'a[href],button,input:not([type=hidden]),select,textarea,summary,[role=button],[role=link],[role=radio],' +
      '[role=checkbox],[role=tab],[role=switch],[role=menuitem],[tabindex]:not([tabindex="-1"])',
  );
  const describe = (el: Element) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += `#${el.id}`;
    for (const c of Array.from(el.classList).slice(0, 3)) s += `.${c}`;
    const parent = el.parentElement;
    if (!el.id && parent && parent !== document.body) {
      s = `${parent.tagName.toLowerCase()}${parent.classList[0] ? `.${parent.classList[0]}` : ''} > ${s}`;
    }
    return s;
  };
  const out: SmallTarget[] = [];
  for (const el of Array.from(controls)) {
    if (el.closest('[inert],[aria-hidden=true]')) continue;
    const areas = [el as Element];
    const labels = (el as HTMLInputElement).labels;
    if (labels) areas.push(...Array.from(labels));
    const label = el.closest('label');
    if (label) areas.push(label);
    let width = 0;
    let height = 0;
    let shown = false;
    for (const a of areas) {
      const r = a.getBoundingClientRect();
      const cs = getComputedStyle(a);
      // A visually hidden control (1px, clipped) is no target itself; its label may be.
      const hidden =
        r.width <= 1 || r.height <= 1 || cs.visibility === 'hidden' || cs.display === 'none' || (a.checkVisibility && !a.checkVisibility());
      if (hidden) continue;
      shown = true;
      width = Math.max(width, r.width);
      height = Math.max(height, r.height);
    }
    if (!shown) continue;
    if (width + 0.5 < min || height + 0.5 < min) {
      const text = (el.innerText || el.getAttribute('aria-label') || (el as HTMLInputElement).placeholder || '').trim().slice(0, 30);
      out.push({ selector: describe(el), text, width: Math.round(width), height: Math.round(height) });
    }
  }
  return out;
}

export class Audit {
  findings: string[] = [];
  private watched = new WeakSet<BrowserContext>();
  private contexts = new Set<BrowserContext>();
  private queue = new Map<Page, Promise<void>>();

  constructor(private title: string) {}

  async watch(context: BrowserContext) {
    if (this.watched.has(context)) return;
    this.watched.add(context);
    this.contexts.add(context);
    await context.exposeBinding('__a11ySettled', ({ page }, key: string) => {
      if (page) this.enqueue(page, key);
    });
    await context.addInitScript(settleWatcher, 350);
    const close = context.close.bind(context);
    context.close = async (options?: Parameters<BrowserContext['close']>[0]) => {
      await this.flushContext(context);
      this.contexts.delete(context);
      return close(options);
    };
  }

  private enqueue(page: Page, key: string) {
    if (checked.has(key)) return;
    checked.add(key);
    const prev = this.queue.get(page) ?? Promise.resolve();
    const next = prev
      .then(() => this.check(page, key))
      .catch((e) => void this.findings.push(`the accessibility check of ${page.url()} failed: ${e}`));
    this.queue.set(page, next);
  }

  /** The last state of each page of `context`, then waits for the checks under way. */
  private async flushContext(context: BrowserContext) {
    for (const page of context.pages()) {
      const key = await page.evaluate(() => (window as unknown as { __a11yKey?: () => string }).__a11yKey?.()).catch(() => undefined);
      if (key) this.enqueue(page, key);
      await this.queue.get(page);
    }
  }

  /** The findings so far, cleared: for the audit's own test, which expects some. */
  async takeFindings(): Promise<string[]> {
    await this.flush();
    return this.findings.splice(0);
  }

  async flush() {
    for (const context of Array.from(this.contexts)) await this.flushContext(context);
  }

  private async check(page: Page, key: string) {
    if (page.isClosed()) return;
    const url = page.url();
    if (!AUDITED_ORIGINS.has(new URL(url).origin)) return;
    // A reload or navigation mid-check leaves axe's results (or axe itself) in the old document.
    let moved = false;
    const onNavigated = (frame: ReturnType<Page['mainFrame']>) => {
      if (frame === page.mainFrame()) moved = true;
    };
    page.on('framenavigated', onNavigated);
    const current = () => page.evaluate(() => (window as unknown as { __a11yKey?: () => string }).__a11yKey?.());
    const animatingNow = () => page.evaluate(() => (window as unknown as { __a11yAnimating?: () => boolean }).__a11yAnimating?.() ?? false);
    try {
      // Queued behind another check, the page may have moved on: that state is gone.
      if ((await current()) !== key) throw new Error('navigated: the state changed before its check');
      // Legacy mode runs axe in the page itself: the default opens a blank page in the context
      // to merge frame results, which puts the test's page in the background (no animation
      // frames: its next action waits forever) and is itself audited.
      const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).setLegacyMode(true).analyze();
      const small = await page.evaluate(smallTargets, MIN_TARGET);
      // A dialog opened or the page moved on while axe ran: these results mix two states.
      if (moved || page.url() !== url || (await current()) !== key || (await animatingNow())) {
        throw new Error('navigated: the state changed during its check');
      }
      const counts: Record<string, number> = { critical: 0, serious: 0, moderate: 0, minor: 0 };
      for (const v of result.violations) {
        counts[v.impact ?? 'minor'] += v.nodes.length;
        if (!FAILING_IMPACTS.has(v.impact ?? '')) continue;
        const nodes = v.nodes
          .slice(0, 5)
          .map((n) => `      ${n.target.join(' ')}${n.failureSummary ? `: ${n.failureSummary.split('\n').slice(1).join(' ').trim()}` : ''}`)
          .join('\n');
        this.findings.push(`axe ${v.impact} ${v.id} (${v.help}) on ${url}, ${v.nodes.length} node(s):\n${nodes}`);
      }
      if (small.length) {
        const list = small.map((t) => `      ${t.selector} "${t.text}" ${t.width}×${t.height}`).join('\n');
        this.findings.push(`${small.length} touch target(s) under ${MIN_TARGET}×${MIN_TARGET} px on ${url}:\n${list}`);
      }
      const moderate = result.violations.filter((v) => !FAILING_IMPACTS.has(v.impact ?? '')).map((v) => `${v.impact}:${v.id}`);
      fs.mkdirSync(path.dirname(LOG), { recursive: true });
      fs.appendFileSync(
        LOG,
        JSON.stringify({ test: this.title, url, key, counts, rules: result.violations.map((v) => v.id), moderate, small }) + '\n',
      );
    } catch (e) {
      // The page went away or changed mid-check (axe injected, then the page navigated): the
      // state is checked the next time it settles. Any other failure is the audit's own.
      checked.delete(key);
      await page.evaluate(() => (window as unknown as { __a11yResend?: () => void }).__a11yResend?.()).catch(() => {});
      if (moved || page.isClosed() || /navigat|destroyed|closed|Target/i.test(String(e))) return;
      if (page.url() !== url || (await current().catch(() => undefined)) !== key) return;
      throw e;
    } finally {
      page.off('framenavigated', onNavigated);
    }
  }
}

export const test = base.extend<{ a11y: Audit }>({
  a11y: [
    async ({ browser }, use, testInfo) => {
      const audit = new Audit(testInfo.title);
      const b = browser as Browser & { newContext: Browser['newContext'] };
      const newContext = b.newContext;
      b.newContext = async (...args: Parameters<Browser['newContext']>) => {
        const context = await newContext.apply(b, args);
        await audit.watch(context);
        return context;
      };
      try {
        await use(audit);
      } finally {
        b.newContext = newContext;
      }
      await audit.flush();
      if (audit.findings.length) {
        throw new Error(`Accessibility (WCAG 2.1 AA, touch targets ≥ ${MIN_TARGET}px):\n${audit.findings.join('\n')}`);
      }
    },
    { auto: true },
  ],
  context: async ({ context, a11y }, use) => {
    await a11y.watch(context);
    await use(context);
  },
});
