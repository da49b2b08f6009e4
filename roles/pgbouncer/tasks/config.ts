/**
 * [pgbouncer_config] pgbouncer.ini, its unit, the database list and user options;
 * [pgbouncer_hba] pgb_hba.conf; [pgbouncer_user] userlist.txt with the SCRAM verifiers read from
 * pg_authid on this instance (and monitor.pgbouncer_auth() when pgbouncer_auth_query is on).
 * Files holding passwords are 0600 and never shown in diffs.
 */
import { block, fileBeside, local, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { registerSecret } from '../../../src/api/secrets.js';
import { command, copy, pg_query, template } from '../../../src/operations/index.js';
import { lit } from '../../../src/operations/sql-quote.js';
import { cell, jsonCell, psql } from '../../lib/psql.js';
import type { PgbouncerVars } from '../defaults.js';
import { databaseFile, pooledDatabases, renderPgbHba, userlistFile, userlistNames, userOptsFile } from '../lib/pgbouncer.js';
import { hbaContext } from '../../pgsql/lib/hba.js';
import { listenAddr, PGB_DIR, PGB_STAMP, type H } from './common.js';
import { ran } from '../../../src/api/results.js';

const tpl = (name: string) => fileBeside(import.meta.url, `../templates/${name}`);
const owned = (h: H, mode: string) => ({ owner: h.vars.pg_dbsu, group: 'postgres', mode });

export const AUTH_FN_SQL = `CREATE SCHEMA IF NOT EXISTS monitor;
CREATE OR REPLACE FUNCTION monitor.pgbouncer_auth(p_username TEXT) RETURNS TABLE(username TEXT, password TEXT) SET search_path = '' AS
$$BEGIN
    RAISE WARNING 'PgBouncer auth request: %', p_username;
    RETURN QUERY SELECT rolname::TEXT, rolpassword::TEXT FROM pg_authid WHERE NOT rolsuper AND rolname = p_username;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER;
REVOKE ALL ON FUNCTION monitor.pgbouncer_auth(p_username TEXT) FROM PUBLIC;
`;

export const config: TaskNode<PgbouncerVars>[] = [
  task<PgbouncerVars>('render pgbouncer unit', {
    register: 'pgb_unit',
    do: (h) => template({ src: tpl('pgbouncer.service.hbs'), dest: '/etc/systemd/system/pgbouncer.service', vars: { v: h.vars, stamp: PGB_STAMP }, owner: 'root', group: 'root', mode: '0644' }),
  }),
  task<PgbouncerVars>('render pgbouncer.ini', {
    register: 'pgb_ini',
    do: (h) =>
      template({
        src: tpl('pgbouncer.ini.hbs'),
        dest: `${PGB_DIR}/pgbouncer.ini`,
        vars: { v: h.vars, host: h.name, listen_addr: listenAddr(h), tls: h.vars.pgbouncer_sslmode !== 'disable' },
        ...owned(h, '0640'),
      }),
  }),
  task<PgbouncerVars>('render pgbouncer databases', {
    register: 'pgb_db',
    do: (h) => copy({ dest: `${PGB_DIR}/database.txt`, content: databaseFile(h.vars), ...owned(h, '0600') }),
  }),
  task<PgbouncerVars>('render pgbouncer user options', {
    register: 'pgb_useropts',
    do: (h) => copy({ dest: `${PGB_DIR}/useropts.txt`, content: userOptsFile(h.vars), ...owned(h, '0600') }),
  }),
  block<PgbouncerVars>({
    name: 'pgbouncer hba rules',
    tags: ['pgbouncer_hba'],
    tasks: [
      task<PgbouncerVars>('render pgbouncer hba rules', {
        register: 'pgb_hba',
        do: (h) => {
          const lines = renderPgbHba([...(h.vars.pgb_default_hba_rules ?? []), ...(h.vars.pgb_hba_rules ?? [])], hbaContext(h));
          return template({ src: tpl('pgb_hba.conf.hbs'), dest: `${PGB_DIR}/pgb_hba.conf`, vars: { v: h.vars, host: h.name, lines, infra: hbaContext(h).infra }, ...owned(h, '0600') });
        },
      }),
    ],
  }),
  block<PgbouncerVars>({
    name: 'pgbouncer users',
    tags: ['pgbouncer_user'],
    tasks: [
      block<PgbouncerVars>({
        name: 'auth query function',
        // created on whichever member leads now (replicas receive it by replication)
        when: (h) => h.vars.pgbouncer_auth_query && !h.vars.pg_upstream,
        tasks: [
          task<PgbouncerVars, string>('check monitor.pgbouncer_auth', {
            check_mode: false,
            register: 'pgb_authfn',
            loop: (h) => ['template1', ...pooledDatabases(h.vars).map((d) => d.name)],
            do: (h, db) => pg_query({ sql: `SELECT (pg_is_in_recovery() OR to_regprocedure('monitor.pgbouncer_auth(text)') IS NOT NULL)::text AS present`, db, port: h.vars.pg_port, dbsu: h.vars.pg_dbsu }),
          }),
          task<PgbouncerVars, string>('create monitor.pgbouncer_auth', {
            loop: (h) => (h.reg.pgb_authfn?.results ?? []).filter((r) => ran(r) && cell(r) !== 'true').map((r) => String(r.item)),
            become_user: (h) => h.vars.pg_dbsu,
            do: (h, db) => command({ cmd: psql(h, db, '-f -'), stdin: AUTH_FN_SQL }),
          }),
        ],
      }),
      task<PgbouncerVars>('read user passwords from pg_authid', {
        check_mode: false,
        no_log: true,
        failed_when: () => false,
        register: 'pgb_authid',
        // a user just created on the primary may not have replicated to this instance yet
        until: (r, h) => !ran(r) || userlistNames(h.vars).every((n) => n in jsonCell<Record<string, unknown>>(r, {})),
        retries: 5,
        delay: 1,
        do: (h) =>
          pg_query({
            sql: `SELECT coalesce(json_object_agg(rolname, rolpassword), '{}')::text AS v FROM pg_authid WHERE rolname = ANY(ARRAY[${userlistNames(h.vars).map(lit).join(',') || "''"}]::text[])`,
            port: h.vars.pg_port,
            dbsu: h.vars.pg_dbsu,
          }),
      }),
      local<PgbouncerVars>('build pgbouncer userlist', {
        no_log: true,
        run: (h) => {
          if (!ran(h.reg.pgb_authid)) {
            return {
              set: { pgb_userlist: null },
              msg: 'postgres is not reachable',
              warnings: [`${h.vars.pg_instance}: cannot read pg_authid (is postgres running?): userlist.txt left as it is`],
            };
          }
          const verifiers = jsonCell<Record<string, string | null>>(h.reg.pgb_authid, {});
          for (const v of Object.values(verifiers)) registerSecret(v);
          const { text, missing } = userlistFile(h.vars.pg_dbsu, userlistNames(h.vars), verifiers);
          return {
            set: { pgb_userlist: text },
            msg: `${userlistNames(h.vars).length - missing.length} user(s)`,
            warnings: missing.length ? [`${h.vars.pg_instance}: user(s) ${missing.join(', ')} not in pg_authid yet: left out of pgbouncer's userlist (create them with -t pg_user, then run -t pgbouncer_user)`] : undefined,
          };
        },
      }),
      task<PgbouncerVars>('render pgbouncer userlist', {
        when: (h) => typeof h.vars.pgb_userlist === 'string',
        no_log: true,
        register: 'pgb_userlist_file',
        do: (h) => copy({ dest: `${PGB_DIR}/userlist.txt`, content: String(h.vars.pgb_userlist), ...owned(h, '0600'), secret: true }),
      }),
    ],
  }),
];

/** Did this run change (or, in check mode, would it change) a file pgbouncer reads? */
export const configChanged = (h: H) => ['pgb_ini', 'pgb_db', 'pgb_useropts', 'pgb_hba', 'pgb_userlist_file'].some((k) => !!h.reg[k]?.changed);
