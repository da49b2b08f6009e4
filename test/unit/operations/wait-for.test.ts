import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { wait_for, waitScript } from '../../../src/operations/wait-for.js';
import { apply, makeCtx, tempDir } from './ctx.js';

const servers: net.Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

function listen(port = 0, greeting?: string): Promise<number> {
  const s = net.createServer((c) => (greeting ? c.end(greeting) : c.end()));
  servers.push(s);
  return new Promise((resolve) => s.listen(port, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port)));
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('wait_for', () => {
  it('needs exactly one of port and path', () => {
    expect(() => waitScript({}, 1, 0)).toThrow(/exactly one/);
  });

  it('an open port is ok at once, in one round trip', async () => {
    const port = await listen();
    expect(await apply(wait_for({ port, timeout: 5 }))).toMatchObject({ status: 'ok', trips: 1 });
  });

  it('waits for a port that opens later', async () => {
    const port = await freePort();
    setTimeout(() => void listen(port), 1200);
    const r = await apply(wait_for({ port, host: '127.0.0.1', timeout: 10 }));
    expect(r.status).toBe('ok');
    expect(r.msg).toMatch(/ready after [1-9]\d*s/);
  });

  it('times out with a clear message', async () => {
    const port = await freePort();
    const r = await apply(wait_for({ port, timeout: 1 }));
    expect(r).toMatchObject({ status: 'failed', msg: `timed out after 1s waiting for port ${port} on 127.0.0.1` });
  });

  it('stopped, search_regex on a port', async () => {
    const port = await freePort();
    expect((await apply(wait_for({ port, state: 'stopped', timeout: 2 }))).status).toBe('ok');
    const p2 = await listen(0, 'SSH-2.0-test\r\n');
    expect((await apply(wait_for({ port: p2, search_regex: '^SSH-2', timeout: 3 }))).status).toBe('ok');
    expect((await apply(wait_for({ port: p2, search_regex: 'nomatch', timeout: 1 }))).status).toBe('failed');
  });

  it('paths: present, absent, search_regex', async () => {
    const dir = tempDir();
    const f = path.join(dir, 'postmaster.pid');
    setTimeout(() => fs.writeFileSync(f, '123\nready\n'), 500);
    expect((await apply(wait_for({ path: f, search_regex: 'ready', timeout: 5 }))).status).toBe('ok');
    expect((await apply(wait_for({ path: path.join(dir, 'nope'), state: 'absent', timeout: 2 }))).status).toBe('ok');
  });

  it('check mode tests once without waiting', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const r = await apply(wait_for({ port, timeout: 30 }), makeCtx({ check: true }));
    expect(r.status).toBe('skipped');
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
