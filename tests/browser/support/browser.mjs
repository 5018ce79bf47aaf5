// Chromium for the tests: Debian's /usr/bin/chromium driven by playwright-core (which never
// downloads a browser of its own). Every page records console errors, uncaught exceptions and
// failed requests; a test fails on any it did not expect.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BROWSER_DIR } from './lexos.mjs';
import { axeMayHaveStyled, expectAccessible } from './axe.mjs';

export const CHROMIUM = process.env.LEXOS_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = join(BROWSER_DIR, 'artifacts');

// Flags for a closed network: no background connections, no sandbox (tests run as root in CI).
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-features=Translate,MediaRouter'];

/** Launches headless Chromium (playwright gives it a fresh, empty user data dir). */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 });
}

/**
 * A new context + page at `width` px with problem tracking. `page.problems` lists
 * console errors, page errors and failed requests; `expectProblem(re)` allows matching ones
 * (for example the 401 a wrong password answers, which Chromium logs as a console error).
 */
export async function openPage(browser, { width = 1280, height = 860 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'en-GB', timezoneId: 'UTC' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = [];
  const allowed = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    if (/Applying inline style violates the following Content Security Policy/.test(msg.text()) && axeMayHaveStyled(page)) return;
    problems.push(`console error: ${msg.text()} (${msg.location().url || 'no url'})`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  // Requests sent and not yet answered: a test that times out says which (inFlight()).
  const pending = new Map();
  page.on('request', (req) => pending.set(req, Date.now()));
  page.on('requestfinished', (req) => pending.delete(req));
  page.on('requestfailed', (req) => {
    pending.delete(req);
    const why = req.failure()?.errorText || '';
    if (why.includes('ERR_ABORTED')) return; // a superseded search, navigation away
    problems.push(`request failed: ${req.method()} ${req.url()} ${why}`);
  });
  return {
    page,
    context,
    /** Allows problems matching `re` (each allowance may match any number of messages). */
    expectProblem(re) {
      allowed.push(re);
    },
    /** The requests still unanswered, each as "METHOD url (for N ms)". */
    inFlight() {
      const now = Date.now();
      return [...pending].map(([req, t]) => `${req.method()} ${req.url()} (for ${now - t} ms)`);
    },
    /** The problems not allowed. */
    unexpected() {
      return problems.filter((p) => !allowed.some((re) => re.test(p)));
    },
    close: () => context.close(),
  };
}

/**
 * Saves a full-page screenshot to artifacts/<name>.png; returns its path. Every screen a test
 * photographs is also checked by axe-core first (support/axe.mjs): a violation fails the test.
 */
export async function screenshot(page, name) {
  await expectAccessible(page, name);
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  // From the top, so the sticky sidebar is drawn where a person first sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'initial' });
  return path;
}

/**
 * A suite's pages: open(opts) opens one in the suite's browser (`getBrowser()`, known only
 * after before() ran) and keeps it; closeAll() closes them all, in after().
 */
export function trackedPages(getBrowser) {
  const open = [];
  return {
    async open(opts) {
      const p = await openPage(getBrowser(), opts);
      open.push(p);
      return p;
    },
    async closeAll() {
      for (const p of open.splice(0)) await p.close().catch(() => {});
    },
  };
}

/** Fails when the page logged errors the test did not allow. */
export function assertClean(p) {
  assert.deepEqual(p.unexpected(), [], 'the page logged errors');
}

/** Signs in to the staff app at `baseUrl` as `who` ({firm, email, password}); waits for Clients. */
export async function signInStaff(page, baseUrl, who) {
  await page.goto(`${baseUrl}/app/`);
  await page.getByLabel('Firm').fill(who.firm);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
}
