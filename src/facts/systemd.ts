/** State of a systemd unit from `systemctl show`. */
import { q } from '../operations/shell-quote.js';

export interface UnitState {
  /** loaded, not-found, masked, ... */
  LoadState: string;
  /** active, inactive, failed, activating, deactivating, reloading */
  ActiveState: string;
  SubState: string;
  /** enabled, disabled, static, masked, ... ('' when the unit has no file) */
  UnitFileState: string;
  /** 'yes' when the unit file changed on disk since systemd last loaded it. */
  NeedDaemonReload: string;
}

const PROPS = ['LoadState', 'ActiveState', 'SubState', 'UnitFileState', 'NeedDaemonReload'] as const;

export function unitCommand(unit: string): string {
  return `systemctl show -p ${PROPS.join(',')} -- ${q(unit)}`;
}

export function parseUnit(stdout: string): UnitState {
  const state = Object.fromEntries(PROPS.map((p) => [p, ''])) as unknown as UnitState;
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    const key = line.slice(0, i) as keyof UnitState;
    if (i > 0 && key in state) state[key] = line.slice(i + 1).trim();
  }
  return state;
}

/** is-enabled would succeed (an enabled unit, or one that cannot be enabled such as a static unit). */
export function isEnabled(u: UnitState): boolean {
  return ['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated', 'linked', 'linked-runtime'].includes(u.UnitFileState);
}

export function isRunning(u: UnitState): boolean {
  return ['active', 'reloading', 'refreshing'].includes(u.ActiveState);
}
