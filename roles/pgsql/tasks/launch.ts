/**
 * [pg_bootstrap, pg_launch] Start Patroni: the primary first (pg_primary) until it accepts
 * connections, then the replicas (pg_replica) until each streams from it; HBA rules (pg_hba)
 * applied through Patroni with a reload; Patroni's mode (pg_patroni).
 */
import { assert, block, local, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { command, copy, http, pg_query, service, wait_for } from '../../../src/operations/index.js';
import type { PgsqlVars } from '../defaults.js';
import { hbaBlock, replaceHbaBlock } from '../lib/patroni.js';
import { confPath, etcdCheck } from './config.js';
import { cell, failedUnlessCheck, ins, patronictl, type H } from './common.js';
import { ran } from '../../../src/api/results.js';
import { raw, sh } from '../../../src/operations/shell-quote.js';
import { sql } from '../../../src/operations/sql-quote.js';

/**
 * 'self' when this instance is the writable leader (standby leader with pg_upstream), the leader's
 * name when another member leads a running cluster (after a failover), else 'waiting'.
 */
export function primaryReady(h: H, out: string): string {
  const [flag, ...rest] = out.split('\n');
  const want = h.vars.pg_upstream ? 't' : 'f';
  if (flag.trim() === want) return 'self';
  if (flag.trim() !== 't') return 'waiting';
  try {
    const c = JSON.parse(rest.join('\n')) as { members?: Array<{ name: string; role: string; state: string }> };
    const leader = (c.members ?? []).find((m) => (m.role === 'leader' || m.role === 'standby_leader') && m.state === 'running' && m.name !== h.vars.pg_instance);
    return leader ? leader.name : 'waiting';
  } catch {
    return 'waiting';
  }
}

/**
 * 't' in recovery, 'f' a primary whose bootstrap is done, '' otherwise. PostgreSQL accepts
 * connections before Patroni's bootstrap has created the replication user (seen: replicas checking
 * their replication login a few ms too early got "password authentication failed"), so a primary
 * counts only once that user has its password.
 */
export const readySql = (h: H) =>
  sql`SELECT CASE WHEN pg_is_in_recovery() THEN 't' WHEN EXISTS (SELECT 1 FROM pg_authid WHERE rolname = ${h.vars.pg_replication_username} AND rolpassword IS NOT NULL) THEN 'f' ELSE '' END`;

const loadTimeSql = `SELECT extract(epoch FROM pg_conf_load_time())::text AS conf_load_time`;
const q = (h: H, sql: string, extra: object = {}) => pg_query({ sql, port: h.vars.pg_port, dbsu: h.vars.pg_dbsu, ...extra });

export const tasks: TaskNode<PgsqlVars>[] = [
  task<PgsqlVars>('grant postgres dbsu watchdog owner', {
    tags: ['pg_watchdog'],
    when: (h) => h.vars.patroni_watchdog_mode !== 'off',
    ignore_errors: true,
    do: (h) => command({ cmd: ['chown', h.vars.pg_dbsu, '/dev/watchdog'], removes: '/dev/watchdog' }),
  }),

  block<PgsqlVars>({
    name: 'launch patroni primary',
    tags: ['pg_primary'],
    when: (h) => h.vars.pg_role === 'primary',
    any_errors_fatal: true,
    tasks: [
      ...etcdCheck(),
      task<PgsqlVars>('launch patroni primary', { failed_when: failedUnlessCheck, do: () => service({ name: 'patroni', state: 'started', enabled: true, daemon_reload: true }) }),
      task<PgsqlVars>('wait for patroni primary', { failed_when: failedUnlessCheck, do: (h) => wait_for({ host: h.name, port: h.vars.patroni_port, timeout: 60 }) }),
      task<PgsqlVars>('wait for postgres primary to accept connections', {
        when: (h) => !h.check,
        awaits: 'primary accepts connections',
        check_mode: false,
        failed_when: () => false,
        changed_when: () => false,
        register: 'pg_primary_ready',
        until: (r, h) => primaryReady(h, r.stdout ?? '') !== 'waiting',
        retries: 90,
        delay: 2,
        become_user: (h) => h.vars.pg_dbsu,
        do: (h) =>
          command({
            cmd: sh`cd /tmp; ${h.vars.pg_bin_dir}/psql -h ${h.vars.pg_localhost} -p ${h.vars.pg_port} -X -Atqc ${readySql(h)} postgres 2>/dev/null; echo; curl -s -m 3 http://${h.name}:${h.vars.patroni_port}/cluster || true`,
          }),
      }),
      local<PgsqlVars>('primary is the leader', {
        when: (h) => !h.check,
        run: (h) => {
          const state = primaryReady(h, h.reg.pg_primary_ready?.stdout ?? '');
          if (state === 'waiting') return { failed: true, msg: `${ins(h)} did not become ready: see ${h.vars.patroni_log_dir}/patroni.log and ${h.vars.pg_log_dir}` };
          if (state === 'self') return { msg: 'leader' };
          return {
            msg: `replica of ${state}`,
            warnings: [`${ins(h)} has pg_role: primary but ${state} is the leader now (a switchover or failover happened): update pg_role in the inventory`],
          };
        },
      }),
    ],
  }),

  block<PgsqlVars>({
    name: 'launch patroni replicas',
    tags: ['pg_replica'],
    when: (h) => h.vars.pg_role !== 'primary',
    any_errors_fatal: true,
    tasks: [
      ...etcdCheck(),
      task<PgsqlVars>('check replication connectivity to the primary', {
        check_mode: false,
        failed_when: failedUnlessCheck,
        changed_when: () => false,
        register: 'pg_repl_check',
        do: (h) =>
          q(h, 'SELECT 1', {
            host: h.vars.pg_upstream ?? h.vars.pg_primary_ip,
            user: h.vars.pg_replication_username,
            password: h.vars.pg_replication_password,
          }),
      }),
      task<PgsqlVars>('launch patroni replica', { failed_when: failedUnlessCheck, do: () => service({ name: 'patroni', state: 'started', enabled: true, daemon_reload: true }) }),
      task<PgsqlVars>('wait for patroni replica', { failed_when: failedUnlessCheck, do: (h) => wait_for({ host: h.name, port: h.vars.patroni_port, timeout: 60 }) }),
      task<PgsqlVars>('wait for the replica to stream from the primary', {
        when: (h) => !h.check,
        awaits: 'replica streams from the primary (base backup first)',
        check_mode: false,
        failed_when: () => false,
        register: 'pg_replica_ready',
        until: (r) => r.status === 'ok' && (cell(r) === 'streaming' || cell(r) === 'leader'),
        retries: 300,
        delay: 2,
        do: (h) => q(h, `SELECT CASE WHEN NOT pg_is_in_recovery() THEN 'leader' ELSE coalesce((SELECT status FROM pg_stat_wal_receiver LIMIT 1), 'none') END AS status`),
      }),
      local<PgsqlVars>('replica streams', {
        when: (h) => !h.check,
        run: (h) => {
          const s = cell(h.reg.pg_replica_ready);
          if (s === 'streaming') return { msg: 'streaming' };
          if (s === 'leader') return { msg: 'leader', warnings: [`${ins(h)} has pg_role: ${h.vars.pg_role} but is the leader now (a switchover or failover happened): update pg_role in the inventory`] };
          return { failed: true, msg: `${ins(h)} does not stream from the primary (state: ${s ?? 'down'}): see ${h.vars.patroni_log_dir}/patroni.log` };
        },
      }),
    ],
  }),

  block<PgsqlVars>({
    name: 'apply hba rules through patroni',
    tags: ['pg_hba'],
    tasks: [
      task<PgsqlVars>('read patroni config', {
        check_mode: false,
        no_log: true,
        register: 'pg_hba_conf',
        changed_when: () => false,
        failed_when: () => false,
        do: (h) => command({ cmd: ['cat', confPath(h)] }),
      }),
      local<PgsqlVars>('render hba rules', {
        run: (h) => {
          const conf = h.reg.pg_hba_conf;
          if (conf?.rc !== 0) {
            if (h.check) return { set: { pg_hba_next: null }, msg: `${confPath(h)} does not exist yet: pg_config renders it` };
            return { failed: true, msg: `${confPath(h)} is missing: render it first with -t pg_config (or run the whole playbook)` };
          }
          const next = replaceHbaBlock((conf.stdout ?? '') + '\n', hbaBlock(h));
          if (next === undefined) return { failed: true, msg: `${confPath(h)} has no pg_hba block: render it first with -t pg_config` };
          return { set: { pg_hba_next: next }, msg: 'hba rules rendered' };
        },
      }),
      task<PgsqlVars>('probe postgres config load time', {
        check_mode: false,
        failed_when: () => false,
        register: 'pg_hba_state',
        do: (h) => q(h, loadTimeSql),
      }),
      task<PgsqlVars>('render hba rules into patroni config', {
        when: (h) => typeof h.vars.pg_hba_next === 'string',
        register: 'pg_hba_changed',
        do: (h) => copy({ dest: confPath(h), content: String(h.vars.pg_hba_next), owner: h.vars.pg_dbsu, group: 'postgres', mode: '0640' }),
      }),
      task<PgsqlVars>('reload patroni to apply hba rules', {
        when: (h) => h.vars.pg_reload && !!h.reg.pg_hba_changed?.changed && !!cell(h.reg.pg_hba_state),
        do: () => service({ name: 'patroni', state: 'reloaded' }),
      }),
      task<PgsqlVars>('wait for postgres to load the hba rules', {
        when: (h) => !h.check && h.vars.pg_reload && !!h.reg.pg_hba_changed?.changed && !!cell(h.reg.pg_hba_state),
        awaits: 'Patroni rewrites pg_hba.conf and reloads PostgreSQL',
        check_mode: false,
        until: (r, h) => Number(cell(r) ?? 0) > Number(cell(h.reg.pg_hba_state) ?? 0),
        retries: 20,
        delay: 1,
        do: (h) => q(h, loadTimeSql),
      }),
      task<PgsqlVars>('check hba rules', {
        when: (h) => !!cell(h.reg.pg_hba_state),
        check_mode: false,
        register: 'pg_hba_errors',
        do: (h) => q(h, `SELECT coalesce(string_agg(line_number || ': ' || error, '; '), '') FROM pg_hba_file_rules WHERE error IS NOT NULL`),
      }),
      assert<PgsqlVars>('hba rules are valid', (h) => !ran(h.reg.pg_hba_errors) || !cell(h.reg.pg_hba_errors), {
        msg: (h) => `${ins(h)}: pg_hba.conf has invalid lines (PostgreSQL keeps the previous rules): ${cell(h.reg.pg_hba_errors)}`,
      }),
    ],
  }),

  block<PgsqlVars>({
    name: 'patroni mode',
    tags: ['pg_patroni'],
    when: (h) => h.vars.pg_role === 'primary' && h.vars.patroni_mode === 'pause',
    tasks: [
      task<PgsqlVars>('read cluster state', { check_mode: false, register: 'pg_cluster_state', do: (h) => http({ url: `http://${h.name}:${h.vars.patroni_port}/cluster`, timeout: 10 }) }),
      task<PgsqlVars>('pause patroni', {
        when: (h) => !(h.reg.pg_cluster_state?.data as { json?: { pause?: boolean } })?.json?.pause,
        do: (h) => command({ cmd: sh`${raw(patronictl(h))} pause ${h.vars.pg_cluster} --wait` }),
      }),
    ],
  }),
];
