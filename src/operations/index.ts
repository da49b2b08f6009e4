/** The core modules: constructors returning Actions (what tasks `do`), and their argument types. */
export { command, shell, type CommandArgs } from './command.js';
export { file, type FileArgs } from './file.js';
export { copy, type CopyArgs, type FileAttrs, type WriteOptions } from './copy.js';
export { template, type TemplateArgs } from './template.js';
export { lineinfile, type LineInFileArgs } from './lineinfile.js';
export { blockinfile, type BlockInFileArgs } from './blockinfile.js';
export { apt, type AptArgs } from './package.js';
export { service, type ServiceArgs } from './service.js';
export { user, group, type UserArgs, type GroupArgs } from './user.js';
export { sysctl, type SysctlArgs } from './sysctl.js';
export { cron, type CronArgs } from './cron.js';
export { wait_for, type WaitForArgs } from './wait-for.js';
export { http, type HttpArgs, type HttpData } from './http.js';
export { pg_query, type PgQueryArgs, type PgQueryData } from './pg-query.js';
