/**
 * infra: Prometheus (9090) and Alertmanager (9093) on the `infra` group, with file service
 * discovery under prometheus_sd_dir and our alert rules (validated by promtool before install).
 * Tags: infra_pkg, infra_dir, prometheus (prometheus_rules, prometheus_config, prometheus_launch),
 * alertmanager (alertmanager_config, alertmanager_launch), infra_register (etcd_register).
 * See docs/monitoring.md.
 */
import { role } from '../../src/api/playbook.js';
import { defaults, type InfraVars } from './defaults.js';
import { schema } from './schema.js';
import { handlers, tasks } from './tasks/main.js';

export const infra = role<InfraVars>({ name: 'infra', defaults: defaults as Partial<InfraVars>, schema, tasks, handlers });
export default infra;
export type { InfraVars, InfraParams } from './defaults.js';
