/**
 * pg_vip: an L2 virtual IP bound on the cluster's leader by vip-manager (Pigsty's PG_ACCESS vip
 * parameters, same names and defaults).
 */
import type { PgsqlVars } from '../pgsql/defaults.js';

export interface PgVipParams {
  /** Bind a VIP on the primary of this cluster. */
  pg_vip_enabled: boolean;
  /** `<ipv4>/<mask>`, required when enabled. */
  pg_vip_address: string;
  /** Interface to add the VIP to; `auto` = the one holding the host's inventory address. */
  pg_vip_interface: string;
  /** pgplay: how often vip-manager reads the leader key, in milliseconds (Pigsty writes 1000). */
  pg_vip_interval: number;
}

/** Set by the config tasks: the interface found for pg_vip_interface auto. */
export interface PgVipSet {
  pg_vip_iface_resolved?: string;
}

export type PgVipVars = PgsqlVars & PgVipParams & PgVipSet;

export const defaults: PgVipParams = {
  pg_vip_enabled: false,
  pg_vip_address: '127.0.0.1/24',
  pg_vip_interface: 'auto',
  pg_vip_interval: 1000,
};
