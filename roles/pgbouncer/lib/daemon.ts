/**
 * Launch and reload of a daemon whose unit pgplay writes (pgbouncer, haproxy, pgpool, vip-manager),
 * so that every run is truthful and a second run changes nothing:
 *
 * - the unit touches a stamp file when it starts and when it reloads (ExecStartPost/ExecReload);
 * - one read-only probe reports: is the unit active, is there a stamp, is any config file newer
 *   than the stamp (the running daemon has not read it yet);
 * - launch: `started` + `enabled`; an instance running WITHOUT a stamp was started by the Debian
 *   package's postinst with the package's default config (before pgplay's unit existed), so it
 *   serves no client yet and is restarted once to pick up pgplay's unit and config;
 * - reload: only when a config file is newer than the stamp (or, in check mode, when this run
 *   would change a config file). Never a restart.
 */
import { local, task } from '../../../src/api/playbook.js';
import type { HostCtx, TaskNode, TaskResult } from '../../../src/api/types.js';
import { service, shell, wait_for } from '../../../src/operations/index.js';
import { sh } from '../../../src/operations/shell-quote.js';


export interface DaemonSpec<V> {
  /** systemd unit name without .service */
  unit: string;
  /** Short name used in register keys (e.g. pgb). */
  id: string;
  /** Stamp file the unit touches on start and reload. */
  stamp: string;
  /** Config files and directories whose change needs a reload (find -newer). */
  watch: (h: HostCtx<V>) => string[];
  /** The unit file changed in this run (daemon-reload needed). */
  unitChanged: (h: HostCtx<V>) => boolean;
  /** A config file changed (or would change, in check mode) in this run. */
  configChanged: (h: HostCtx<V>) => boolean;
  /** Port to wait for after the launch. */
  port?: (h: HostCtx<V>) => { host: string; port: number } | undefined;
  /** Extra condition for reloading (e.g. pg_reload). */
  reloadWhen?: (h: HostCtx<V>) => boolean;
  /** What a reload cannot apply (shown as a warning when `unitChanged` on a running daemon). */
  restartHint?: string;
}

export interface DaemonState {
  /** systemd knows the unit (package installed or unit written). */
  loaded: boolean;
  active: boolean;
  stamp: boolean;
  /** Files newer than the stamp. */
  newer: string[];
}

/** The probe's shell script: LoadState, `active|inactive`, `stamp|nostamp`, then files newer than the stamp. */
export function probeScript(unit: string, stamp: string, watch: string[]): string {
  return [
    sh`systemctl show -p LoadState --value ${unit} 2>/dev/null || echo not-found`,
    sh`if systemctl is-active --quiet ${unit}; then echo active; else echo inactive; fi`,
    sh`if [ -e ${stamp} ]; then echo stamp; find ${watch} -newer ${stamp} -print 2>/dev/null | sort; else echo nostamp; fi`,
  ].join('\n');
}

export function parseProbe(stdout: string | undefined): DaemonState | undefined {
  if (!stdout) return undefined;
  const [l, a, s, ...rest] = stdout.split('\n').map((x) => x.trim());
  if (!l || !a || !s) return undefined;
  return { loaded: l === 'loaded', active: a === 'active', stamp: s === 'stamp', newer: rest.filter(Boolean) };
}

export const probed = (r: TaskResult | undefined): DaemonState | undefined => (r && !r.skipped && !r.failed ? parseProbe(r.stdout) : undefined);

/**
 * Launch tasks (a probe, start + enable, the package-instance restart, a warning for a changed unit,
 * a wait for the port) and reload tasks (a fresh probe, then a reload when a config file is newer
 * than the stamp). Each list is meant for its own tagged block (launch, reload).
 */
export function daemonTasks<V>(s: DaemonSpec<V>) {
  const probe = (reg: string) =>
    task<V>(`probe ${s.unit} state`, {
      check_mode: false,
      changed_when: () => false,
      register: reg,
      do: (h) => shell({ cmd: probeScript(s.unit, s.stamp, s.watch(h)) }),
    });
  const before = (h: HostCtx<V>) => probed(h.reg[`${s.id}_daemon`]);
  const now = (h: HostCtx<V>) => probed(h.reg[`${s.id}_daemon_reload`]);
  const launch: TaskNode<V>[] = [
    probe(`${s.id}_daemon`),
    local<V>(`launch ${s.unit} (check mode, not installed yet)`, {
      // check mode on a host without the package or the unit yet: nothing to ask systemd about
      when: (h) => h.check && !before(h)?.loaded,
      run: () => ({ changed: true, msg: `would install ${s.unit} and start it` }),
    }),
    task<V>(`launch ${s.unit}`, {
      when: (h) => !(h.check && !before(h)?.loaded),
      do: (h) => service({ name: s.unit, state: 'started', enabled: true, daemon_reload: s.unitChanged(h) }),
    }),
    task<V>(`restart ${s.unit} started by the package with its default config`, {
      when: (h) => !!before(h)?.active && !before(h)?.stamp,
      do: () => service({ name: s.unit, state: 'restarted', daemon_reload: true }),
    }),
    local<V>(`report ${s.unit} unit change`, {
      when: (h) => !!before(h)?.active && !!before(h)?.stamp && s.unitChanged(h),
      run: () => ({
        msg: `${s.unit}.service changed`,
        warnings: [`${s.unit}.service changed while ${s.unit} runs: pgplay does not restart it by itself${s.restartHint ? ` (${s.restartHint})` : ''}; apply with: systemctl restart ${s.unit}`],
      }),
    }),
  ];
  if (s.port) {
    launch.push(
      task<V>(`wait for ${s.unit} to listen`, {
          when: (h) => !h.check && !!s.port!(h),
        do: (h) => wait_for({ ...s.port!(h)!, timeout: 30 }),
      }),
    );
  }
  const reload: TaskNode<V>[] = [
    probe(`${s.id}_daemon_reload`),
    task<V>(`reload ${s.unit}`, {
      when: (h) => {
        const st = now(h);
        // not running: starting it reads the config; no stamp: the package's instance, restarted by the launch
        if (!st?.active || !st.stamp) return false;
        if (s.reloadWhen && !s.reloadWhen(h)) return false;
        return st.newer.length > 0 || (h.check && s.configChanged(h));
      },
      do: () => service({ name: s.unit, state: 'reloaded' }),
    }),
  ];
  return { launch, reload };
}
