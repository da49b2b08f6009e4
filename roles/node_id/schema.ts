/** JSON schema of node_id's parameters. */
import { paramSchema } from '../../src/api/params.js';
import type { NodeIdParams } from './defaults.js';
export const schema = paramSchema<NodeIdParams>({
    nodename: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$', description: 'a hostname: letters, digits, dots and dashes' },
    node_cluster: { type: 'string', pattern: '^[A-Za-z0-9-]+$' },
    nodename_overwrite: { type: 'boolean' },
    nodename_exchange: { type: 'boolean' },
    node_id_from_pg: { type: 'boolean' },
});
