/** JSON schema of node_id's parameters. */
export const schema = {
  type: 'object',
  properties: {
    nodename: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$', description: 'a hostname: letters, digits, dots and dashes' },
    node_cluster: { type: 'string', pattern: '^[A-Za-z0-9-]+$' },
    nodename_overwrite: { type: 'boolean' },
    nodename_exchange: { type: 'boolean' },
    node_id_from_pg: { type: 'boolean' },
  },
} as const;
