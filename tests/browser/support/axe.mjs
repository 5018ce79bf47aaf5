// Accessibility as a test: axe-core (Deque's rules engine, npm `axe-core`) runs inside the page
// and any violation of the WCAG 2.x A/AA rules fails the test, naming the rule, its help text and
// the offending elements. axe-core is evaluated from node_modules through the DevTools protocol,
// which the page's Content-Security-Policy (script-src 'self') does not govern; a <script> tag
// would be refused by it.
//
// `@axe-core/playwright` would do the same, but its current releases require Node.js >= 22
// while Debian 12 ships Node.js 18; axe-core itself runs in the page and needs nothing of Node.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// The rule sets the project holds itself to: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Screens checked in this process (name → violations found), for the suite's summary. */
export const checked = new Map();

// axe-core sets inline styles on probe elements (its colour-contrast and scrolling checks), which
// the apps' Content-Security-Policy refuses with a console error. Those errors are axe's, not the
// app's: support/browser.mjs ignores CSP inline-style reports while axe runs on the page and for
// a moment after (the console event can arrive after the evaluation returns).
const running = new WeakMap(); // page → { depth, endedAt }

/** Whether a CSP inline-style console error on `page` now may come from axe-core. */
export function axeMayHaveStyled(page) {
  const r = running.get(page);
  return !!r && (r.depth > 0 || Date.now() - r.endedAt < 2000);
}

/**
 * Runs axe-core on the page as it is now and fails on any violation. `name` names the screen in
 * the failure message. Call it when the screen has finished drawing (after the awaited
 * locator of its content), not mid-transition.
 */
export async function expectAccessible(page, name) {
  const state = running.get(page) || { depth: 0, endedAt: 0 };
  running.set(page, state);
  state.depth++;
  try {
    await runAxe(page, name);
  } finally {
    state.depth--;
    state.endedAt = Date.now();
  }
}

async function runAxe(page, name) {
  const has = await page.evaluate(() => typeof window.axe !== 'undefined').catch(() => false);
  if (!has) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  }, TAGS);
  checked.set(name, result.length);
  const text = result
    .map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.map((n) => `      ${n}`).join('\n')}`)
    .join('\n');
  assert.equal(result.length, 0, `axe-core found ${result.length} accessibility violation(s) on "${name}" (${page.url()}):\n${text}`);
}
