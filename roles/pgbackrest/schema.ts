/** JSON schema (ajv) of the pgbackrest parameters. Repository entries are checked by the prepare hook. */
const boolish = { anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', '1', '0', 'True', 'False'] }] } as const;

export const schema = {
  type: 'object',
  properties: {
    pgbackrest_enabled: boolish,
    pgbackrest_method: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' },
    pgbackrest_init_backup: boolish,
    pgbackrest_log_dir: { type: 'string', pattern: '^/' },
    pgbackrest_repo: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    },
    pgbackrest_packages: { type: 'array', items: { type: 'string' } },
    pgbackrest_archive_queue_max: { type: 'string', pattern: '^[0-9]+(KiB|MiB|GiB|TiB|KB|MB|GB|TB)?$' },
    node_crontab: { type: 'array', items: { type: 'string' } },
  },
} as const;
