/** etcd: a static etcd v3 cluster from the `etcd` group (Debian's etcd-server), the DCS of Patroni. */
import { role } from '../../src/api/playbook.js';
import { defaults, type EtcdVars } from './defaults.js';
import { schema } from './schema.js';
import { prepareEtcd } from './identity.js';
import { tasks } from './tasks/main.js';

export const etcd = role<EtcdVars>({ name: 'etcd', defaults: defaults as Partial<EtcdVars>, schema, prepare: prepareEtcd, tasks });
export default etcd;
export type { EtcdVars, EtcdParams } from './defaults.js';
