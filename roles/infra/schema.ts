/** JSON schema of the infra (Prometheus, Alertmanager) parameters. */
import { absPath, paramSchema, port, seq, type StringSchema } from '../../src/api/params.js';
import type { InfraParams } from './defaults.js';
const duration: StringSchema = { type: 'string', pattern: '^([0-9]+(ms|s|m|h|d|w|y))+$' };

export const schema = paramSchema<InfraParams>({
    infra_seq: seq,
    prometheus_port: port,
    alertmanager_port: port,
    prometheus_data: absPath,
    prometheus_sd_dir: absPath,
    prometheus_rules_dir: absPath,
    prometheus_sd_interval: duration,
    prometheus_scrape_interval: duration,
    prometheus_scrape_timeout: duration,
    prometheus_eval_interval: duration,
    prometheus_retention: duration,
    prometheus_options: { type: 'string' },
    prometheus_rule_for_scale: { type: 'number', exclusiveMinimum: 0 },
    prometheus_rule_for: { type: 'object', additionalProperties: duration },
    prometheus_archive_max_age: { type: 'integer', minimum: 1 },
    prometheus_slot_retained_bytes: { type: 'integer', minimum: 1 },
    prometheus_backup_grace: { type: 'integer', minimum: 0 },
    prometheus_disk_free_ratio: { type: 'number', minimum: 0, maximum: 1 },
    prometheus_pgbouncer_waiting: { type: 'integer', minimum: 0 },
    alertmanager_options: { type: 'string' },
});
