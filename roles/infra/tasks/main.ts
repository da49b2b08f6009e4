/**
 * infra: infra_pkg, infra_dir, prometheus (prometheus_config, prometheus_rules, prometheus_launch),
 * alertmanager (alertmanager_config, alertmanager_launch), infra_register (the infra node's own
 * targets), etcd_register (every member of the `etcd` group).
 */
import { block, flushHandlers, handler, task } from '../../../src/api/playbook.js';
import type { HostCtx, TaskNode } from '../../../src/api/types.js';
import { apt, copy, file, http, service, shell, wait_for } from '../../../src/operations/index.js';
import { parseSeq } from '../../pg_id/identity.js';
import { raw, sh } from '../../../src/operations/shell-quote.js';
import type { InfraVars } from '../defaults.js';
import {
  ALERTMANAGER_CONF, PROMETHEUS_CONF, RULES_FILE, SD_KINDS, alertmanagerArgs, alertmanagerConfig, defaultsFile, prometheusArgs, prometheusConfig, targetPath, targetsFile,
  type TargetGroup,
} from '../lib/config.js';
import { rulesFile } from '../lib/rules.js';

type H = HostCtx<InfraVars>;

/** The infra node's own targets: Prometheus and Alertmanager. */
export function infraTargets(h: H): TargetGroup[] {
  const seq = parseSeq(h.vars.infra_seq);
  const ins = seq === undefined ? `infra-${h.name}` : `infra-${seq}`;
  const labels = (job: string) => ({ job, cls: 'infra', ins, ip: h.name });
  return [
    { labels: labels('prometheus'), targets: [`${h.name}:${h.vars.prometheus_port}`] },
    { labels: labels('alertmanager'), targets: [`${h.name}:${h.vars.alertmanager_port}`] },
  ];
}

/** One target file per etcd member of the inventory (`etcd-<seq>.yml`). */
export function etcdTargets(h: H): { name: string; groups: TargetGroup[] }[] {
  return h.inventory.hosts('etcd').map((m) => {
    const v = h.inventory.hostvars(m);
    const cls = String(v.etcd_cluster ?? 'etcd');
    const seq = parseSeq(v.etcd_seq);
    const ins = seq === undefined ? `${cls}-${m}` : `${cls}-${seq}`;
    const port = Number(v.etcd_port ?? 2379);
    return { name: ins, groups: [{ labels: { job: 'etcd', cls, ins, ip: m }, targets: [`${m}:${port}`] }] };
  });
}

export const tasks: TaskNode<InfraVars>[] = [
  task<InfraVars>('install prometheus and alertmanager', {
    tags: ['infra_pkg'],
    awaits: 'apt-get install prometheus prometheus-alertmanager',
    do: () => apt({ name: ['prometheus', 'prometheus-alertmanager'], state: 'present', update_cache: true, cache_valid_time: 3600, install_recommends: false }),
  }),
  block<InfraVars>({
    name: 'infra directories',
    tags: ['infra_dir'],
    tasks: [
      task<InfraVars>('ensure prometheus rules dir', {
        do: (h) => file({ path: h.vars.prometheus_rules_dir, state: 'directory', owner: 'root', group: 'prometheus', mode: '0755' }),
      }),
      task<InfraVars, string>('ensure prometheus targets dirs', {
        loop: (h) => ['', ...SD_KINDS.map((k) => `/${k}`)].map((s) => h.vars.prometheus_sd_dir + s),
        do: (_h, dir) => file({ path: dir, state: 'directory', owner: 'root', mode: '0755' }),
      }),
    ],
  }),
  block<InfraVars>({
    name: 'prometheus',
    tags: ['prometheus'],
    tasks: [
      task<InfraVars>('render prometheus alert rules', {
        tags: ['prometheus_rules', 'prometheus_config'],
        notify: 'reload prometheus',
        do: (h) => copy({ dest: `${h.vars.prometheus_rules_dir}/${RULES_FILE}`, content: rulesFile(h.vars), owner: 'root', group: 'prometheus', mode: '0644', validate: 'promtool check rules %s' }),
      }),
      task<InfraVars>('render prometheus config', {
        tags: ['prometheus_config'],
        notify: 'reload prometheus',
        do: (h) => copy({ dest: PROMETHEUS_CONF, content: prometheusConfig(h.vars), owner: 'root', group: 'prometheus', mode: '0644', validate: 'promtool check config --syntax-only %s' }),
      }),
      task<InfraVars>('render prometheus options', {
        tags: ['prometheus_config'],
        notify: 'restart prometheus',
        do: (h) => copy({ dest: '/etc/default/prometheus', content: defaultsFile('prometheus', prometheusArgs(h.vars)), owner: 'root', group: 'root', mode: '0644' }),
      }),
      task<InfraVars>('launch prometheus', {
        tags: ['prometheus_launch'],
        do: () => service({ name: 'prometheus', state: 'started', enabled: true }),
      }),
    ],
  }),
  block<InfraVars>({
    name: 'alertmanager',
    tags: ['alertmanager'],
    tasks: [
      task<InfraVars>('render alertmanager config', {
        tags: ['alertmanager_config'],
        notify: 'reload alertmanager',
        do: () => copy({ dest: ALERTMANAGER_CONF, content: alertmanagerConfig(), owner: 'root', group: 'prometheus', mode: '0640', validate: 'amtool check-config %s' }),
      }),
      task<InfraVars>('render alertmanager options', {
        tags: ['alertmanager_config'],
        notify: 'restart alertmanager',
        do: (h) => copy({ dest: '/etc/default/prometheus-alertmanager', content: defaultsFile('prometheus-alertmanager', alertmanagerArgs(h.vars)), owner: 'root', group: 'root', mode: '0644' }),
      }),
      task<InfraVars>('launch alertmanager', {
        tags: ['alertmanager_launch'],
        do: () => service({ name: 'prometheus-alertmanager', state: 'started', enabled: true }),
      }),
    ],
  }),
  flushHandlers(['prometheus', 'alertmanager', 'prometheus_launch', 'alertmanager_launch', 'prometheus_config', 'alertmanager_config', 'prometheus_rules']),
  block<InfraVars>({
    name: 'wait for infra services',
    tags: ['prometheus_launch', 'alertmanager_launch', 'prometheus', 'alertmanager'],
    tasks: [
      task<InfraVars>('wait for prometheus', { awaits: 'prometheus ready', do: (h) => wait_for({ port: h.vars.prometheus_port, timeout: 60 }) }),
      task<InfraVars>('prometheus is ready', {
        check_mode: false,
        changed_when: () => false,
        retries: 30,
        delay: 1,
        until: (r) => !r.failed,
        do: (h) => http({ url: `http://127.0.0.1:${h.vars.prometheus_port}/-/ready`, timeout: 5, return_content: false }),
      }),
      task<InfraVars>('wait for alertmanager', { awaits: 'alertmanager ready', do: (h) => wait_for({ port: h.vars.alertmanager_port, timeout: 60 }) }),
    ],
  }),
  block<InfraVars>({
    name: 'register infra and etcd targets',
    tags: ['infra_register'],
    tasks: [
      task<InfraVars>('register prometheus and alertmanager', {
        do: (h) => copy({ dest: targetPath(h.vars.prometheus_sd_dir, 'infra', `infra-${h.name}`), content: targetsFile(`infra node ${h.name}`, infraTargets(h)), owner: 'root', mode: '0644' }),
      }),
      task<InfraVars, { name: string; groups: TargetGroup[] }>('register etcd members', {
        tags: ['etcd_register'],
        loop: (h) => etcdTargets(h),
        do: (h, m) => copy({ dest: targetPath(h.vars.prometheus_sd_dir, 'etcd', m.name), content: targetsFile(`etcd member ${m.name} @ ${m.groups[0].labels.ip}`, m.groups), owner: 'root', mode: '0644' }),
      }),
      task<InfraVars>('remove etcd targets no longer in the inventory', {
        tags: ['etcd_register'],
        // read-only listing in check mode: report what would go
        register: 'etcd_stale',
        changed_when: (r) => !!r.stdout?.trim(),
        do: (h) => {
          const keep = etcdTargets(h).flatMap((m) => ['!', '-name', `${m.name}.yml`]);
          const dir = `${h.vars.prometheus_sd_dir}/etcd`;
          return shell({ cmd: sh`[ -d ${dir} ] || exit 0; find ${dir} -maxdepth 1 -name '*.yml' ${keep} -print${raw(h.check ? '' : ' -delete')}` });
        },
        check_mode: false,
      }),
    ],
  }),
];

export const handlers = [
  handler<InfraVars>('reload prometheus', { do: () => service({ name: 'prometheus', state: 'reloaded' }) }),
  handler<InfraVars>('restart prometheus', { do: () => service({ name: 'prometheus', state: 'restarted' }) }),
  handler<InfraVars>('reload alertmanager', { do: () => service({ name: 'prometheus-alertmanager', state: 'reloaded' }) }),
  handler<InfraVars>('restart alertmanager', { do: () => service({ name: 'prometheus-alertmanager', state: 'restarted' }) }),
];
