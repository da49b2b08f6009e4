/**
 * pg_pitr's task tree, tagged as Pigsty's pgsql-pitr.yml:
 *
 *   print (always)           the plan and the restore command
 *   down      pause          patronictl pause (no failover while members stop)
 *             stop           stop_patroni (replicas, then the primary), stop_postgres (every member)
 *   pitr      config         /pg/conf/pitr.conf (source stanza, repository, parallelism) on the primary
 *             restore        pgbackrest restore --delta into pg_pitr.data (recovery settings in postgresql.auto.conf)
 *             recovery       PostgreSQL alone (no TCP, no archive_command), WAL replayed to the target, log /pg/tmp/recovery.log
 *             verify         pg_controldata and the recovery state
 *   up        etcd           the cluster's stale DCS keys removed (<pg_namespace>/<pg_cluster>/)
 *             start          start_postgres: promote at the target, make pgBackRest's recovery settings inert, stop cleanly
 *                            start_patroni: the primary takes the cluster; replicas are emptied and re-cloned from it
 *             resume         patronictl resume
 *             followup       archive: true: stanza-upgrade/create, archive_mode back on, history file, full backup;
 *                            otherwise printed
 *
 * Each step can run alone with -t (e.g. -t down, then -t pitr to look at the data paused at the
 * target, then -t up). The restore runs on the inventory's primary only; replicas are rebuilt from
 * it (docs/pitr.md explains the choice). A pg_pitr.data beside the cluster skips down and up.
 */
import { block, fileBeside, local, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { command, copy, file, http, pg_query, service, shell, template } from '../../../src/operations/index.js';
import { raw, sh } from '../../../src/operations/shell-quote.js';
import type { PgPitrVars } from '../defaults.js';
import { clientRepoLines, processMax } from '../../pgbackrest/lib/repo.js';
import { cleanAutoConf, controlSummary, describeTarget, restoreArgs } from '../lib/pitr.js';
import { bin, dcsCleanup, dcsPrefix, etcdEndpoints, isPrimary, patronictl, PITR_CONF, plan, RECOVERY_LOG, recoveryScript, recoveryVerdict, side, standaloneOpts, type H } from './common.js';
import { followup } from './followup.js';
import { kv, ran } from '../../../src/api/results.js';

const dbsu = (h: H) => h.vars.pg_dbsu;
const data = (h: H) => plan(h).data;
const restoreCommand = (h: H) => sh`pgbackrest ${restoreArgs(plan(h))} restore`;
const onPrimary = (h: H) => isPrimary(h);
const whole = (h: H) => !side(h);
/** Stops the PostgreSQL of a data directory when it runs (prints stopped / not running). */
const stopCommand = (h: H, dir: string) =>
  sh`if ${raw(bin(h, 'pg_ctl'))} -D ${dir} status >/dev/null 2>&1; then ${raw(bin(h, 'pg_ctl'))} -D ${dir} stop -m fast -w -t 300 && echo stopped; else echo 'not running'; fi`;

/**
 * pgBackRest's archive-async keeps a `<segment>.ok` in the spool for each segment it pushed, and
 * answers a later archive-push of that name from the spool without pushing. After a restore the
 * cluster writes segments whose names the old history already used (same timeline numbers, or
 * another system's): stale status files would drop them silently from the archive (seen: the
 * backup after a cross-cluster restore waited in vain for such a segment, error 082).
 */
const clearPushSpool = (h: H) =>
  shell({ cmd: sh`d=/pg/spool/archive/${h.vars.pg_cluster}/out; if [ -d "$d" ] && [ -n "$(ls -A "$d")" ]; then find "$d" -mindepth 1 -delete && echo cleared; fi` });

const pitrConfVars = (h: H) => {
  const p = plan(h);
  const pm = processMax(h.facts.cpu_count);
  return {
    cluster: h.vars.pg_cluster,
    host: h.name,
    plan: p,
    repo: h.vars.pitr_repo,
    target: describeTarget(p),
    socket: h.vars.pg_localhost,
    repo_lines: clientRepoLines(h.vars.pitr_repo, p.cluster),
    log_dir: h.vars.pgbackrest_log_dir,
    link_map: Object.entries(p.linkMap).map(([k, v]) => `${k}=${v}`),
    process: p.process ?? pm.restore,
    archive_process: pm.archive,
  };
};

export const tasks: TaskNode<PgPitrVars>[] = [
  local<PgPitrVars>('print the recovery plan', {
    tags: ['print', 'always'],
    print: true,
    run: (h) => {
      const p = plan(h);
      const where = p.side ? `a copy in ${p.data} (port ${p.port}) beside the running cluster` : `the whole cluster ${h.vars.pg_cluster} (${(h.vars.pg_cluster_members ?? []).join(', ')})`;
      const role = isPrimary(h) ? `restores on this primary: ${restoreCommand(h)}` : p.side ? 'not involved' : 'stops, then is re-cloned from the restored primary';
      return {
        msg: `PITR of ${where} from stanza ${p.cluster} (${h.vars.pitr_repo.name} repository) to ${describeTarget(p)}, action ${p.action}, archive ${p.archive ? 'kept' : 'off until the follow-up'}; ${h.vars.pg_instance} ${role}`,
      };
    },
  }),

  // ------------------------------------------------------------------------------------------ down
  block<PgPitrVars>({
    name: 'down',
    tags: ['down'],
    when: whole,
    tasks: [
      task<PgPitrVars>('is patroni running', {
        tags: ['pause'],
        check_mode: false,
        changed_when: () => false,
        failed_when: () => false,
        register: 'pitr_patroni_active',
        do: () => command({ cmd: ['systemctl', 'is-active', 'patroni'] }),
      }),
      task<PgPitrVars>('pause patroni', {
        tags: ['pause'],
        run_once: true,
        when: (h) => h.reg.pitr_patroni_active?.stdout?.trim() === 'active',
        become_user: dbsu,
        changed_when: (r) => !/already paused/i.test(`${r.stdout}${r.stderr}`),
        failed_when: (r) => r.rc !== 0 && !/already paused/i.test(`${r.stdout}${r.stderr}`),
        do: (h) => shell({ cmd: `${patronictl(h, ['pause', h.vars.pg_cluster, '--wait'])} 2>&1`, timeout: 120 }),
      }),
      block<PgPitrVars>({
        name: 'stop',
        tags: ['stop'],
        tasks: [
          task<PgPitrVars>('stop patroni on the replicas', {
            tags: ['stop_patroni'],
            when: (h) => !isPrimary(h),
            do: () => service({ name: 'patroni', state: 'stopped' }),
          }),
          task<PgPitrVars>('stop patroni on the primary', {
            tags: ['stop_patroni'],
            when: (h) => isPrimary(h),
            do: () => service({ name: 'patroni', state: 'stopped' }),
          }),
          task<PgPitrVars>('stop postgres', {
            tags: ['stop_postgres'],
            become_user: dbsu,
            changed_when: (r) => /stopped/.test(r.stdout ?? ''),
            do: (h) =>
              shell({
                cmd: stopCommand(h, h.vars.pg_data),
                timeout: 330,
              }),
          }),
        ],
      }),
    ],
  }),

  // ------------------------------------------------------------------------------------------ pitr
  block<PgPitrVars>({
    name: 'pitr',
    tags: ['pitr'],
    when: onPrimary,
    become_user: dbsu,
    tasks: [
      block<PgPitrVars>({
        name: 'config',
        tags: ['config'],
        tasks: [
          task<PgPitrVars>('create /pg/tmp', { do: (h) => file({ path: '/pg/tmp', state: 'directory', owner: dbsu(h), group: 'postgres', mode: '0700' }) }),
          task<PgPitrVars>('render /pg/conf/pitr.conf', {
            do: (h) => template({ src: fileBeside(import.meta.url, '../templates/pitr.conf.hbs'), dest: PITR_CONF, vars: pitrConfVars(h), owner: dbsu(h), group: 'postgres', mode: '0600', secret: true }),
          }),
        ],
      }),
      block<PgPitrVars>({
        name: 'restore',
        tags: ['restore'],
        tasks: [
          task<PgPitrVars>('patroni is stopped', {
            when: whole,
            become_user: 'root',
            check_mode: false,
            changed_when: () => false,
            // check mode only pretends the down step stopped it
            failed_when: (r, h) => !h.check && r.stdout?.trim() === 'active',
            do: () => shell({ cmd: 'systemctl is-active patroni || true' }),
          }),
          task<PgPitrVars>('stop postgres in the target directory', {
            // e.g. the instance paused at an earlier target: -t pitr again tries another one
            changed_when: (r) => /stopped/.test(r.stdout ?? ''),
            do: (h) =>
              shell({ cmd: stopCommand(h, data(h)), timeout: 330 }),
          }),
          task<PgPitrVars>('create the target directory', { do: (h) => file({ path: data(h), state: 'directory', owner: dbsu(h), group: 'postgres', mode: '0700' }) }),
          task<PgPitrVars>('pgbackrest restore', {
            awaits: 'pgbackrest restore',
            register: 'pitr_restore',
            do: (h) => shell({ cmd: `${restoreCommand(h)} 2>&1`, timeout: 24 * 3600 }),
          }),
          task<PgPitrVars>("clear the archive-push spool of the cluster's stanza", {
            when: whole,
            changed_when: (r) => /cleared/.test(r.stdout ?? ''),
            do: clearPushSpool,
          }),
          local<PgPitrVars>('restore result', {
            when: (h) => ran(h.reg.pitr_restore),
            run: (h) => {
              const out = h.reg.pitr_restore.stdout ?? '';
              const pick = out.split('\n').filter((l) => /restore backup set|restore size|remove invalid|command end/.test(l)).map((l) => l.replace(/^.*?(INFO|WARN): /, ''));
              return { msg: pick.join('; ') || 'restored' };
            },
          }),
        ],
      }),
      block<PgPitrVars>({
        name: 'recovery',
        tags: ['recovery'],
        tasks: [
          task<PgPitrVars>('start postgres alone to replay WAL', {
            register: 'pitr_started',
            do: (h) =>
              shell({
                cmd: [
                  sh`mkdir -p /pg/tmp && : > ${RECOVERY_LOG}`,
                  sh`if ${raw(bin(h, 'pg_ctl'))} -D ${data(h)} status >/dev/null 2>&1; then echo 'already running'; exit 0; fi`,
                  sh`${raw(bin(h, 'pg_ctl'))} -D ${data(h)} -W start -o ${standaloneOpts(h)} >/dev/null`,
                ].join('\n'),
              }),
          }),
          task<PgPitrVars>('wait for the recovery target', {
            awaits: 'WAL replay to the target (/pg/tmp/recovery.log)',
            check_mode: false,
            changed_when: () => false,
            register: 'pitr_recovery',
            do: (h) => (h.check ? shell({ cmd: 'echo state=check' }) : recoveryScript(h, 'wait', 24 * 3600)),
          }),
          local<PgPitrVars>('recovery reached the target', {
            run: (h) => {
              const r = kv(h.reg.pitr_recovery);
              if (h.check || r.state === 'check') return { msg: 'not run in check mode' };
              const v = recoveryVerdict(r.state ?? 'down', h);
              const detail = [r.stops, r.tail].filter(Boolean).join(' ');
              return { failed: !v.ok, msg: `${v.msg}${detail ? ` | ${detail}` : ''}` };
            },
          }),
        ],
      }),
      block<PgPitrVars>({
        name: 'verify',
        tags: ['verify'],
        tasks: [
          task<PgPitrVars>('read pg_controldata', {
            check_mode: false,
            changed_when: () => false,
            failed_when: () => false,
            register: 'pitr_control',
            do: (h) => shell({ cmd: sh`LC_ALL=C ${raw(bin(h, 'pg_controldata'))} ${data(h)}` }),
          }),
          task<PgPitrVars>('read the recovered state', {
            check_mode: false,
            failed_when: () => false,
            register: 'pitr_state',
            do: (h) =>
              pg_query({
                port: plan(h).port,
                dbsu: dbsu(h),
                sql: `SELECT pg_is_in_recovery() AS in_recovery,
                        CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() ELSE 'promoted' END AS state,
                        coalesce(pg_last_wal_replay_lsn(), pg_current_wal_insert_lsn())::text AS lsn,
                        pg_last_xact_replay_timestamp()::text AS last_xact,
                        (SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datallowconn) AS databases`,
              }),
          }),
          local<PgPitrVars>('verify the recovered instance', {
            print: true,
            run: (h) => {
              if (h.check) return { msg: 'not run in check mode' };
              const row = (h.reg.pitr_state?.data as { rows?: Record<string, string>[] })?.rows?.[0];
              const ctl = controlSummary(h.reg.pitr_control?.stdout ?? '');
              const state = row ? `${row.state} at lsn ${row.lsn}, last replayed transaction ${row.last_xact ?? '-'}, databases ${row.databases}` : 'not running';
              return { msg: `${h.vars.pg_instance}: ${state} | control data: ${ctl}` };
            },
          }),
          local<PgPitrVars>('the restored instance beside the cluster', {
            // a restore beside the cluster (pg_pitr.data) stays running for inspection
            when: side,
            print: true,
            run: (h) => ({
              msg: `restored into ${data(h)}, running alone on port ${plan(h).port} (socket ${h.vars.pg_localhost}), not managed by Patroni: psql -p ${plan(h).port}; when done: pg_ctl -D ${data(h)} stop -m fast && rm -rf ${data(h)}`,
            }),
          }),
        ],
      }),
    ],
  }),

  // -------------------------------------------------------------------------------------------- up
  block<PgPitrVars>({
    name: 'up',
    tags: ['up'],
    when: whole,
    tasks: [
      task<PgPitrVars>('remove the cluster state from etcd', {
        tags: ['etcd'],
        when: (h) => isPrimary(h) && etcdEndpoints(h).length > 0,
        register: 'pitr_etcd',
        changed_when: (r) => /^deleted/m.test(r.stdout ?? ''),
        do: (h) => dcsCleanup(dcsPrefix(h.vars), etcdEndpoints(h)),
      }),
      block<PgPitrVars>({
        name: 'start',
        tags: ['start'],
        tasks: [
          block<PgPitrVars>({
            name: 'start_postgres',
            tags: ['start_postgres'],
            when: isPrimary,
            become_user: dbsu,
            tasks: [
              task<PgPitrVars>('is patroni running on the primary', {
                become_user: 'root',
                check_mode: false,
                changed_when: () => false,
                failed_when: () => false,
                register: 'pitr_patroni_now',
                do: () => command({ cmd: ['systemctl', 'is-active', 'patroni'] }),
              }),
              task<PgPitrVars>('promote at the target and stop', {
                // recovery.signal still there: paused at the target (or stopped there); promote it
                // now, while it stands at the target: Patroni would replay from its own start
                when: (h) => h.reg.pitr_patroni_now?.stdout?.trim() !== 'active',
                register: 'pitr_promoted',
                changed_when: (r) => /promoted|stopped/.test(r.stdout ?? ''),
                do: (h) => recoveryScript(h, 'promote', 24 * 3600, standaloneOpts(h, '-c recovery_target_action=pause')),
              }),
              task<PgPitrVars>('read postgresql.auto.conf', {
                when: (h) => h.reg.pitr_patroni_now?.stdout?.trim() !== 'active',
                check_mode: false,
                changed_when: () => false,
                register: 'pitr_autoconf',
                do: (h) => command({ cmd: ['cat', `${data(h)}/postgresql.auto.conf`] }),
              }),
              task<PgPitrVars>("remove pgBackRest's recovery settings", {
                // a replica cloned from this primary would inherit them and stop at the old target
                when: (h) => ran(h.reg.pitr_autoconf),
                do: (h) =>
                  copy({
                    dest: `${data(h)}/postgresql.auto.conf`,
                    content: cleanAutoConf((h.reg.pitr_autoconf.stdout ?? '') + '\n', !plan(h).archive).replace(/\n+$/, '\n'),
                    owner: dbsu(h),
                    group: 'postgres',
                    mode: '0600',
                  }),
              }),
              task<PgPitrVars>('remove the stale patroni.dynamic.json', {
                when: (h) => h.reg.pitr_patroni_now?.stdout?.trim() !== 'active',
                do: (h) => file({ path: `${data(h)}/patroni.dynamic.json`, state: 'absent' }),
              }),
            ],
          }),
          block<PgPitrVars>({
            name: 'start_patroni',
            tags: ['start_patroni'],
            tasks: [
              task<PgPitrVars>('start patroni on the primary', {
                when: isPrimary,
                do: () => service({ name: 'patroni', state: 'started', enabled: true }),
              }),
              task<PgPitrVars>('wait for the primary to lead', {
                when: isPrimary,
                awaits: 'Patroni takes the leader key and promotes',
                check_mode: false,
                failed_when: () => false,
                until: (r) => (r.data as { status?: number } | undefined)?.status === 200,
                retries: 150,
                delay: 2,
                do: (h) => http({ url: `http://${h.name}:${h.vars.patroni_port}/primary`, status: [200, 503], timeout: 5 }),
              }),
              task<PgPitrVars>('empty the replica data directory', {
                // its history diverged (or is another system's): it is re-cloned from the new primary
                when: (h) => !isPrimary(h),
                become_user: dbsu,
                changed_when: (r) => /emptied/.test(r.stdout ?? ''),
                do: (h) =>
                  shell({
                    cmd: sh`d=${h.vars.pg_data}; if ${raw(bin(h, 'pg_ctl'))} -D "$d" status >/dev/null 2>&1; then echo "postgres still runs in $d" >&2; exit 1; fi; if [ -n "$(ls -A "$d" 2>/dev/null)" ]; then find "$d" -mindepth 1 -delete && echo emptied; fi`,
                  }),
              }),
              task<PgPitrVars>("clear the replica's archive-push spool", {
                // a replica promoted later archives under the stanza too
                when: (h) => !isPrimary(h),
                become_user: dbsu,
                changed_when: (r) => /cleared/.test(r.stdout ?? ''),
                do: clearPushSpool,
              }),
              task<PgPitrVars>('start patroni on the replicas', {
                when: (h) => !isPrimary(h),
                do: () => service({ name: 'patroni', state: 'started', enabled: true }),
              }),
              task<PgPitrVars>('wait for the replicas to stream', {
                when: (h) => !isPrimary(h),
                awaits: 'replica re-cloned from the new primary and streaming',
                check_mode: false,
                failed_when: () => false,
                until: (r) => r.status === 'ok' && ((r.data as { rows?: Record<string, string>[] })?.rows?.[0]?.status ?? '') === 'streaming',
                retries: 450,
                delay: 2,
                do: (h) => pg_query({ port: h.vars.pg_port, dbsu: dbsu(h), sql: `SELECT coalesce((SELECT status FROM pg_stat_wal_receiver LIMIT 1), 'none') AS status` }),
              }),
            ],
          }),
        ],
      }),
      task<PgPitrVars>('resume patroni', {
        tags: ['resume'],
        when: isPrimary,
        become_user: dbsu,
        changed_when: (r) => !/not paused/i.test(`${r.stdout}${r.stderr}`),
        failed_when: (r) => r.rc !== 0 && !/not paused/i.test(`${r.stdout}${r.stderr}`),
        do: (h) => shell({ cmd: `${patronictl(h, ['resume', h.vars.pg_cluster, '--wait'])} 2>&1`, timeout: 120 }),
      }),
      ...followup,
    ],
  }),

];
