/**
 * The pgbouncer role's task tree, tagged as Pigsty's pg_access/pgbouncer: pgbouncer_dir,
 * pgbouncer_config (pgbouncer_hba, pgbouncer_user), pgbouncer_launch, pgbouncer_reload.
 * pgbouncer_install is pgplay's (Pigsty installs the package in pg_pkg).
 */
import { block } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import type { PgbouncerVars } from '../defaults.js';
import { daemonTasks } from '../lib/daemon.js';
import { PGB_FILES, PGB_STAMP } from './common.js';
import { dirs, install } from './install.js';
import { config, configChanged } from './config.js';

const daemon = daemonTasks<PgbouncerVars>(
  {
    unit: 'pgbouncer',
    id: 'pgb',
    stamp: PGB_STAMP,
    watch: () => PGB_FILES,
    unitChanged: (h) => !!h.reg.pgb_unit?.changed,
    configChanged,
    port: (h) => ({ host: '127.0.0.1', port: h.vars.pgbouncer_port }),
    reloadWhen: (h) => h.vars.pg_reload,
    restartHint: 'listen_addr, listen_port and unix_socket_dir also need a restart',
  },
);

export const tasks: TaskNode<PgbouncerVars>[] = [
  block<PgbouncerVars>({
    name: 'pgbouncer',
    tags: ['pgbouncer'],
    when: (h) => h.vars.pgbouncer_enabled,
    tasks: [
      block<PgbouncerVars>({ name: 'pgbouncer package', tags: ['pgbouncer_install'], tasks: install }),
      block<PgbouncerVars>({ name: 'pgbouncer directories', tags: ['pgbouncer_dir'], tasks: dirs }),
      block<PgbouncerVars>({ name: 'pgbouncer config', tags: ['pgbouncer_config'], tasks: config }),
      block<PgbouncerVars>({ name: 'launch pgbouncer', tags: ['pgbouncer_launch'], tasks: daemon.launch }),
      block<PgbouncerVars>({ name: 'reload pgbouncer', tags: ['pgbouncer_reload'], tasks: [...daemon.reload] }),
    ],
  }),
];
