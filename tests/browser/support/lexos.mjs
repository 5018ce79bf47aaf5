// Test harness: a real lexosd from the build directory on a free 127.0.0.1 port, with a temp
// state directory and SQLite (or a throwaway PostgreSQL cluster), plus lexosctl to create
// firms and users, and a tiny API client (cookie + X-CSRF-Token) for seeding data.
//
// Environment: LEXOS_BUILD_DIR (default ../../build from tests/browser) holds bin/lexosd,
// bin/lexosctl and plugins/; the web root is <repo>/web; the config file <repo>/etc/lexos.ini
// with LEXOS_* overrides.

import { spawn, execFile } from 'node:child_process';
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
export const BROWSER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = resolve(BROWSER_DIR, '../..');
export const BUILD_DIR = resolve(process.env.LEXOS_BUILD_DIR || join(BROWSER_DIR, '../../build'));
export const CONFIG = join(REPO_DIR, 'etc/lexos.ini');

/** A free TCP port on 127.0.0.1 (the kernel's choice; released before lexosd binds it). */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** Starts a throwaway PostgreSQL cluster; resolves { url, ownerUrl, stop() }. */
export async function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'lexos-browser-pg-'));
  rmSync(dir, { recursive: true, force: true }); // pg-cluster.sh creates it itself
  const script = join(REPO_DIR, 'tests/support/pg-cluster.sh');
  const { stdout } = await execFileP('bash', [script, 'start', dir], { timeout: 120_000 });
  const vars = Object.fromEntries(stdout.trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));
  if (!vars.LEXOS_TEST_PG_URL) throw new Error(`pg-cluster.sh printed no URL: ${stdout}`);
  return {
    url: vars.LEXOS_TEST_PG_URL,
    ownerUrl: vars.LEXOS_TEST_PG_OWNER_URL,
    stop: () => execFileP('bash', [script, 'stop', dir], { timeout: 60_000 }).catch(() => {}),
  };
}

/**
 * A plugins folder holding the bundled plugins of the build and the test plugins `ids` (from
 * build/test-plugins, e.g. the probe, which has screens), with their web folders: what an
 * install with a third-party plugin looks like. Resolves { dir, webDir } inside `into`.
 */
function pluginsWithTestPlugins(into, ids) {
  const dir = join(into, 'plugins');
  const webDir = join(dir, 'web');
  mkdirSync(webDir, { recursive: true, mode: 0o755 });
  const bundled = join(BUILD_DIR, 'plugins');
  const tests = join(BUILD_DIR, 'test-plugins');
  for (const f of readdirSync(bundled).filter((n) => n.endsWith('.so'))) copyFileSync(join(bundled, f), join(dir, f));
  for (const id of readdirSync(join(bundled, 'web'))) symlinkSync(join(bundled, 'web', id), join(webDir, id));
  for (const id of ids) {
    const so = join(tests, `${id}.so`);
    if (!existsSync(so)) throw new Error(`${so} is missing: build the test plugins first (cmake --build, target lexos_test_plugins)`);
    copyFileSync(so, join(dir, `${id}.so`));
    if (existsSync(join(tests, 'web', id))) symlinkSync(join(tests, 'web', id), join(webDir, id));
  }
  return { dir, webDir };
}

/**
 * Starts lexosd. opts: plugins ('clients'), database ({url, ownerUrl} for PostgreSQL),
 * pluginConfig ({documents: {clamd_socket: PATH}}: keys of [plugin.ID] sections, written into
 * a copy of etc/lexos.ini in the state directory; the environment overrides only plugin keys
 * the file already has),
 * testPlugins (ids of test plugins to install beside the bundled ones, e.g. ['probe']; each
 * must also be in `plugins` to load), installed ({dir, webDir}: an installed plugin folder and
 * its web/plugins folder, e.g. of a `cmake --install` prefix, instead of the build's).
 * Resolves { baseUrl, port, env, log(), setupUrl(), lexosctl(args, stdin), createFirmWithOwner(),
 * stop() }. baseUrl uses "localhost", which Chromium treats as a secure context, so the
 * Secure __Host- session cookie works over plain http.
 */
export async function startLexos({ plugins = 'clients', database = null, testPlugins = [], installed: given = null, pluginConfig = {} } = {}) {
  const lexosd = join(BUILD_DIR, 'bin/lexosd');
  const lexosctlBin = join(BUILD_DIR, 'bin/lexosctl');
  for (const f of [lexosd, lexosctlBin]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: build first (cmake --build), or set LEXOS_BUILD_DIR`);
  }
  for (const id of given ? [] : plugins.split(',').filter((p) => p && !testPlugins.includes(p))) {
    if (!existsSync(join(BUILD_DIR, 'plugins', `${id}.so`))) {
      throw new Error(`${join(BUILD_DIR, 'plugins', `${id}.so`)} is missing: build the ${id} plugin first`);
    }
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'lexos-browser-'));
  const config = Object.keys(pluginConfig).length ? configWith(stateDir, pluginConfig) : CONFIG;
  const installed = given || testPlugins.length ? given || pluginsWithTestPlugins(stateDir, testPlugins)
    : { dir: join(BUILD_DIR, 'plugins'), webDir: join(BUILD_DIR, 'plugins', 'web') };
  let lastError;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const env = {
      ...process.env,
      LEXOS_SERVER_LISTEN: `127.0.0.1:${port}`,
      LEXOS_SERVER_PUBLIC_URL: `http://localhost:${port}`,
      LEXOS_STATE_DIR: stateDir,
      LEXOS_PLUGINS_DIR: installed.dir,
      LEXOS_PLUGINS_ENABLED: plugins,
      LEXOS_WEB_DIR: join(REPO_DIR, 'web'),
      LEXOS_WEB_PLUGINS_DIR: installed.webDir,
      LEXOS_MAIL_TRANSPORT: 'outbox',
      LEXOS_SERVER_THREADS: '32',
    };
    if (database) {
      env.LEXOS_DATABASE_URL = database.url;
      env.LEXOS_DATABASE_MIGRATION_URL = database.ownerUrl;
    }
    let output = '';
    const child = spawn(lexosd, ['--config', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
    // A lexosd left running (a hook that threw before stop()) must not keep node alive and the
    // test run waiting forever: it is unreferenced, and killed when node exits.
    child.unref();
    child.stdout.unref();
    child.stderr.unref();
    process.once('exit', () => child.kill('SIGKILL'));
    const baseUrl = `http://localhost:${port}`;
    const ready = await waitReady(`http://127.0.0.1:${port}/readyz`, exited, 30_000);
    if (!ready.ok) {
      child.kill('SIGKILL');
      lastError = new Error(`lexosd did not start (${ready.why}):\n${output}`);
      if (/in use|Address already/i.test(output)) continue;
      break;
    }
    const server = {
      baseUrl, port, env, stateDir,
      log: () => output,
      /** The first-start link lexosd printed ("…/app/#/setup/<token>"), or ''. */
      setupUrl: () => (output.match(/https?:\/\/\S+\/app\/#\/setup\/[A-Za-z0-9_-]+/) || [''])[0],
      lexosctl: (args, input) => lexosctl(lexosctlBin, config, args, env, input),
      async createFirmWithOwner({ slug, name, email, password, displayName }) {
        await server.lexosctl(['firm', 'create', '--slug', slug, '--name', name]);
        const args = ['user', 'create', '--firm', slug, '--email', email, '--role', 'owner', '--password-stdin'];
        if (displayName) args.push('--name', displayName);
        await server.lexosctl(args, `${password}\n`);
      },
      async stop() {
        if (process.env.LEXOS_TEST_LOG_TO) writeFileSync(process.env.LEXOS_TEST_LOG_TO, output, { flag: 'a' });
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(t);
        }
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
    return server;
  }
  rmSync(stateDir, { recursive: true, force: true });
  throw lastError;
}

async function waitReady(url, exited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let done = null;
  exited.then((r) => { done = r; });
  while (Date.now() < deadline) {
    if (done) return { ok: false, why: `exited with ${done.code ?? done.signal}` };
    try {
      const res = await fetch(url);
      if (res.ok) return { ok: true };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ok: false, why: `no answer from ${url} in ${timeoutMs} ms` };
}

/**
 * A copy of etc/lexos.ini in `dir` with the keys of `sections` ({id: {key: value}}) in their
 * [plugin.ID] sections. Its relative paths would point elsewhere: startLexos overrides every one
 * of them (state, plugins, web) through the environment.
 */
function configWith(dir, sections) {
  let text = readFileSync(CONFIG, 'utf8');
  for (const [id, keys] of Object.entries(sections)) {
    const lines = Object.entries(keys).map(([k, v]) => `${k} = ${v}`).join('\n');
    const head = `[plugin.${id}]`;
    if (text.includes(`\n${head}\n`)) {
      // The file's own lines for these keys go (the last one of a key would win otherwise).
      const start = text.indexOf(`\n${head}\n`) + head.length + 2;
      const next = text.indexOf('\n[', start);
      const end = next < 0 ? text.length : next + 1;
      const body = text.slice(start, end).split('\n')
        .filter((l) => !Object.keys(keys).some((k) => new RegExp(`^\\s*${k}\\s*=`).test(l))).join('\n');
      text = `${text.slice(0, start)}${lines}\n${body}${text.slice(end)}`;
    } else {
      text = `${text}\n${head}\n${lines}\n`;
    }
  }
  const file = join(dir, 'lexos.ini');
  writeFileSync(file, text);
  return file;
}

function lexosctl(bin, config, args, env, input) {
  return new Promise((res, rej) => {
    const child = spawn(bin, ['--config', config, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', rej);
    child.on('exit', (code) => (code === 0 ? res(out) : rej(new Error(`lexosctl ${args.join(' ')} failed (${code}): ${out}`))));
    child.stdin.end(input || '');
  });
}

/** A signed-in API session for seeding: login, then json(method, path, body). */
export async function apiSession(pageUrl, { firm, email, password }) {
  // Node resolves "localhost" in the order /etc/hosts gives: ::1 first on a stock Debian 12,
  // where lexosd (listening on 127.0.0.1) refuses it. Chromium falls back to 127.0.0.1 by
  // itself; Node's fetch does not, so it is pointed at the address lexosd listens on.
  const baseUrl = pageUrl.replace('//localhost:', '//127.0.0.1:');
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ firm, email, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const { csrf_token: csrf } = await res.json();
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  return {
    cookie,
    csrf,
    /** Any request: resolves { status, headers, data } whatever the status. */
    async request(method, path, { body, headers = {} } = {}) {
      const r = await fetch(`${baseUrl}/api/v1/${path}`, {
        method,
        headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      let data = null;
      try { data = text ? JSON.parse(text) : null; } catch { data = text; }
      return { status: r.status, headers: r.headers, data };
    },
    async json(method, path, body) {
      const r = await fetch(`${baseUrl}/api/v1/${path}`, {
        method,
        headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      const data = text ? JSON.parse(text) : null;
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
      return data;
    },
  };
}
