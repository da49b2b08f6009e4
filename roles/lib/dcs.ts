/** Patroni's keys in etcd (the DCS): endpoints, the cluster's prefix, and their removal (pg_pitr, pg_remove). */
import type { Action, HostCtx } from '../../src/api/types.js';
import type { CommandArgs } from '../../src/operations/index.js';
import { fileBeside } from '../../src/api/playbook.js';
import { script } from './script.js';

interface DcsVars {
  etcd_cluster?: string;
  etcd_port?: number;
  pg_namespace?: string;
  pg_cluster: string;
}

/** etcd endpoints of the DCS (the `etcd_cluster` group), host:port, sorted. */
export function etcdEndpoints(h: HostCtx<DcsVars>): string[] {
  let hosts: string[] = [];
  try {
    hosts = h.inventory.hosts(h.vars.etcd_cluster || 'etcd');
  } catch {
    hosts = [];
  }
  return [...hosts].sort().map((ip) => `${ip}:${h.vars.etcd_port ?? 2379}`);
}

/** Patroni's keys of the cluster: <namespace>/<scope>/ */
export const dcsPrefix = (v: DcsVars) => `${String(v.pg_namespace || '/pg').replace(/\/+$/, '')}/${v.pg_cluster}/`;

/** The etcd v3 JSON body deleting every key under `prefix`. */
export function deleteRangeBody(prefix: string): string {
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return JSON.stringify({ key: Buffer.from(prefix).toString('base64'), range_end: Buffer.from(end).toString('base64') });
}

/** Deletes the keys under `prefix` from the first endpoint that answers (files/dcs-cleanup.sh); prints `deleted ...` when some were there. */
export function dcsCleanup(prefix: string, endpoints: readonly string[]): Action<CommandArgs> {
  return script(fileBeside(import.meta.url, 'files/dcs-cleanup.sh'), [prefix, deleteRangeBody(prefix), ...endpoints]);
}
