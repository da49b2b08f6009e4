/** JSON schema (ajv) of the pgbackrest parameters. Repository entries are checked by the prepare hook. */
import { absPath, boolish, paramSchema, strList } from '../../src/api/params.js';
import type { PgbackrestParams } from './defaults.js';

export const schema = paramSchema<PgbackrestParams>({
    pgbackrest_enabled: boolish,
    pgbackrest_method: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' },
    pgbackrest_init_backup: boolish,
    pgbackrest_log_dir: absPath,
    pgbackrest_repo: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    },
    pgbackrest_packages: strList,
    pgbackrest_archive_queue_max: { type: 'string', pattern: '^[0-9]+(KiB|MiB|GiB|TiB|KB|MB|GB|TB)?$' },
});
