/** Ansible-like plain lines, for logs and non-terminal output. */
import type { EngineEvent, Reporter } from './events.js';
import { banner, diffText, hostLine, interruptedLine, recapLines, taskTitle, color } from './format.js';

export class PlainReporter implements Reporter {
  constructor(private readonly verbosity: number, private readonly write: (s: string) => void = (s) => process.stdout.write(s + '\n')) {}

  emit(e: EngineEvent): void {
    switch (e.event) {
      case 'play_start':
        this.write(`\n${banner(`PLAY [${e.play}]`)}`);
        break;
      case 'task_start':
        this.write(`\n${banner(taskTitle(e))}`);
        break;
      case 'host_waiting':
        this.write(color.gray(`  ... [${e.host}] waiting for ${e.awaits} (${e.elapsed_s}s)`));
        break;
      case 'host_result':
        this.write(hostLine(e, this.verbosity));
        if (e.diff?.length) this.write(diffText(e.diff));
        break;
      case 'message':
        this.write(`  [${e.host}] ${e.msg.split('\n').join('\n    ')}`);
        break;
      case 'warning':
        this.write(color.yellow(`[WARNING]${e.host ? ` [${e.host}]` : ''}: ${e.msg}`));
        break;
      case 'interrupted':
        this.write(`\n${interruptedLine(e)}`);
        break;
      case 'recap':
        this.write(`\n${banner(e.interrupted ? 'PLAY RECAP (interrupted)' : 'PLAY RECAP')}`);
        for (const l of recapLines(e.hosts)) this.write(l);
        if (this.verbosity >= 1) this.write(color.gray(`\n${(e.duration_ms / 1000).toFixed(1)}s, ${e.round_trips} round trips`));
        break;
      default:
        break;
    }
  }

  async close(): Promise<void> {}
}
