/**
 * Runs plays in lockstep (Ansible's linear strategy): each task runs on all active hosts of the
 * batch, up to --forks at a time, before the next task starts. Blocks, rescue/always, handlers,
 * serial batches, run_once, any_errors_fatal, --start-at-task and interrupts live here.
 */
import pLimit from 'p-limit';
import { UnreachableError } from '../api/errors.js';
import type { Handler, HostCtx, InventoryView, Task, TaskNode } from '../api/types.js';
import type { Inventory } from '../inventory/types.js';
import { groupNames, hostVars, selectHosts } from '../inventory/index.js';
import { gatherFacts } from '../facts/host.js';
import type { HostStatus, Reporter } from '../output/events.js';
import { HostState, NO_FACTS } from './host-state.js';
import type { ConnectionPool } from './connection-pool.js';
import type { RunOptions } from './options.js';
import type { PlannedPlay } from './plan.js';
import { shouldRun } from './tags.js';
import { blockScope, playHandlers, playSections, taskTags, type Scope } from './walk.js';
import { executeTask, type Outcome, type TaskEnv } from './execute-task.js';
import { CUT, Interrupt } from './interrupt.js';

const WAIT_NOTICE_S = 3;

export class PlayExecutor {
  readonly states = new Map<string, HostState>();
  /** any_errors_fatal tripped: stop everything. */
  aborted = false;
  private startReached: boolean;
  private readonly limit: ReturnType<typeof pLimit>;
  private current?: PlannedPlay;
  /** What each host runs now: host → task name. */
  private readonly running = new Map<string, string>();

  constructor(
    private readonly inv: Inventory,
    private readonly opts: RunOptions,
    private readonly reporter: Reporter,
    private readonly conns: ConnectionPool,
    private readonly interrupt: Interrupt = new Interrupt(),
  ) {
    this.startReached = !opts.startAtTask;
    this.limit = pLimit(Math.max(1, opts.forks));
  }

  /** Nothing more starts: any_errors_fatal tripped, or the run was interrupted. */
  get halted(): boolean {
    return this.aborted || this.interrupt.stopped;
  }

  /** The host tasks running now (those an interrupt cuts off). */
  runningTasks(): { host: string; task: string }[] {
    return [...this.running].map(([host, task]) => ({ host, task }));
  }

  state(host: string): HostState {
    let s = this.states.get(host);
    if (!s) this.states.set(host, (s = new HostState(host, this.inv)));
    return s;
  }

  async runPlay(pp: PlannedPlay): Promise<void> {
    this.current = pp;
    const { play } = pp;
    this.reporter.emit({ event: 'play_start', play: play.name, hosts: pp.hosts });
    const states = pp.hosts.map((h) => this.state(h)).filter((s) => s.active);
    if (!states.length) {
      this.reporter.emit({ event: 'warning', msg: `play '${play.name}': no hosts matched, skipping` });
      return;
    }
    for (const s of states) {
      s.enterPlay({ defaults: pp.defaults, play: play.vars, derived: pp.derived[s.name], extra: this.opts.extraVars });
      if (!this.opts.extraVars.ansible_become && play.become) s.set({ ansible_become: true });
    }
    for (const batch of batches(states, play.serial)) {
      if (play.gather_facts !== false) await this.gather(batch);
      for (const sec of playSections(play)) {
        await this.runNodes(sec.nodes, sec.scope, batch);
        if (sec.section === 'pre_tasks' || sec.section === 'post_tasks') await this.flushHandlers(batch);
        if (this.halted) break;
      }
      await this.flushHandlers(batch);
      if (this.halted || batch.every((s) => !s.active)) break;
    }
    this.reporter.emit({ event: 'play_end', play: play.name });
  }

  private async gather(batch: HostState[]): Promise<void> {
    const need = batch.filter((s) => s.active && !s.facts);
    if (!need.length || this.halted) return;
    const factsTask: Task<any, any> = { kind: 'task', name: 'Gathering Facts', tags: ['always'], action: () => null };
    this.reporter.emit({ event: 'task_start', play: this.current!.play.name, task: factsTask.name, tags: ['always'], hosts: need.map((s) => s.name) });
    await Promise.all(
      need.map((s) =>
        this.limit(() =>
          this.onHost(s, factsTask, undefined, async (): Promise<Outcome> => {
            try {
              s.facts = await gatherFacts(await this.conns.get(s.name));
              return { status: 'ok', changed: false, failed: false, skipped: false };
            } catch (e) {
              const unreachable = e instanceof UnreachableError;
              return { status: 'failed', changed: false, failed: true, skipped: false, msg: (e as Error).message, unreachable };
            }
          }),
        ),
      ),
    );
    this.reporter.emit({ event: 'task_end', task: factsTask.name });
  }

  private async runNodes(nodes: TaskNode<any>[], scope: Scope, batch: HostState[], includeFailed = false): Promise<void> {
    for (const n of nodes) {
      if (this.halted) return;
      if (n.kind === 'task') await this.runTask(n, scope, batch, { includeFailed });
      else if (n.kind === 'flush_handlers') await this.flushHandlers(batch);
      else {
        const s = blockScope(scope, n);
        const entry = batch.filter((h) => !h.unreachable && (includeFailed || !h.failed));
        await this.runNodes(n.tasks, s, entry, includeFailed);
        if (this.interrupt.stopped) return; // no rescue (a task cut off is not rescued), no always
        if (n.rescue?.length) {
          const toRescue = entry.filter((h) => h.failed && !h.unreachable);
          for (const h of toRescue) {
            h.failed = false;
            h.stats.failed--;
            h.stats.rescued++;
          }
          if (toRescue.length) await this.runNodes(n.rescue, s, toRescue);
        }
        if (n.always?.length) await this.runNodes(n.always, s, entry, true);
      }
    }
  }

  private matchesStart(name: string): boolean {
    const want = this.opts.startAtTask!;
    if (name === want) return true;
    const re = new RegExp(`^${want.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    return re.test(name);
  }

  async runTask(task: Task<any, any>, scope: Scope, batch: HostState[], o: { includeFailed?: boolean; handler?: boolean } = {}): Promise<void> {
    const tags = taskTags(scope, task);
    if (!o.handler && !shouldRun(tags, this.opts.tags)) return;
    if (!o.handler && !this.startReached) {
      if (!this.matchesStart(task.name)) return;
      this.startReached = true;
    }
    const targets = batch.filter((h) => !h.unreachable && (o.includeFailed || !h.failed));
    if (!targets.length || this.interrupt.stopped) return;
    this.reporter.emit({ event: 'task_start', play: this.current!.play.name, task: task.name, role: scope.role, tags, handler: o.handler, hosts: targets.map((h) => h.name) });
    const env = this.env();
    const one = (hs: HostState) => this.onHost(hs, task, scope.role, () => executeTask(task, scope, hs, env));
    if (task.run_once) {
      const r = await one(targets[0]);
      if (r && !r.interrupted && task.register) for (const hs of targets.slice(1)) hs.reg[task.register] = r;
    } else {
      await Promise.all(targets.map((hs) => this.limit(() => one(hs))));
    }
    this.reporter.emit({ event: 'task_end', task: task.name });
    if (scope.anyErrorsFatal && targets.some((h) => h.failed && !task.ignore_errors)) this.aborted = true;
  }

  /**
   * Runs `work` on a host and books its outcome, unless the run is interrupted: then nothing
   * starts (undefined, nothing booked), and work already under way is booked at once as failed,
   * interrupted (closing the host's connection ends its command; its late result is dropped).
   */
  private async onHost(hs: HostState, task: Task<any, any>, role: string | undefined, work: () => Promise<Outcome>): Promise<Outcome | undefined> {
    if (this.interrupt.stopped) return undefined;
    const t0 = Date.now();
    const timer = this.waitNotices(task, hs.name, t0);
    this.running.set(hs.name, task.name);
    try {
      const r = await this.interrupt.cut(work());
      return this.record(hs, task, role, r === CUT ? this.cutOff() : r, t0);
    } finally {
      this.running.delete(hs.name);
      clearInterval(timer);
    }
  }

  private cutOff(): Outcome {
    return { status: 'failed', changed: false, failed: true, skipped: false, interrupted: true, msg: `interrupted (${this.interrupt.reason}): the task was cut off` };
  }

  private waitNotices(task: Task<any, any>, host: string, t0: number): NodeJS.Timeout | undefined {
    if (!task.awaits) return undefined;
    const awaits = task.awaits;
    return setInterval(() => {
      const elapsed = Math.round((Date.now() - t0) / 1000);
      if (elapsed >= WAIT_NOTICE_S) this.reporter.emit({ event: 'host_waiting', task: task.name, host, awaits, elapsed_s: elapsed });
    }, WAIT_NOTICE_S * 1000);
  }

  /** Books a host's result: stats, register, notify, failure state, and the event. */
  private record(hs: HostState, task: Task<any, any>, role: string | undefined, r: Outcome, t0: number): Outcome {
    let status: HostStatus = r.unreachable ? 'unreachable' : r.status;
    if (r.unreachable) {
      hs.unreachable = true;
      hs.stats.unreachable++;
    } else if (r.failed && task.ignore_errors && !r.interrupted) {
      status = 'ignored';
      hs.stats.ignored++;
    } else if (r.failed) {
      hs.failed = true;
      hs.stats.failed++;
    } else if (r.changed) hs.stats.changed++;
    else if (r.skipped) hs.stats.skipped++;
    else hs.stats.ok++;
    if (task.register && !r.interrupted) hs.reg[task.register] = r;
    if (r.changed && !r.failed && task.notify) for (const n of [task.notify].flat()) hs.notified.add(n);

    const hidden = task.no_log;
    const verbose = this.opts.verbosity >= 1 || r.failed;
    this.reporter.emit({
      event: 'host_result',
      task: task.name,
      role,
      host: hs.name,
      status,
      msg: hidden ? (r.failed ? 'the output has been hidden (no_log)' : undefined) : r.msg,
      diff: hidden || !this.opts.diff || !r.diff?.length ? undefined : r.diff,
      rc: r.rc,
      stdout: hidden || !verbose ? undefined : r.stdout,
      stderr: hidden || !verbose ? undefined : r.stderr,
      duration_ms: Date.now() - t0,
    });
    if (task.print && r.msg && !hidden) this.reporter.emit({ event: 'message', host: hs.name, task: task.name, msg: r.msg });
    for (const w of r.warnings ?? []) this.reporter.emit({ event: 'warning', host: hs.name, task: task.name, msg: w });
    return r;
  }

  async flushHandlers(batch: HostState[]): Promise<void> {
    if (this.interrupt.stopped) return; // handlers do not run after an interrupt
    const handlers = playHandlers(this.current!.play);
    for (let round = 0; round < 5; round++) {
      const due: { handler: Handler<any>; role?: string; hosts: HostState[] }[] = [];
      for (const { handler, role } of handlers) {
        const topics = [handler.name, ...(handler.listen ?? [])];
        const hosts = batch.filter((h) => h.active && topics.some((t) => h.notified.has(t)));
        if (hosts.length) due.push({ handler, role, hosts });
      }
      if (!due.length) return;
      for (const h of batch) h.notified.clear();
      for (const d of due) {
        if (this.aborted) return;
        await this.runTask(d.handler, { tags: [], whens: [], role: d.role, anyErrorsFatal: !!this.current!.play.any_errors_fatal }, d.hosts, { handler: true });
      }
    }
  }

  private env(): TaskEnv {
    return {
      opts: this.opts,
      conns: this.conns,
      ctxOf: (hs) => this.ctxOf(hs),
      log: (host, msg) => {
        if (this.opts.verbosity >= 2) this.reporter.emit({ event: 'warning', host, msg });
      },
    };
  }

  ctxOf(hs: HostState): HostCtx<any> {
    return {
      name: hs.name,
      vars: hs.vars(),
      facts: hs.facts ?? NO_FACTS,
      reg: hs.reg,
      inventory: this.view(),
      check: this.opts.check,
      playHosts: this.current?.hosts ?? [],
    };
  }

  private view(): InventoryView {
    const pp = this.current!;
    return {
      hosts: (pattern) => selectHosts(this.inv, pattern).hosts,
      hostvars: (h) =>
        this.states.get(h)?.vars() ??
        hostVars(this.inv, h, { defaults: pp.defaults, play: pp.play.vars, derived: pp.derived[h], extra: this.opts.extraVars }).vars,
      groupNames: (h) => groupNames(this.inv, h),
    };
  }
}

export function batches<T>(items: T[], serial: number | string | undefined): T[][] {
  if (serial === undefined) return [items];
  let n = typeof serial === 'number' ? serial : serial.endsWith('%') ? Math.ceil((items.length * parseFloat(serial)) / 100) : parseInt(serial, 10);
  if (!Number.isFinite(n) || n <= 0) n = items.length;
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}
