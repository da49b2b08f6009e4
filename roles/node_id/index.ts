/** node_id: node identity (nodename, node_cluster), derived before any host is contacted. */
import { role } from '../../src/api/playbook.js';
import { defaults, type NodeIdVars } from './defaults.js';
import { schema } from './schema.js';
import { prepareNodeId } from './identity.js';
import { tasks } from './tasks/main.js';

export const nodeId = role<NodeIdVars>({ name: 'node_id', defaults: defaults as Partial<NodeIdVars>, schema, prepare: prepareNodeId, tasks });
export default nodeId;
export type { NodeIdVars, NodeIdParams } from './defaults.js';
