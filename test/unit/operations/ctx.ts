/** Test helpers: a ModuleContext on a LocalConnection, temp directories, running an Action. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Action, Connection, Facts, ModuleContext, ModuleResult } from '../../../src/api/types.js';
import { LocalConnection } from '../../../src/connectors/local.js';

export const FACTS: Facts = {
  hostname: 'test', fqdn: 'test', os_id: 'debian', os_version: '12', os_codename: 'bookworm', os_pretty: 'Debian GNU/Linux 12 (bookworm)',
  kernel: '6.1.0', arch: 'x86_64', cpu_count: 2, mem_mb: 2048, swap_mb: 0, disks: [], systemd: true, virtualization: '',
  pg_versions: [], user: 'root', uid: 0, default_ipv4: '10.0.0.1', ipv4_addresses: ['10.0.0.1'],
};

export interface TestCtx extends ModuleContext {
  logs: string[];
}

export function makeCtx(opts: { check?: boolean; diff?: boolean; conn?: Connection; becomeUser?: string } = {}): TestCtx {
  const logs: string[] = [];
  return {
    conn: opts.conn ?? new LocalConnection(),
    check: opts.check ?? false,
    diff: opts.diff ?? false,
    becomeUser: opts.becomeUser,
    facts: FACTS,
    logs,
    log: (m) => logs.push(m),
  };
}

/** Runs an action; returns its result and the round trips it cost. */
export async function apply(action: Action, ctx: ModuleContext = makeCtx()): Promise<ModuleResult & { trips: number }> {
  const before = ctx.conn.roundTrips;
  const r = await action.module.run(action.args, ctx);
  return { ...r, trips: ctx.conn.roundTrips - before };
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-test-'));
}

export const isRoot = process.getuid?.() === 0;
