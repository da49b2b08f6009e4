/**
 * [pg_provision, pg_user] Roles and users (pg_default_roles, then pg_users) on the primary: read
 * pg_authid once, plan only what differs (lib/users.ts), apply it in one psql session. Passwords
 * are compared with the stored SCRAM verifiers and set as verifiers computed here, in a no_log task.
 */
import { assert, block, local, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { command, pg_query } from '../../../src/operations/index.js';
import type { PgsqlVars } from '../defaults.js';
import { planScript, type Change } from '../lib/sql.js';
import { planUsers, readRolesSql, systemRoles, wantedRoles, USER_NAME_RE, type RoleState } from '../lib/users.js';
import { isLeader, jsonCell, leaderProbe, psql, type H } from './common.js';
import { ran } from '../../../src/api/results.js';

const plan = (h: H): Change[] => h.vars.pg_user_plan ?? [];

export const tasks: TaskNode<PgsqlVars>[] = [
  ...leaderProbe('pg_user_leader'),
  block<PgsqlVars>({
    name: 'create postgres users',
    when: (h) => h.vars.pg_provision && isLeader(h, 'pg_user_leader'),
    tasks: [
      assert<PgsqlVars>('validate user names', (h) => {
        const bad = wantedRoles(h.vars).map((u) => u.name).filter((n) => !USER_NAME_RE.test(n));
        return bad.length ? `invalid user name(s) ${bad.join(', ')}: must match ${USER_NAME_RE.source}` : true;
      }, { tags: ['pg_user_validate'] }),
      task<PgsqlVars>('read current roles', {
        tags: ['pg_user_config', 'pg_user_create'],
        check_mode: false,
        no_log: true,
        register: 'pg_roles_current',
        do: (h) => pg_query({ sql: readRolesSql(wantedRoles(h.vars).map((u) => u.name)), port: h.vars.pg_port, dbsu: h.vars.pg_dbsu }),
      }),
      local<PgsqlVars>('plan role changes', {
        tags: ['pg_user_config', 'pg_user_create'],
        when: (h) => ran(h.reg.pg_roles_current),
        run: (h) => {
          const changes = planUsers(wantedRoles(h.vars), jsonCell<RoleState[]>(h.reg.pg_roles_current, []), {
            pwdEnc: h.vars.pg_pwd_enc,
            system: systemRoles(h.vars),
          });
          const shown = changes.map((c) => c.desc);
          return {
            set: { pg_user_plan: changes },
            changed: h.check && changes.length > 0,
            msg: shown.length ? `${shown.length} change(s): ${shown.join('; ')}` : 'roles up to date',
          };
        },
      }),
      task<PgsqlVars>('create and alter roles', {
        tags: ['pg_user_create'],
        when: (h) => !h.check && plan(h).some((c) => !c.secret),
        become_user: (h) => h.vars.pg_dbsu,
        do: (h) => command({ cmd: psql(h, 'postgres', '-f -'), stdin: planScript(plan(h).filter((c) => !c.secret)) }),
      }),
      task<PgsqlVars>('set role passwords', {
        tags: ['pg_user_create'],
        when: (h) => !h.check && plan(h).some((c) => c.secret),
        no_log: true,
        become_user: (h) => h.vars.pg_dbsu,
        do: (h) => command({ cmd: psql(h, 'postgres', '-f -'), stdin: 'SET log_statement = none;\n' + planScript(plan(h).filter((c) => c.secret)) }),
      }),
    ],
  }),
];
