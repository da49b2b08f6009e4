/** Helpers shared by the pg_service task files. */
import type { HostCtx } from '../../../src/api/types.js';
import type { PgServiceVars, PgService } from '../defaults.js';
import { serviceView, type Member, type ServiceView } from '../lib/services.js';
import { sh } from '../../../src/operations/shell-quote.js';

export type H = HostCtx<PgServiceVars>;

export const HAPROXY_CFG = '/etc/haproxy/haproxy.cfg';
export const CONF_D = '/etc/haproxy/conf.d';
/** Touched by haproxy.service on start and reload (see roles/pgbouncer/lib/daemon.ts). */
export const HAPROXY_STAMP = '/run/haproxy.pgplay-loaded';

/** The cluster's members as services see them (merged variables of each member). */
export function members(h: H): Member[] {
  return (h.vars.pg_cluster_members ?? []).map((ip) => {
    const v = ip === h.name ? { ...h.vars } : h.inventory.hostvars(ip);
    return { ...v, inventory_hostname: ip } as Member;
  });
}

export function services(h: H): ServiceView[] {
  const list: PgService[] = [...(h.vars.pg_default_services ?? []), ...(h.vars.pg_services ?? [])];
  const ms = members(h);
  return list.map((s) => serviceView(s, ms, { defaultDest: String(h.vars.pg_default_service_dest ?? 'pgbouncer'), rto: h.vars.pg_rto, plans: h.vars.pg_rto_plan }));
}

export const serviceFile = (s: ServiceView) => `${CONF_D}/${s.id}.cfg`;

/**
 * `haproxy -c` of the new file %s together with haproxy.cfg and every OTHER file of conf.d, so a
 * duplicate proxy name is caught before the file replaces the live one.
 */
export function validateService(dest: string): string {
  return sh`set -- ; for f in ${CONF_D}/*.cfg; do [ -e "$f" ] && [ "$f" != ${dest} ] && set -- "$@" -f "$f"; done; /usr/sbin/haproxy -c -q -f ${HAPROXY_CFG} "$@" -f %s`;
}
