/**
 * [pg_provision, pg_db] Business databases (pg_databases) on the primary: read the catalog (and,
 * inside each existing database, schemas/extensions/privileges), plan only what differs
 * (lib/databases.ts) and apply it in one psql session.
 */
import { block, local, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { command, pg_query } from '../../../src/operations/index.js';
import type { PgDatabase, PgsqlVars } from '../defaults.js';
import { planScript, type Change } from '../lib/sql.js';
import { planDatabaseInner, planDatabases, readDatabasesSql, READ_DB_INNER_SQL, type DbInnerState, type DbPlanOptions, type DbState } from '../lib/databases.js';
import { isLeader, jsonCell, leaderProbe, psql, type H } from './common.js';
import { raw, sh } from '../../../src/operations/shell-quote.js';
import { sql } from '../../../src/operations/sql-quote.js';
import { ran } from '../../../src/api/results.js';

const plan = (h: H): Change[] => h.vars.pg_db_plan ?? [];
const names = (h: H) => (h.vars.pg_databases ?? []).map((d) => d.name);
/** template1 and the primary database get pg_default_schemas / pg_default_extensions (Pigsty's pg-init-template). */
export const templateDbs = (h: H): PgDatabase[] => {
  const schemas = h.vars.pg_default_schemas ?? [];
  const extensions = h.vars.pg_default_extensions ?? [];
  if (!schemas.length && !extensions.length) return [];
  return [...new Set(['template1', h.vars.pg_primary_db || 'postgres'])].map((name) => ({ name, schemas, extensions }));
};
const opts = (h: H): DbPlanOptions => ({
  pgVersion: h.vars.pg_version,
  replicationUser: h.vars.pg_replication_username,
  monitorUser: h.vars.pg_monitor_username,
  adminUser: h.vars.pg_admin_username,
  defaultPrivileges: h.vars.pg_default_privileges ?? [],
});

/** Shell script printing one JSON line per existing wanted database (its inner state). */
function readInnerScript(h: H): string {
  const lines = ['set -e'];
  for (const n of [...templateDbs(h).map((d) => d.name), ...names(h)]) {
    const exists = sh`${raw(psql(h, 'postgres', '-At'))} -c ${sql`SELECT 1 FROM pg_database WHERE datname = ${n} AND datallowconn`}`;
    lines.push(sh`if [ "$(${raw(exists)})" = 1 ]; then ${raw(psql(h, n, '-At'))} -c ${READ_DB_INNER_SQL}; fi`);
  }
  return lines.join('\n');
}

const emptyInner = (db: string): DbInnerState => ({ db, schemas: [], extensions: [], public_schema_create: false, admin_schema_create: true, default_acl: [] });

export const tasks: TaskNode<PgsqlVars>[] = [
  ...leaderProbe('pg_db_leader'),
  block<PgsqlVars>({
    name: 'create postgres databases',
    when: (h) => h.vars.pg_provision && (names(h).length > 0 || templateDbs(h).length > 0) && isLeader(h, 'pg_db_leader'),
    tasks: [
      task<PgsqlVars>('read current databases', {
        tags: ['pg_db_config', 'pg_db_create'],
        check_mode: false,
        register: 'pg_db_current',
        do: (h) => pg_query({ sql: readDatabasesSql(names(h)), port: h.vars.pg_port, dbsu: h.vars.pg_dbsu }),
      }),
      task<PgsqlVars>('read current database contents', {
        tags: ['pg_db_config', 'pg_db_create'],
        check_mode: false,
        changed_when: () => false,
        register: 'pg_db_inner',
        become_user: (h) => h.vars.pg_dbsu,
        do: (h) => command({ cmd: readInnerScript(h) }),
      }),
      local<PgsqlVars>('plan database changes', {
        tags: ['pg_db_config', 'pg_db_create'],
        when: (h) => ran(h.reg.pg_db_current) && ran(h.reg.pg_db_inner),
        run: (h) => {
          const current = jsonCell<DbState[]>(h.reg.pg_db_current, []);
          const inner = new Map<string, DbInnerState>();
          for (const line of (h.reg.pg_db_inner.stdout ?? '').split('\n')) {
            if (line.trim().startsWith('{')) {
              const s = JSON.parse(line) as DbInnerState;
              inner.set(s.db, s);
            }
          }
          const o = opts(h);
          const templ = templateDbs(h).flatMap((d) => planDatabaseInner(d, inner.get(d.name) ?? emptyInner(d.name), o).filter((c) => !/schema public/.test(c.desc)));
          const { changes, warnings } = planDatabases(h.vars.pg_databases, current, o);
          changes.unshift(...templ);
          for (const d of h.vars.pg_databases) changes.push(...planDatabaseInner(d, inner.get(d.name), o));
          const shown = changes.map((c) => c.desc);
          return {
            set: { pg_db_plan: changes },
            changed: h.check && changes.length > 0,
            warnings: warnings.map((w) => `${h.vars.pg_instance}: ${w}`),
            msg: shown.length ? `${shown.length} change(s): ${shown.join('; ')}` : 'databases up to date',
          };
        },
      }),
      task<PgsqlVars>('create and alter databases', {
        tags: ['pg_db_create'],
        when: (h) => !h.check && plan(h).length > 0,
        become_user: (h) => h.vars.pg_dbsu,
        do: (h) => command({ cmd: psql(h, 'postgres', '-f -'), stdin: planScript(plan(h)) }),
      }),
    ],
  }),
];
