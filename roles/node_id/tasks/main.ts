/** [always, node-id] Fills nodename from the hostname when it is not set, and prints the identity. */
import { local } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import type { NodeIdVars } from '../defaults.js';

export const tasks: TaskNode<NodeIdVars>[] = [
  local<NodeIdVars>('node identity', {
    tags: ['always', 'node-id'],
    run: (h) => {
      const nodename = h.vars.nodename || h.facts.hostname;
      const tags = [
        h.inventory.groupNames(h.name).includes('etcd') ? '[ETCD]' : '',
        typeof h.vars.pg_cluster === 'string' ? `[PGSQL: ${h.vars.pg_cluster}]` : '',
      ].filter(Boolean);
      return {
        set: h.vars.nodename ? undefined : { nodename },
        msg: `nodename: ${nodename}, node_cluster: ${h.vars.node_cluster}, spec: ${h.facts.cpu_count}c${Math.ceil(h.facts.mem_mb / 1024)}g, os: ${h.facts.os_id}.${h.facts.os_version} ${h.facts.arch} ${tags.join(' ')}`.trim(),
      };
    },
  }),
];
