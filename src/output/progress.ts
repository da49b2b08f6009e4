/**
 * Live view on a terminal (listr2): one list per task with a line per host that spins while the
 * host works, shows what a long wait is waiting for, and settles to ok/changed/failed/skipped.
 */
import { Listr, type ListrTaskWrapper, type ListrDefaultRenderer, type ListrSimpleRenderer } from 'listr2';
import type { EngineEvent, Reporter } from './events.js';
import { banner, color, diffText, recapLines, taskTitle } from './format.js';

type HostResult = Extract<EngineEvent, { event: 'host_result' }>;
type Wrapper = ListrTaskWrapper<unknown, ListrDefaultRenderer, ListrSimpleRenderer>;

interface HostSlot {
  settle: (r: HostResult) => void;
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
        if (this.pendingDiffs.length) this.print(this.pendingDiffs.splice(0).join('\n'));
        break;
      case 'message':
        this.pendingDiffs.push(`  [${e.host}] ${e.msg.split('\n').join('\n    ')}`);
        break;
      case 'warning':
        this.print(color.yellow(`[WARNING]${e.host ? ` [${e.host}]` : ''}: ${e.msg}`));
        break;
      case 'recap':
        this.print(`\n${color.bold(banner('PLAY RECAP'))}`);
        for (const l of recapLines(e.hosts)) this.print(l);
        this.print(color.gray(`${(e.duration_ms / 1000).toFixed(1)}s, ${e.round_trips} round trips`));
        break;
      default:
        break;
    }
  }

  private startTask(title: string, hosts: string[]): void {
    this.slots = new Map();
    const results = new Map<string, Promise<HostResult>>();
    for (const h of hosts) {
      let settle!: (r: HostResult) => void;
      results.set(h, new Promise<HostResult>((res) => (settle = res)));
      this.slots.set(h, { settle });
    }
    const slots = this.slots;
    const list = new Listr(
      hosts.map((h) => ({
        title: h,
        task: async (_: unknown, t: Wrapper) => {
          slots.get(h)!.wrapper = t;
          const r = await results.get(h)!;
          const detail = r.msg && (r.status === 'failed' || r.status === 'unreachable' || this.verbosity >= 1) ? ` => ${r.msg}` : '';
          t.title = `${h}: ${r.status}${detail}`;
          if (r.status === 'skipped') t.skip(`${h}: skipped`);
          if (r.status === 'failed' || r.status === 'unreachable') throw new Error(`${h}: ${r.status}${detail}`);
        },
      })),
      { concurrent: true, exitOnError: false, rendererOptions: { collapseSubtasks: false, collapseSkips: false } },
    );
    this.chain = this.chain.then(async () => {
      process.stdout.write(`${banner(title)}\n`);
      await list.run().catch(() => undefined);
    });
  }

  async close(): Promise<void> {
    await this.chain;
  }
}
