/** JSON schema (ajv) of pg_remove's switches (k=v extra vars stay strings, as in Ansible). */
import { boolish, paramSchema } from '../../src/api/params.js';
import type { PgRemoveParams } from './defaults.js';

export const schema = paramSchema<PgRemoveParams>({ pg_safeguard: boolish, pg_rm_data: boolish, pg_rm_backup: boolish, pg_rm_pkg: boolish });
