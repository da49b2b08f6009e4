/**
 * pg_service: HAProxy on every member of a cluster, with Pigsty's services (primary 5433,
 * replica 5434, default 5436, offline 5438, plus pg_services) routed by Patroni's REST API
 * health checks. Names and defaults follow Pigsty's roles/pgsql/defaults (PG_ACCESS) and
 * roles/haproxy/defaults.
 */
import type { PgsqlVars } from '../pgsql/defaults.js';
import type { PgbouncerParams } from '../pgbouncer/defaults.js';
import type { NodeIdParams } from '../node_id/defaults.js';
import type { ServiceView } from './lib/services.js';

export type ServiceDest = 'default' | 'postgres' | 'pgbouncer' | number;

/** A service in Pigsty's format. */
export interface PgService {
  /** Service name; the HAProxy proxy is `<pg_cluster>-<name>`. */
  name: string;
  /** Port HAProxy listens on (every member). */
  port: number;
  /** Address to bind, `*` by default. */
  ip?: string;
  /** Members serving it: a JMESPath filter over the cluster's members, e.g. "[? pg_role == `replica` ]"; `[]` = all. */
  selector?: string;
  /** Members used only when no selected member is up (HAProxy `backup`), same syntax. */
  backup?: string;
  /** Where a server's traffic goes: `default` (pg_default_service_dest), postgres (pg_port), pgbouncer (pgbouncer_port) or a port. */
  dest?: ServiceDest;
  /** Patroni REST API path checked with OPTIONS on patroni_port: /primary, /replica, /read-only, /sync, /async, ... */
  check?: string;
  maxconn?: number;
  /** HAProxy balance algorithm, roundrobin by default. */
  balance?: 'roundrobin' | 'leastconn' | 'first' | 'source' | 'static-rr';
  /** Replaces the `default-server` options computed from pg_rto. */
  options?: string;
}

export interface PgServiceParams {
  pg_default_services: PgService[];
  pg_services: PgService[];
  /** '' = HAProxy on every member of the cluster (the only provider supported: see docs/access.md). */
  pg_service_provider: '';
  /** Install and run HAProxy on the members (Pigsty's node-level haproxy role folded in here). */
  haproxy_enabled: boolean;
  /** Apply service changes with a reload (pg_reload must be true too). */
  haproxy_reload: boolean;
  haproxy_auth_enabled: boolean;
  haproxy_admin_username: string;
  haproxy_admin_password: string;
  /** The admin/stats page (and Prometheus metrics at /metrics), 9101. */
  haproxy_exporter_port: number;
  haproxy_client_timeout: string;
  haproxy_server_timeout: string;
  /** Global maxconn of HAProxy. */
  haproxy_maxconn: number;
}

/** Set by the service tasks: the services as rendered for this host. */
export interface PgServiceSet {
  pg_service_views?: ServiceView[];
}

export type PgServiceVars = PgsqlVars & PgServiceParams & PgServiceSet & Partial<Pick<PgbouncerParams, 'pgbouncer_port'>> & Partial<Pick<NodeIdParams, 'nodename'>>;

export const defaults: PgServiceParams = {
  pg_default_services: [
    { name: 'primary', port: 5433, dest: 'default', check: '/primary', selector: '[]' },
    { name: 'replica', port: 5434, dest: 'default', check: '/read-only', selector: '[]', backup: '[? pg_role == `primary` || pg_role == `offline` ]' },
    { name: 'default', port: 5436, dest: 'postgres', check: '/primary', selector: '[]' },
    { name: 'offline', port: 5438, dest: 'postgres', check: '/replica', selector: '[? pg_role == `offline` || pg_offline_query ]', backup: '[? pg_role == `replica` && !pg_offline_query]' },
  ],
  pg_services: [],
  pg_service_provider: '',
  haproxy_enabled: true,
  haproxy_reload: true,
  haproxy_auth_enabled: true,
  haproxy_admin_username: 'admin',
  haproxy_admin_password: 'pigsty',
  haproxy_exporter_port: 9101,
  haproxy_client_timeout: '24h',
  haproxy_server_timeout: '24h',
  haproxy_maxconn: 65535,
};
