/** JSON schema of the node parameters. */
import { absPath, ipv4, paramSchema, strList } from '../../src/api/params.js';
import type { NodeParams } from './defaults.js';
export const schema = paramSchema<NodeParams>({
    node_write_etc_hosts: { type: 'boolean' },
    node_default_etc_hosts: strList,
    node_etc_hosts: strList,
    node_packages: strList,
    node_default_packages: strList,
    node_tune: { enum: ['none', 'oltp', 'olap', 'crit', 'tiny'] },
    node_sysctl_params: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
    node_data: absPath,
    node_admin_enabled: { type: 'boolean' },
    node_admin_uid: { type: 'integer', minimum: 1, maximum: 65535 },
    node_admin_username: { type: 'string', pattern: '^[a-z_][a-z0-9_-]*$' },
    node_admin_sudo: { enum: ['all', 'nopass', 'limit'] },
    node_admin_pk_list: strList,
    node_aliases: { type: 'object', additionalProperties: { type: 'string' } },
    node_timezone: { type: 'string' },
    node_crontab: strList,
    admin_ip: ipv4,
});
