/**
 * From the cluster's members and a service definition to what the HAProxy template prints: the
 * servers (address, port, weight, backup flag) and the check timing from pg_rto.
 */
import type { PgRto, RtoPlan } from '../../pgsql/defaults.js';
import type { PgService } from '../defaults.js';
import { compileSelector } from './selector.js';

/** What a service needs to know about a member (its merged variables). */
export interface Member {
  inventory_hostname: string;
  pg_cluster: string;
  pg_seq: number;
  pg_role: string;
  pg_offline_query?: boolean;
  pg_weight?: number;
  pg_port?: number;
  pgbouncer_port?: number;
  patroni_port?: number;
  [k: string]: unknown;
}

export interface Server {
  name: string;
  address: string;
  port: number;
  check_port: number;
  weight: number;
  backup: boolean;
}

export interface ServiceView {
  /** HAProxy proxy name and file name stem: <pg_cluster>-<name>. */
  id: string;
  cluster: string;
  name: string;
  bind: string;
  port: number;
  maxconn: number;
  balance: string;
  check: string;
  default_server: string;
  servers: Server[];
  members: string[];
  backups: string[];
}

/** `inter 2s fastinter 1s downinter 2s rise 3 fall 3 ...` from the pg_rto plan (Pigsty's service.cfg). */
export function rtoOptions(rto: PgRto | string, plans: Record<string, RtoPlan>): string {
  const plan = plans[rto] ?? plans.norm;
  const [, , , , , inter, fastinter, downinter, rise, fall] = plan;
  return `inter ${inter} fastinter ${fastinter} downinter ${downinter} rise ${rise} fall ${fall} on-marked-down shutdown-sessions slowstart 30s maxconn 3000 maxqueue 128 weight 100`;
}

export function destPort(dest: PgService['dest'], fallback: string, m: Member): number {
  const d = dest === undefined || dest === 'default' ? fallback : dest;
  if (typeof d === 'number') return d;
  if (/^\d+$/.test(String(d))) return Number(d);
  if (d === 'pgbouncer') return m.pgbouncer_port ?? 6432;
  return m.pg_port ?? 5432;
}

/** The view of one service of a cluster (members sorted by pg_seq). */
export function serviceView(svc: PgService, members: Member[], o: { defaultDest: string; rto: PgRto | string; plans: Record<string, RtoPlan> }): ServiceView {
  const sorted = [...members].sort((a, b) => Number(a.pg_seq) - Number(b.pg_seq));
  const selected = compileSelector(svc.selector)(sorted) as Member[];
  const backups = svc.backup ? (compileSelector(svc.backup)(sorted) as Member[]) : [];
  const backupSet = new Set(backups.map((m) => m.inventory_hostname));
  const server = (m: Member, backup: boolean): Server => ({
    name: `${m.pg_cluster}-${m.pg_seq}`,
    address: m.inventory_hostname,
    port: destPort(svc.dest, o.defaultDest, m),
    check_port: m.patroni_port ?? 8008,
    weight: m.pg_weight ?? 100,
    backup,
  });
  const servers = [
    ...selected.map((m) => server(m, backupSet.has(m.inventory_hostname))),
    ...backups.filter((m) => !selected.includes(m)).map((m) => server(m, true)),
  ];
  const cluster = sorted[0]?.pg_cluster ?? '';
  return {
    id: `${cluster}-${svc.name}`,
    cluster,
    name: svc.name,
    bind: svc.ip ?? '*',
    port: svc.port,
    maxconn: svc.maxconn ?? 5000,
    balance: svc.balance ?? 'roundrobin',
    check: svc.check ?? '/',
    default_server: svc.options ?? rtoOptions(o.rto, o.plans),
    servers,
    members: selected.map((m) => m.inventory_hostname),
    backups: backups.map((m) => m.inventory_hostname),
  };
}

/** Problems with a list of services (names, ports), for the prepare hook. */
export function serviceProblems(services: PgService[]): Array<{ index: number; message: string }> {
  const out: Array<{ index: number; message: string }> = [];
  const names = new Map<string, number>();
  const ports = new Map<number, number>();
  services.forEach((s, i) => {
    if (!s || typeof s !== 'object') return;
    if (names.has(s.name)) out.push({ index: i, message: `service name '${s.name}' is also used by entry ${names.get(s.name)}` });
    else names.set(s.name, i);
    if (ports.has(s.port)) out.push({ index: i, message: `port ${s.port} is also used by service '${services[ports.get(s.port)!].name}'` });
    else ports.set(s.port, i);
    for (const key of ['selector', 'backup'] as const) {
      try {
        compileSelector(s[key]);
      } catch (e) {
        out.push({ index: i, message: `${key}: ${(e as Error).message}` });
      }
    }
  });
  return out;
}
