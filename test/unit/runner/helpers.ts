/** Test helpers: a recording module, a local-connection inventory, an in-memory reporter. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Action, Module, ModuleContext, ModuleResult, Playbook } from '../../../src/api/types.js';
import type { EngineEvent, Reporter } from '../../../src/output/events.js';
import { runPlaybook } from '../../../src/runner/run.js';
import type { RunOptions } from '../../../src/runner/options.js';

export interface Call {
  host: string;
  args: RecArgs;
  check: boolean;
  becomeUser?: string;
}

export interface RecArgs {
  id: string;
  status?: ModuleResult['status'];
  /** fail the first N calls with this id on this host, then succeed */
  failTimes?: number;
  rc?: number;
  stdout?: string;
}

export function recorder() {
  const calls: Call[] = [];
  const attempts = new Map<string, number>();
  const mod: Module<RecArgs> = {
    name: 'rec',
    async run(args: RecArgs, ctx: ModuleContext): Promise<ModuleResult> {
      calls.push({ host: ctx.conn.host, args, check: ctx.check, becomeUser: ctx.becomeUser });
      const key = `${ctx.conn.host}/${args.id}`;
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      if (args.failTimes && n <= args.failTimes) return { status: 'failed', msg: `attempt ${n} failed`, rc: 1 };
      return { status: args.status ?? 'ok', rc: args.rc ?? 0, stdout: args.stdout ?? '' };
    },
  };
  const rec = (args: RecArgs): Action<RecArgs> => ({ module: mod, args });
  return { calls, rec, ids: (host?: string) => calls.filter((c) => !host || c.host === host).map((c) => c.args.id) };
}

export class MemoryReporter implements Reporter {
  readonly events: EngineEvent[] = [];
  emit(e: EngineEvent): void {
    this.events.push(JSON.parse(JSON.stringify(e)));
  }
  async close(): Promise<void> {}
  of<K extends EngineEvent['event']>(kind: K): Extract<EngineEvent, { event: K }>[] {
    return this.events.filter((e) => e.event === kind) as Extract<EngineEvent, { event: K }>[];
  }
}

/** An inventory of local-connection hosts: { group: [host, ...] } plus optional vars. */
export function localInventory(groups: Record<string, string[]>, allVars: Record<string, unknown> = {}, hostVars: Record<string, Record<string, unknown>> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-inv-'));
  const children: Record<string, unknown> = {};
  for (const [g, hosts] of Object.entries(groups)) {
    children[g] = { hosts: Object.fromEntries(hosts.map((h) => [h, hostVars[h] ?? null])) };
  }
  const doc = { all: { vars: { ansible_connection: 'local', ...allVars }, children } };
  const file = path.join(dir, 'inventory.yml');
  fs.writeFileSync(file, JSON.stringify(doc, null, 2)); // JSON is YAML
  return file;
}

export function options(inventoryFile: string, o: Partial<RunOptions> = {}): RunOptions {
  return {
    inventoryFile,
    tags: { only: ['all'], skip: [] },
    extraVars: {},
    extraSources: {},
    check: false,
    diff: false,
    forks: 10,
    verbosity: 0,
    ...o,
  };
}

export async function runPb(pb: Playbook, inventoryFile: string, o: Partial<RunOptions> = {}) {
  const reporter = new MemoryReporter();
  const summary = await runPlaybook(pb, options(inventoryFile, o), reporter);
  return { ...summary, reporter };
}
