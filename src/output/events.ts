/**
 * Machine-readable events. The runner emits them; reporters render them (progress view, plain
 * lines, or one JSON object per line with --json). All text in events is redacted before output.
 */
import type { FileDiff } from '../api/types.js';

export type HostStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable' | 'ignored';

export interface HostStats {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: number;
  rescued: number;
  ignored: number;
}

export type EngineEvent =
  | { event: 'playbook_start'; playbook: string; inventory: string; limit?: string; tags: string[]; skip_tags: string[]; check: boolean; diff: boolean }
  | { event: 'play_start'; play: string; hosts: string[] }
  | { event: 'task_start'; play: string; task: string; role?: string; tags: string[]; handler?: boolean; hosts: string[] }
  | { event: 'host_waiting'; task: string; host: string; awaits: string; elapsed_s: number }
  | {
      event: 'host_result';
      task: string;
      role?: string;
      host: string;
      status: HostStatus;
      msg?: string;
      item?: string;
      diff?: FileDiff[];
      rc?: number;
      stdout?: string;
      stderr?: string;
      duration_ms: number;
    }
  | { event: 'task_end'; task: string }
  | { event: 'message'; host: string; task: string; msg: string }
  | { event: 'warning'; host?: string; task?: string; msg: string }
  | { event: 'play_end'; play: string }
  /** SIGINT/SIGTERM: nothing new starts; `running` are the host tasks cut off (each then gets a failed host_result). */
  | { event: 'interrupted'; signal: string; running: { host: string; task: string }[] }
  | { event: 'recap'; hosts: Record<string, HostStats>; duration_ms: number; ok: boolean; round_trips: number; interrupted?: boolean };

export interface Reporter {
  emit(e: EngineEvent): void;
  /** Flush and stop (waits for the progress view to finish drawing). */
  close(): Promise<void>;
}

export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, rescued: 0, ignored: 0 };
}
