// A real ClamAV clamd for the browser tests, as tests/support/clamd_daemon.cpp starts one for
// the C++ tests: a temp folder with a signature database generated here (an .ndb body signature
// for the EICAR test string; there is no internet for freshclam), a unix socket, in the
// foreground. Debian's clamav-daemon (scripts/deps.sh installs it).

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The EICAR anti-virus test file: harmless text every scanner treats as malware. */
export const EICAR = String.raw`X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`;
/** The name clamd gives the generated signature when it finds it (an unofficial database). */
export const SIGNATURE = 'Lexos.Test.EICAR.UNOFFICIAL';

/** True when clamd at `socket` answers zPING with PONG. */
function pings(socket) {
  return new Promise((res) => {
    const s = connect(socket);
    let answer = '';
    s.setTimeout(2000, () => { s.destroy(); res(false); });
    s.on('error', () => res(false));
    s.on('connect', () => s.write('zPING\0'));
    s.on('data', (d) => { answer += d; });
    s.on('close', () => res(answer.replace(/\0/g, '').trim() === 'PONG'));
  });
}

/** Starts clamd; resolves { socket, stop() }. Throws, with clamd's output, if it does not start in 60 s. */
export async function startClamd() {
  const clamd = ['/usr/sbin/clamd', '/usr/bin/clamd', '/usr/local/sbin/clamd'].find((p) => existsSync(p));
  if (!clamd) throw new Error('clamd is not installed (Debian: clamav-daemon; scripts/deps.sh installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'lexos-browser-clamd-'));
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'db', 'lexos-test.ndb'),
    `Lexos.Test.EICAR:0:*:${Buffer.from('EICAR-STANDARD-ANTIVIRUS-TEST-FILE').toString('hex')}\n`);
  const socket = join(dir, 'clamd.sock');
  const conf = join(dir, 'clamd.conf');
  writeFileSync(conf, [`LocalSocket ${socket}`, `DatabaseDirectory ${join(dir, 'db')}`, `TemporaryDirectory ${dir}`,
    `LogFile ${join(dir, 'clamd.log')}`, 'Foreground yes', ''].join('\n'));
  let output = '';
  const child = spawn(clamd, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  child.unref();
  child.stdout.unref();
  child.stderr.unref();
  process.once('exit', () => child.kill('SIGKILL'));
  const exited = new Promise((res) => child.once('exit', res));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.ref(); // unreferenced while it runs (a failed run must not wait for it); awaited here
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  while (!(await pings(socket))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = existsSync(join(dir, 'clamd.log')) ? readFileSync(join(dir, 'clamd.log'), 'utf8') : '';
      await stop();
      throw new Error(`clamd did not start: ${output}${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { socket, stop };
}
