/**
 * Configuration files of Prometheus and Alertmanager, and the file-discovery target files that
 * node_monitor and pg_monitor write into `prometheus_sd_dir/<kind>/`. Built as data and dumped with
 * the yaml library (no template escaping of Prometheus' own `{{ }}`).
 */
import YAML from 'yaml';
import type { InfraParams } from '../defaults.js';

/** Kinds of discovery directories, each scraped by the Prometheus job of the same name. */
export const SD_KINDS = ['infra', 'node', 'pgsql', 'etcd'] as const;
export type SdKind = (typeof SD_KINDS)[number];

export const PROMETHEUS_CONF = '/etc/prometheus/prometheus.yml';
export const ALERTMANAGER_CONF = '/etc/prometheus/alertmanager.yml';
export const RULES_FILE = 'pgplay.yml';

/** Labels every target carries (the label schema): cluster, instance, ip and job. */
export interface TargetLabels {
  job: string;
  cls: string;
  ins: string;
  ip: string;
  [k: string]: string;
}

export interface TargetGroup {
  labels: TargetLabels;
  targets: string[];
}

/** A discovery file: a comment header, then the target groups. */
export function targetsFile(header: string, groups: TargetGroup[]): string {
  return `# ${header} (managed by pgplay)\n${YAML.stringify(groups, { lineWidth: 0 })}`;
}

export function targetPath(sdDir: string, kind: SdKind, name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`bad target file name: ${name}`);
  return `${sdDir}/${kind}/${name}.yml`;
}

type P = Pick<
  InfraParams,
  'prometheus_port' | 'alertmanager_port' | 'prometheus_sd_dir' | 'prometheus_rules_dir' | 'prometheus_sd_interval' | 'prometheus_scrape_interval' | 'prometheus_scrape_timeout' | 'prometheus_eval_interval'
>;

/**
 * The `node` job relabels metrics that our textfile collector labels with the postgres identity
 * (pg_cls, pg_ins: backup and /pg disk metrics) so they carry cls/ins of the instance, not the node.
 */
const pgIdentityRelabel = [
  { source_labels: ['pg_cls'], regex: '(.+)', target_label: 'cls', replacement: '$1' },
  { source_labels: ['pg_ins'], regex: '(.+)', target_label: 'ins', replacement: '$1' },
  { regex: 'pg_cls|pg_ins', action: 'labeldrop' },
];

export function prometheusConfig(p: P): string {
  const job = (kind: SdKind, extra: object = {}) => ({
    job_name: kind,
    metrics_path: '/metrics',
    file_sd_configs: [{ files: [`${p.prometheus_sd_dir}/${kind}/*.yml`], refresh_interval: p.prometheus_sd_interval }],
    ...extra,
  });
  const doc = {
    global: {
      scrape_interval: p.prometheus_scrape_interval,
      scrape_timeout: p.prometheus_scrape_timeout,
      evaluation_interval: p.prometheus_eval_interval,
    },
    rule_files: [`${p.prometheus_rules_dir}/*.yml`],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${p.alertmanager_port}`] }] }] },
    scrape_configs: [
      job('infra'),
      job('node', { metric_relabel_configs: pgIdentityRelabel }),
      job('pgsql'),
      job('etcd'),
    ],
  };
  return `# Prometheus configuration (managed by pgplay roles/infra): targets come from ${p.prometheus_sd_dir}/<job>/*.yml\n${YAML.stringify(doc, { lineWidth: 0 })}`;
}

/** Alertmanager: one receiver that sends nothing (as Pigsty); add real receivers here. */
export function alertmanagerConfig(): string {
  const doc = {
    global: { resolve_timeout: '5m' },
    route: { receiver: 'default', group_by: ['alertname', 'cls'], group_wait: '10s', group_interval: '1m', repeat_interval: '4h' },
    receivers: [{ name: 'default' }],
    inhibit_rules: [
      // a down node explains everything else on it
      { source_matchers: ['alertname="NodeDown"'], target_matchers: ['category=~"pgsql|etcd"'], equal: ['ip'] },
    ],
  };
  return `# Alertmanager configuration (managed by pgplay roles/infra)\n${YAML.stringify(doc, { lineWidth: 0 })}`;
}

/** /etc/default/<service>: the ARGS line Debian's units pass to the daemon. */
export function defaultsFile(service: string, args: string[]): string {
  const line = args.filter(Boolean).join(' ');
  if (/["\\$`]/.test(line)) throw new Error(`${service}: options must not contain quotes, backslashes or $: ${line}`);
  return `# ${service} options (managed by pgplay)\nARGS="${line}"\n`;
}

export function prometheusArgs(p: Pick<InfraParams, 'prometheus_port' | 'prometheus_data' | 'prometheus_retention' | 'prometheus_options'>): string[] {
  return [
    `--config.file=${PROMETHEUS_CONF}`,
    `--storage.tsdb.path=${p.prometheus_data}`,
    `--storage.tsdb.retention.time=${p.prometheus_retention}`,
    `--web.listen-address=:${p.prometheus_port}`,
    '--web.enable-lifecycle',
    p.prometheus_options,
  ];
}

export function alertmanagerArgs(p: Pick<InfraParams, 'alertmanager_port' | 'alertmanager_options'>): string[] {
  // a single Alertmanager per infra node: no gossip cluster (its port 9094 is not needed)
  return [`--config.file=${ALERTMANAGER_CONF}`, `--web.listen-address=:${p.alertmanager_port}`, '--cluster.listen-address=', p.alertmanager_options];
}
