/** JSON schema (ajv) of pg_pitr's parameters; the request itself is checked field by field in prepare (lib/pitr.ts). */
export const schema = {
  type: 'object',
  properties: {
    pg_pitr: { type: 'object', description: 'the point-in-time recovery request (docs/pitr.md)' },
    pg_namespace: { type: 'string', pattern: '^/' },
    etcd_port: { type: 'integer', minimum: 1, maximum: 65535 },
  },
} as const;
