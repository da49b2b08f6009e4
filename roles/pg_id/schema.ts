/** JSON schema (ajv) of pg_id's parameters: merged host vars are checked before anything runs. */
import { PG_ROLES } from './defaults.js';

export const schema = {
  type: 'object',
  properties: {
    pg_cluster: {
      type: 'string',
      pattern: '^[A-Za-z0-9-]+$',
      not: { const: 'root' },
      description: 'cluster name: letters, digits and dashes, not root',
    },
    pg_seq: {
      anyOf: [
        { type: 'integer', minimum: 0 },
        { type: 'string', pattern: '^[0-9]+$' },
      ],
      description: 'instance number: a non-negative integer unique in the cluster',
    },
    pg_role: { type: 'string', enum: [...PG_ROLES], description: 'instance role' },
    pg_mode: { type: 'string', enum: ['pgsql'] },
    pg_upstream: { type: 'string', pattern: '^[0-9]{1,3}(\\.[0-9]{1,3}){3}$' },
    pg_offline_query: { type: 'boolean' },
    pg_weight: { type: 'integer', minimum: 0, maximum: 255 },
    pg_port: { type: 'integer', minimum: 1, maximum: 65535 },
  },
} as const;
