/** node: node prerequisites Pigsty-style, trimmed to Debian PostgreSQL hosts. See docs/node.md. */
import { role } from '../../src/api/playbook.js';
import { defaults, type NodeVars } from './defaults.js';
import { schema } from './schema.js';
import { tasks } from './tasks/main.js';

export const node = role<NodeVars>({ name: 'node', defaults: defaults as Partial<NodeVars>, schema, tasks });
export default node;
export type { NodeVars, NodeParams } from './defaults.js';
