/** JSON schema (ajv) of the pg_service parameters. */
import { paramSchema } from '../../src/api/params.js';
import type { PgServiceParams } from './defaults.js';
const str = { type: 'string' } as const;
const port = { type: 'integer', minimum: 1, maximum: 65535 } as const;

export const serviceSchema = {
  type: 'object',
  required: ['name', 'port'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' },
    port,
    ip: str,
    selector: str,
    backup: str,
    dest: { anyOf: [{ enum: ['default', 'postgres', 'pgbouncer'] }, port] },
    check: { type: 'string', pattern: '^/' },
    maxconn: { type: 'integer', minimum: 1 },
    balance: { enum: ['roundrobin', 'leastconn', 'first', 'source', 'static-rr'] },
    options: str,
  },
  additionalProperties: false,
} as const;

export const schema = paramSchema<PgServiceParams>({
    pg_default_services: { type: 'array', items: serviceSchema },
    pg_services: { type: 'array', items: serviceSchema },
    pg_service_provider: { const: '', description: "only '' (HAProxy on every member) is supported" },
    haproxy_enabled: { type: 'boolean' },
    haproxy_reload: { type: 'boolean' },
    haproxy_auth_enabled: { type: 'boolean' },
    haproxy_admin_username: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
    haproxy_admin_password: { type: 'string', pattern: '^\\S+$' },
    haproxy_exporter_port: port,
    haproxy_client_timeout: { type: 'string', pattern: '^[0-9]+(us|ms|s|m|h|d)?$' },
    haproxy_server_timeout: { type: 'string', pattern: '^[0-9]+(us|ms|s|m|h|d)?$' },
    haproxy_maxconn: { type: 'integer', minimum: 1 },
});
