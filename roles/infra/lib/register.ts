/**
 * Registering targets with Prometheus from other roles (node_monitor, pg_monitor): a task that runs
 * on each host of the play but writes on every host of the `infra` group, through `delegate_to`.

 */
import { task } from '../../../src/api/playbook.js';
import type { Action, HostCtx, Task, TaskOptions } from '../../../src/api/types.js';
import { copy, file } from '../../../src/operations/index.js';
import { targetPath, targetsFile, type SdKind, type TargetGroup } from './config.js';

/** Hosts of the infra group (empty when the inventory has none: nothing to register with). */
export const infraHosts = (h: HostCtx<any>): string[] => h.inventory.hosts('infra');

/** `prometheus_sd_dir` of an infra host (its own variables, default /etc/prometheus/targets). */
export function sdDirOf(h: HostCtx<any>, infra: string): string {
  const v = h.inventory.hostvars(infra).prometheus_sd_dir;
  return typeof v === 'string' && v ? v : '/etc/prometheus/targets';
}

/** A task whose action runs once per infra host, on that host. */
export function onInfraHosts<V>(name: string, spec: TaskOptions<V> & { do: (h: HostCtx<V>, infra: string) => Action | null }): Task<V, string> {
  const { do: act, when, ...rest } = spec;
  return task<V, string>(name, {
    ...rest,
    when: (h) => infraHosts(h as HostCtx<any>).length > 0 && (when ? when(h) : true),
    loop: (h) => infraHosts(h as HostCtx<any>),
    delegate_to: (_h, infra) => infra,
    do: act,
  });
}

/** Ensure `<sd_dir>/<kind>` exists on the infra hosts (registration may run before infra). */
export function ensureSdDir<V>(kind: SdKind, opts: TaskOptions<V> = {}): Task<V, string> {
  return onInfraHosts<V>(`ensure prometheus ${kind} targets dir on infra`, {
    ...opts,
    do: (h, infra) => file({ path: `${sdDirOf(h as HostCtx<any>, infra)}/${kind}`, state: 'directory', owner: 'root', mode: '0755' }),
  });
}

/** Write `<sd_dir>/<kind>/<name>.yml` on every infra host. */
export function registerTargets<V>(taskName: string, kind: SdKind, name: (h: HostCtx<V>) => string, header: (h: HostCtx<V>) => string, groups: (h: HostCtx<V>) => TargetGroup[], opts: TaskOptions<V> = {}): Task<V, string> {
  return onInfraHosts<V>(taskName, {
    ...opts,
    do: (h, infra) => copy({ dest: targetPath(sdDirOf(h as HostCtx<any>, infra), kind, name(h)), content: targetsFile(header(h), groups(h)), owner: 'root', mode: '0644' }),
  });
}

/** Remove `<sd_dir>/<kind>/<name>.yml` from every infra host. */
export function deregisterTargets<V>(taskName: string, kind: SdKind, name: (h: HostCtx<V>) => string, opts: TaskOptions<V> = {}): Task<V, string> {
  return onInfraHosts<V>(taskName, {
    ...opts,
    do: (h, infra) => file({ path: targetPath(sdDirOf(h as HostCtx<any>, infra), kind, name(h)), state: 'absent' }),
  });
}
