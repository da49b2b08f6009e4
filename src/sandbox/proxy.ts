/**
 * apt-cacher-ng on the bridge address: the hosts' only way out (for apt), and a cache that makes later
 * runs fast. The sandbox runs its own instance (as root, own config and log dir, recorded pid) on 10.10.10.1 only;
 * the cache is the package's default directory and survives `down` (not `down --purge`).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { NETWORK, SHARED_PATHS as PATHS, PROXY_PORT, PROXY_URL } from './config.js';
import { SandboxError } from './errors.js';
import { sleep } from './exec.js';
import { isAlive, readJson, recordOf, removeFile, signal, waitGone, writeJson, type ProcRecord } from './state.js';

const BIN = '/usr/sbin/apt-cacher-ng';
const LOG = join(PATHS.sharedLogs, 'apt-cacher-ng.log');

function acngConf(): string {
  // No Remap-* lines: a plain caching proxy for whatever Debian URLs the hosts' sources name
  // (the same ones as this machine's own apt sources).
  return [
    '# written by pgplay sandbox (src/sandbox/proxy.ts)',
    `CacheDir: ${PATHS.proxyCache}`,
    `LogDir: ${PATHS.proxyLogDir}`,
    'SupportDir: /usr/lib/apt-cacher-ng',
    `Port: ${PROXY_PORT}`,
    `BindAddress: ${NETWORK.controllerIp}`,
    `SocketPath: ${join(PATHS.run, 'apt-cacher-ng.socket')}`,
    'ReportPage: acng-report.html',
    'ExThreshold: 4',
    'FollowIndexFileRemoval: 1',
    'ForeGround: 1',
    '',
  ].join('\n');
}

/** Does apt-cacher-ng answer on the bridge address? */
export function proxyAnswers(timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${PROXY_URL}/acng-report.html`, { method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

export function proxyRecord(): ProcRecord | undefined {
  return readJson<ProcRecord>(PATHS.proxyPid);
}

export async function ensureProxy(): Promise<void> {
  const rec = proxyRecord();
  if (isAlive(rec) && (await proxyAnswers())) return;
  if (rec) await stopProxy();
  if (await proxyAnswers()) return; // someone else's apt-cacher-ng already serves the bridge address
  mkdirSync(PATHS.proxyConf, { recursive: true });
  mkdirSync(PATHS.sharedLogs, { recursive: true });
  mkdirSync(PATHS.run, { recursive: true });
  writeFileSync(join(PATHS.proxyConf, 'acng.conf'), acngConf());
  for (const d of [PATHS.proxyCache, PATHS.proxyLogDir]) mkdirSync(d, { recursive: true });
  const out = openSync(LOG, 'a');
  const child = spawn(BIN, ['-c', PATHS.proxyConf], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const pid = child.pid;
  child.unref();
  if (!pid) throw new SandboxError(`could not start ${BIN}; see ${LOG}.`);
  const started = recordOf(pid);
  if (started) writeJson(PATHS.proxyPid, started);
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    if (await proxyAnswers(500)) return;
    if (!isAlive(started)) break;
    await sleep(100);
  }
  await stopProxy(); // started but not serving: do not leave it behind
  const tail = (() => {
    try {
      return readFileSync(LOG, 'utf8').trim().split('\n').slice(-5).join('\n');
    } catch {
      return '';
    }
  })();
  throw new SandboxError(
    `apt-cacher-ng did not start on ${NETWORK.controllerIp}:${PROXY_PORT} (is the port taken by another program?). Its log is ${LOG}${tail ? `:\n${tail}` : '.'}`,
  );
}

export async function stopProxy(): Promise<void> {
  const rec = proxyRecord();
  if (signal(rec, 'SIGTERM') && !(await waitGone(rec, 5000))) {
    signal(rec, 'SIGKILL');
    await waitGone(rec, 2000);
  }
  removeFile(PATHS.proxyPid);
  removeFile(join(PATHS.run, 'apt-cacher-ng.socket'));
}

/** `down --purge`: empties the apt cache (the directory itself belongs to the apt-cacher-ng package). */
export function purgeProxyCache(): void {
  try {
    for (const e of readdirSync(PATHS.proxyCache)) rmSync(join(PATHS.proxyCache, e), { recursive: true, force: true });
  } catch {
    /* no cache */
  }
  rmSync(PATHS.proxyConf, { recursive: true, force: true });
}
