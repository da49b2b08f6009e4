/** Helpers shared by the pgbouncer task files. */
import type { HostCtx } from '../../../src/api/types.js';
import type { PgbouncerVars } from '../defaults.js';

export type H = HostCtx<PgbouncerVars>;

export const PGB_DIR = '/etc/pgbouncer';
/** Touched by pgbouncer.service on start and reload (see lib/daemon.ts). */
export const PGB_STAMP = '/run/postgresql/pgbouncer.pgplay-loaded';
export const PGB_FILES = ['pgbouncer.ini', 'database.txt', 'useropts.txt', 'pgb_hba.conf', 'userlist.txt'].map((f) => `${PGB_DIR}/${f}`);

/** pg_listen with Pigsty's placeholders: ${ip} this host, ${lo} 127.0.0.1, ${vip} the VIP. */
export function listenAddr(h: H): string {
  const v = h.vars;
  let s = String(v.pg_listen ?? '0.0.0.0').replaceAll('${ip}', h.name).replaceAll('${lo}', '127.0.0.1');
  const vip = String(v.pg_vip_address ?? '');
  if (v.pg_vip_enabled === true && vip.includes('/')) s = s.replaceAll('${vip}', vip.split('/')[0]);
  return s;
}

