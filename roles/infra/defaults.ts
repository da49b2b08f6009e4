/**
 * infra: Prometheus and Alertmanager on the `infra` group (Debian's `prometheus` and
 * `prometheus-alertmanager`), the monitoring half of Pigsty's infra role. Names follow Pigsty's
 * PROMETHEUS parameters where Pigsty has the knob; the alert thresholds are ours (docs/monitoring.md).
 */

import { pick } from '../../src/api/params.js';
import { defaults as etcd, type EtcdParams } from '../etcd/defaults.js';

export interface InfraParams {
  /** Infra node number (identity, as Pigsty's infra_seq). */
  infra_seq?: number | string;
  prometheus_port: number;
  alertmanager_port: number;
  /** Where the Debian package keeps the TSDB (its default). */
  prometheus_data: string;
  /** File service discovery: one directory per kind of target (`<dir>/<kind>/*.yml`). */
  prometheus_sd_dir: string;
  /** Our rule files live here (`<dir>/*.yml`). */
  prometheus_rules_dir: string;
  /** How often Prometheus re-reads discovery files besides inotify. */
  prometheus_sd_interval: string;
  prometheus_scrape_interval: string;
  prometheus_scrape_timeout: string;
  /** How often rules are evaluated. */
  prometheus_eval_interval: string;
  /** TSDB retention (`--storage.tsdb.retention.time`). */
  prometheus_retention: string;
  /** Extra command-line options of Prometheus. */
  prometheus_options: string;
  /** Multiplies every alert's `for:` window (0.1 in the tests: 1m becomes 6s). */
  prometheus_rule_for_scale: number;
  /** Per-alert `for:` windows that win over the scaled defaults, e.g. `{ PgArchivingFailing: '10s' }`. */
  prometheus_rule_for: Record<string, string>;
  /** WAL archiving alert: oldest segment waiting for archive_command older than this (seconds). */
  prometheus_archive_max_age: number;
  /** Replication slot alert: WAL retained by one slot above this (bytes). */
  prometheus_slot_retained_bytes: number;
  /** Backup alert: grace added to each cluster's backup interval (seconds, 24 h). */
  prometheus_backup_grace: number;
  /** Disk alert on /pg/data and /pg/backup: free space below this fraction. */
  prometheus_disk_free_ratio: number;
  /** pgbouncer saturation alert: clients waiting for a server connection above this. */
  prometheus_pgbouncer_waiting: number;
  /** Alertmanager options (the default receiver sends nothing; add receivers in alertmanager.yml). */
  alertmanager_options: string;
  /** Reference (etcd role). */
}

/** Read from the etcd role (its targets). */
export type InfraRefs = Pick<EtcdParams, 'etcd_cluster' | 'etcd_port'>;

export type InfraVars = InfraParams & InfraRefs;

export const defaults: InfraParams & InfraRefs = {
  prometheus_port: 9090,
  alertmanager_port: 9093,
  prometheus_data: '/var/lib/prometheus/metrics2',
  prometheus_sd_dir: '/etc/prometheus/targets',
  prometheus_rules_dir: '/etc/prometheus/rules',
  prometheus_sd_interval: '5s',
  prometheus_scrape_interval: '10s',
  prometheus_scrape_timeout: '8s',
  prometheus_eval_interval: '10s',
  prometheus_retention: '15d',
  prometheus_options: '',
  prometheus_rule_for_scale: 1,
  prometheus_rule_for: {},
  prometheus_archive_max_age: 600,
  prometheus_slot_retained_bytes: 1073741824,
  prometheus_backup_grace: 86400,
  prometheus_disk_free_ratio: 0.1,
  prometheus_pgbouncer_waiting: 0,
  alertmanager_options: '',
  ...pick(etcd, ['etcd_cluster', 'etcd_port']),
};
