/** JSON schema (ajv) of pg_remove's switches (k=v extra vars stay strings, as in Ansible). */
const boolish = { anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', '1', '0', 'True', 'False'] }] } as const;

export const schema = {
  type: 'object',
  properties: { pg_safeguard: boolish, pg_rm_data: boolish, pg_rm_backup: boolish, pg_rm_pkg: boolish },
} as const;
