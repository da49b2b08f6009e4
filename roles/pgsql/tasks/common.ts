/** Small helpers shared by the pgsql task files. */
import type { HostCtx, TaskNode, TaskResult } from '../../../src/api/types.js';
import { local, task } from '../../../src/api/playbook.js';
import { pg_query } from '../../../src/operations/index.js';
import type { PgsqlVars } from '../defaults.js';
import { ran } from '../../../src/api/results.js';

export type H = HostCtx<PgsqlVars>;

export const PATRONI_CONF = '/etc/patroni/patroni.yml';
export const patronictl = (h: H) => `/usr/bin/patronictl -c ${PATRONI_CONF}`;

export { cell, jsonCell, psql } from '../../lib/psql.js';
import { cell } from '../../lib/psql.js';

/** Is PostgreSQL of this instance up (from the pg_state probe)? */
export const pgRunning = (h: H) => ran(h.reg.pg_state) && !!cell(h.reg.pg_state);

/** Instance name for messages. */
export const ins = (h: H) => `${h.vars.pg_instance} @ ${h.name}`;

/**
 * failed_when for steps that need what an earlier step of the same run installs or starts (a unit,
 * a listening port): in --check on a fresh host that earlier step only reported, so these are not
 * failures there. Outside check mode nothing is tolerated.
 */
export const failedUnlessCheck = (r: TaskResult, h: H) => r.failed && !h.check;

/**
 * Users and databases are written on the member that is the leader now, whatever the inventory
 * says (after a failover the inventory's primary is a replica). The inventory's primary warns when
 * it is not the leader. A standby cluster (pg_upstream) is read-only: nothing is provisioned there.
 */
export function leaderProbe(register: string): TaskNode<PgsqlVars>[] {
  return [
    task<PgsqlVars>('find the current leader', {
      check_mode: false,
      failed_when: () => false,
      register,
      do: (h) => pg_query({ sql: 'SELECT pg_is_in_recovery()', port: h.vars.pg_port, dbsu: h.vars.pg_dbsu }),
    }),
    local<PgsqlVars>('warn when the inventory primary is not the leader', {
      when: (h) => h.vars.pg_role === 'primary' && !h.vars.pg_upstream && cell(h.reg[register]) === 't',
      run: (h) => ({
        msg: 'not the leader',
        warnings: [`${ins(h)} has pg_role: primary but is a replica now (a failover happened?): provisioning runs on the current leader if it is in the play; update pg_role in the inventory`],
      }),
    }),
  ];
}

/** This member is the writable leader (and not a standby cluster). */
export const isLeader = (h: H, register: string) => !h.vars.pg_upstream && cell(h.reg[register]) === 'f';
