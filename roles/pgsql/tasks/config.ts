/**
 * [pg_bootstrap, pg_config] Patroni's config (/pg/conf/<instance>.yml from the `pg_conf` template,
 * linked from /etc/patroni/patroni.yml) and unit. On a running cluster a changed config is
 * applied with a Patroni reload (never a restart); cluster-wide settings are reconciled in the DCS;
 * parameters that need a restart are reported with the command for a rolling restart.
 */
import { assert, block, fileBeside, local, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { command, file, http, pg_query, service, shell, template } from '../../../src/operations/index.js';
import type { PgsqlVars } from '../defaults.js';
import { patroniVars, etcdEndpoints } from '../lib/patroni.js';
import { cell, ins, patronictl, pgRunning, type H } from './common.js';
import { ran } from '../../../src/api/results.js';
import { raw, sh } from '../../../src/operations/shell-quote.js';

export const confPath = (h: H) => `/pg/conf/${h.vars.pg_instance}.yml`;
const patroniUrl = (h: H, p: string) => `http://${h.name}:${h.vars.patroni_port}${p}`;
const basicAuth = (h: H) => `Basic ${Buffer.from(`${h.vars.patroni_username}:${h.vars.patroni_password}`).toString('base64')}`;

/** The subset of `want` that differs from `have` (recursively), as a PATCH body; {} when equal. */
export function configPatch(want: Record<string, unknown>, have: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, w] of Object.entries(want)) {
    const h = have?.[k];
    if (w && typeof w === 'object' && !Array.isArray(w)) {
      const sub = configPatch(w as Record<string, unknown>, (h && typeof h === 'object' ? h : {}) as Record<string, unknown>);
      if (Object.keys(sub).length) out[k] = sub;
    } else if (String(w) !== String(h ?? '')) out[k] = w;
  }
  return out;
}

/** `a.b.c: old -> new` lines of a patch. */
export function describePatch(patch: Record<string, unknown>, have: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    const h = have?.[k];
    if (v && typeof v === 'object') out.push(...describePatch(v as Record<string, unknown>, (h ?? {}) as Record<string, unknown>, `${prefix}${k}.`));
    else out.push(`${prefix}${k}: ${h === undefined ? '(unset)' : String(h)} -> ${String(v)}`);
  }
  return out;
}

/** Check: etcd answers from this host (Patroni cannot start without it). */
export function etcdCheck(tags: string[] = []): TaskNode<PgsqlVars>[] {
  return [
    task<PgsqlVars>('check etcd is reachable', {
      tags,
      check_mode: false,
      register: 'pg_etcd_check',
      changed_when: () => false,
      failed_when: () => false,
      do: (h) =>
        shell({
          cmd: sh`for e in ${etcdEndpoints(h).length ? etcdEndpoints(h) : ['none']}; do curl -fsS -m 3 "http://$e/health" 2>/dev/null | grep -q '"health":"true"' && echo "$e" && exit 0; done; exit 1`,
        }),
    }),
    assert<PgsqlVars>('etcd is reachable', (h) => h.reg.pg_etcd_check?.rc === 0, {
      tags,
      msg: (h) =>
        etcdEndpoints(h).length
          ? `etcd is not reachable from ${h.name} (${etcdEndpoints(h).join(', ')}): Patroni needs it. Set it up first with: ./run etcd   (or ./run install)`
          : `no etcd group in the inventory: define the '${h.vars.etcd_cluster}' group with etcd_seq on its hosts, then run ./run etcd`,
    }),
  ];
}

export const tasks: TaskNode<PgsqlVars>[] = [
  ...etcdCheck(),
  task<PgsqlVars>('probe postgres state', {
    check_mode: false,
    register: 'pg_state',
    failed_when: () => false,
    do: (h) => pg_query({ sql: `SELECT extract(epoch FROM pg_conf_load_time())::text AS conf_load_time`, port: h.vars.pg_port, dbsu: h.vars.pg_dbsu }),
  }),
  task<PgsqlVars>('probe patroni state', {
    check_mode: false,
    changed_when: () => false,
    failed_when: () => false,
    register: 'patroni_state',
    do: () => command({ cmd: ['systemctl', 'is-active', 'patroni'] }),
  }),
  local<PgsqlVars>('print postgres node spec', { run: (h) => ({ msg: `${ins(h)}: ${patroniVars(h).summary}` }) }),
  task<PgsqlVars>('render patroni config', {
    register: 'patroni_conf',
    do: (h) =>
      template({
        src: fileBeside(import.meta.url, '../templates/patroni.yml.hbs'),
        dest: confPath(h),
        vars: patroniVars(h),
        owner: h.vars.pg_dbsu,
        group: 'postgres',
        mode: '0640',
        validate: `python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' %s`,
      }),
  }),
  task<PgsqlVars>('link patroni config', { do: (h) => file({ path: '/etc/patroni/patroni.yml', src: confPath(h), state: 'link' }) }),
  task<PgsqlVars>('render patroni unit', {
    register: 'patroni_unit',
    do: (h) => template({ src: fileBeside(import.meta.url, '../templates/patroni.service.hbs'), dest: '/etc/systemd/system/patroni.service', vars: { v: h.vars }, owner: 'root', group: 'root', mode: '0644' }),
  }),
  task<PgsqlVars>('restart patroni that has no postgres running yet', {
    // a Patroni still bootstrapping (e.g. it was waiting for etcd) re-reads everything on restart;
    // nothing runs that a restart could interrupt
    when: (h) => !pgRunning(h) && (h.reg.patroni_state?.stdout ?? '').trim() === 'active' && (!!h.reg.patroni_conf?.changed || !!h.reg.patroni_unit?.changed),
    do: () => service({ name: 'patroni', state: 'restarted', daemon_reload: true }),
  }),
  block<PgsqlVars>({
    name: 'apply config to a running cluster',
    when: (h) => pgRunning(h),
    tasks: [
      task<PgsqlVars>('reload patroni', {
        when: (h) => h.vars.pg_reload && (!!h.reg.patroni_conf?.changed || !!h.reg.patroni_unit?.changed),
        do: () => service({ name: 'patroni', state: 'reloaded', daemon_reload: true }),
      }),
      task<PgsqlVars>('read dynamic config', {
        when: (h) => h.vars.pg_is_primary,
        check_mode: false,
        register: 'pg_dcs_current',
        do: (h) => http({ url: patroniUrl(h, '/config'), timeout: 10 }),
      }),
      local<PgsqlVars>('compare dynamic config', {
        when: (h) => h.vars.pg_is_primary && ran(h.reg.pg_dcs_current),
        run: (h) => {
          const have = ((h.reg.pg_dcs_current.data as { json?: Record<string, unknown> })?.json ?? {}) as Record<string, unknown>;
          const want = patroniVars(h).dcs;
          const patch = configPatch(want, have);
          const lines = describePatch(patch, have);
          const params = !!(patch.postgresql as Record<string, unknown> | undefined)?.parameters;
          return {
            set: { pg_dcs_patch: lines.length ? patch : null, pg_dcs_params_changed: params },
            changed: h.check && lines.length > 0,
            msg: lines.length ? `dynamic config differs: ${lines.join(', ')}` : 'dynamic config up to date',
          };
        },
      }),
      task<PgsqlVars>('update dynamic config', {
        when: (h) => h.vars.pg_is_primary && !!h.vars.pg_dcs_patch,
        register: 'pg_dcs_patched',
        changed_when: () => true,
        do: (h) => http({ url: patroniUrl(h, '/config'), method: 'PATCH', body: h.vars.pg_dcs_patch, headers: { Authorization: basicAuth(h) }, timeout: 15 }),
      }),
      task<PgsqlVars>('wait for postgres to load the new config', {
        when: (h) => {
          const primary = h.inventory.hostvars(h.vars.pg_primary_ip);
          return !h.check && ((h.vars.pg_reload && !!h.reg.patroni_conf?.changed) || (!!primary.pg_dcs_params_changed && !!primary.pg_dcs_patch));
        },
        awaits: 'Patroni reloads PostgreSQL',
        check_mode: false,
        register: 'pg_reloaded',
        until: (r, h) => Number(cell(r) ?? 0) > Number(cell(h.reg.pg_state) ?? 0),
        retries: 20,
        delay: 1,
        do: (h) => pg_query({ sql: `SELECT extract(epoch FROM pg_conf_load_time())::text AS conf_load_time`, port: h.vars.pg_port, dbsu: h.vars.pg_dbsu }),
      }),
      task<PgsqlVars>('check pending restart', {
        check_mode: false,
        register: 'pg_pending',
        do: (h) =>
          pg_query({
            sql: `SELECT coalesce(string_agg(name, ', ' ORDER BY name), '') AS pending FROM pg_settings WHERE pending_restart`,
            port: h.vars.pg_port,
            dbsu: h.vars.pg_dbsu,
          }),
      }),
      task<PgsqlVars>('check patroni pending restart', {
        check_mode: false,
        register: 'pg_pending_patroni',
        do: (h) => http({ url: patroniUrl(h, '/patroni'), status: [200, 503], timeout: 10 }),
      }),
      local<PgsqlVars>('report pending restart', {
        run: (h) => {
          const names = cell(h.reg.pg_pending) ?? '';
          const flag = !!((h.reg.pg_pending_patroni?.data as { json?: { pending_restart?: boolean } })?.json?.pending_restart);
          if (!names && !flag) return { msg: 'no restart pending' };
          const what = names ? ` (${names})` : '';
          const ctl = patronictl(h);
          const cls = h.vars.pg_cluster;
          const replicas = (h.vars.pg_cluster_replicas ?? []).map((ip) => `${cls}-${String(h.inventory.hostvars(ip).pg_seq)}`);
          const cmd = [replicas.length ? sh`${raw(ctl)} restart ${cls} ${replicas} --force` : '', sh`${raw(ctl)} restart ${cls} ${h.vars.pg_primary_ins} --force`]
            .filter(Boolean)
            .join(' && ');
          return {
            msg: `restart pending${what}`,
            warnings: [
              `${ins(h)} is pending restart${what}: the new value takes effect after a restart, which pgplay does not do by itself. ` +
                `Rolling restart, replicas first, then the primary (run on any member): ${cmd}`,
            ],
          };
        },
      }),
    ],
  }),
];
