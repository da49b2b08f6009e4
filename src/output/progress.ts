/**
 * Live view on a terminal (listr2): one list per task with a line per host that spins while the
 * host works, shows what a long wait is waiting for, and settles to ok/changed/failed/skipped.
 */
import { Listr, type ListrTaskWrapper, type ListrDefaultRenderer, type ListrSimpleRenderer } from 'listr2';
import type { EngineEvent, Reporter } from './events.js';
import { banner, color, diffText, hostLine, interruptedLine, recapLines, taskTitle } from './format.js';

/** 'ok=2 changed=1 (10.10.10.11)': counts, naming the hosts that changed or failed. */
function summary(rs: HostResult[]): string {
  const count = (st: HostResult['status']) => rs.filter((r) => r.status === st);
  const parts: string[] = [];
  for (const st of ['ok', 'changed', 'skipped', 'ignored', 'failed', 'unreachable'] as const) {
    const hit = count(st);
    if (!hit.length) continue;
    const names = st === 'changed' || st === 'failed' || st === 'unreachable' ? ` (${hit.map((r) => r.host).join(', ')})` : '';
    const text = `${st}=${hit.length}${names}`;
    parts.push(st === 'changed' ? color.yellow(text) : st === 'failed' || st === 'unreachable' ? color.red(text) : st === 'ok' ? color.green(text) : color.cyan(text));
  }
  return parts.join(' ');
}

type HostResult = Extract<EngineEvent, { event: 'host_result' }>;
type Wrapper = ListrTaskWrapper<unknown, ListrDefaultRenderer, ListrSimpleRenderer>;

interface HostSlot {
  /** null: the host never started the task (the run was interrupted first). */
  settle: (r: HostResult | null) => void;
  wrapper?: Wrapper;
}

export class ProgressReporter implements Reporter {
  private chain: Promise<void> = Promise.resolve();
  private slots = new Map<string, HostSlot>();
  private pendingDiffs: string[] = [];

  constructor(private readonly verbosity: number) {}

  private print(s: string): void {
    this.chain = this.chain.then(() => void process.stdout.write(s + '\n'));
  }

  emit(e: EngineEvent): void {
    switch (e.event) {
      case 'play_start':
        this.print(`\n${color.bold(banner(`PLAY [${e.play}]`))}`);
        break;
      case 'task_start':
        this.startTask(taskTitle(e), e.hosts);
        break;
      case 'host_waiting': {
        const w = this.slots.get(e.host)?.wrapper;
        if (w) w.title = `${e.host}: waiting for ${e.awaits} (${e.elapsed_s}s)`;
        break;
      }
      case 'host_result':
        this.slots.get(e.host)?.settle(e);
        if (e.diff?.length) this.pendingDiffs.push(`--- ${e.host}\n${diffText(e.diff)}`);
        break;
      case 'task_end':
        for (const slot of this.slots.values()) slot.settle(null); // settles only hosts with no result
        if (this.pendingDiffs.length) this.print(this.pendingDiffs.splice(0).join('\n'));
        break;
      case 'message':
        this.pendingDiffs.push(`  [${e.host}] ${e.msg.split('\n').join('\n    ')}`);
        break;
      case 'warning':
        this.print(color.yellow(`[WARNING]${e.host ? ` [${e.host}]` : ''}: ${e.msg}`));
        break;
      case 'interrupted':
        this.print(`\n${interruptedLine(e)}`);
        break;
      case 'recap':
        this.print(`\n${color.bold(banner(e.interrupted ? 'PLAY RECAP (interrupted)' : 'PLAY RECAP'))}`);
        for (const l of recapLines(e.hosts)) this.print(l);
        this.print(color.gray(`${(e.duration_ms / 1000).toFixed(1)}s, ${e.round_trips} round trips`));
        break;
      default:
        break;
    }
  }

  private startTask(title: string, hosts: string[]): void {
    this.slots = new Map();
    const results = new Map<string, Promise<HostResult | null>>();
    for (const h of hosts) {
      let settle!: (r: HostResult | null) => void;
      results.set(h, new Promise<HostResult | null>((res) => (settle = res)));
      this.slots.set(h, { settle });
    }
    const slots = this.slots;
    const hostTasks = hosts.map((h) => ({
      title: h,
      task: async (_: unknown, t: Wrapper) => {
        slots.get(h)!.wrapper = t;
        const r = await results.get(h)!;
        if (!r) return t.skip(`${h}: not started (interrupted)`);
        t.title = `${h}: ${r.status}`;
        if (r.status === 'skipped') t.skip(`${h}: skipped`);
        if (r.status === 'failed' || r.status === 'unreachable') throw new Error(`${h}: ${r.status}`);
      },
    }));
    const list = new Listr(
      [
        {
          title,
          task: (_: unknown, parent: Wrapper) => {
            void Promise.all([...results.values()]).then((settled) => (parent.title = `${title}  ${summary(settled.filter((r) => r !== null))}`));
            return parent.newListr(hostTasks, { concurrent: true, exitOnError: false });
          },
        },
      ],
      // no SIGINT listener of listr2's own: it would exit 127 at once; the runner handles interrupts
      // no SIGINT listener of listr2's own: it would exit 127 at once; the runner handles interrupts
      { exitOnError: false, registerSignalListeners: false, rendererOptions: { collapseSubtasks: true, collapseErrors: true, collapseSkips: true, showSkipMessage: true } },
    );
    this.chain = this.chain.then(async () => {
      await list.run().catch(() => undefined);
      const failures = [...results.values()];
      for (const r of await Promise.all(failures)) {
        if (!r) continue;
        if (r.status === 'failed' || r.status === 'unreachable' || r.status === 'ignored') process.stdout.write(hostLine(r, this.verbosity) + '\n');
      }
    });
  }

  async close(): Promise<void> {
    await this.chain;
  }
}
