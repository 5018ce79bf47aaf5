// Entry point for ctest (and `npm test`): runs the browser tests with node's test runner, one
// file at a time (two Chromiums on a 2-core CI machine only slow each other down). Exits 77,
// which ctest reports as skipped, only when playwright-core or Chromium is not installed;
// scripts/test.sh installs both (scripts/deps.sh --browser), so in CI the tests run.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const chromium = process.env.LEXOS_CHROMIUM || '/usr/bin/chromium';
const missing = [];
if (!existsSync(join(here, 'node_modules/playwright-core/package.json'))) {
  missing.push(`${join(here, 'node_modules/playwright-core')} (run: scripts/deps.sh --browser, or npm ci in tests/browser)`);
}
if (!existsSync(chromium)) missing.push(`${chromium} (run: scripts/deps.sh --browser, which installs Debian's chromium)`);
if (missing.length) {
  console.log(`SKIP browser tests: missing ${missing.join(' and ')}`);
  process.exit(77);
}

const files = process.argv.slice(2).length ? process.argv.slice(2)
  : readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(here, f));
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files],
  { stdio: 'inherit', cwd: here });
process.exit(r.status ?? 1);
