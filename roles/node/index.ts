/** node: node prerequisites Pigsty-style, trimmed to Debian PostgreSQL hosts. See docs/node.md. */
import { role } from '../../src/api/playbook.js';
import { installAhead, type Later } from '../install-ahead.js';
import { defaults, type NodeVars } from './defaults.js';
import { schema } from './schema.js';
import { tasks } from './tasks/main.js';

export const node = role<NodeVars>({ name: 'node', defaults: defaults as Partial<NodeVars>, schema, tasks });
export default node;

/** The node role whose node_pkg step also installs what the `later` roles will install on each host, in one transaction. */
export const nodeInstallingAhead = (later: Later[]) => role<NodeVars>({ ...node, tasks: installAhead(tasks, 'install node packages', later) });
export type { NodeVars, NodeParams } from './defaults.js';
