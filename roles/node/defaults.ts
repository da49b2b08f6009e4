/**
 * node: node prerequisites, Pigsty's node role trimmed to what PostgreSQL hosts need on Debian.
 * Names and defaults follow Pigsty's roles/node/defaults/main.yml (deviations marked DEVIATION).
 */
import type { NodeIdParams } from '../node_id/defaults.js';

export type NodeTune = 'none' | 'oltp' | 'olap' | 'crit' | 'tiny';

export interface NodeParams {
  // NODE_DNS
  node_write_etc_hosts: boolean;
  /** `${admin_ip}` is replaced by admin_ip. */
  node_default_etc_hosts: string[];
  node_etc_hosts: string[];
  // NODE_PACKAGE
  node_packages: string[];
  /** DEVIATION: Debian package names (Pigsty picks per-distro lists from node_id/vars). */
  node_default_packages: string[];
  // NODE_TUNE
  node_tune: NodeTune;
  node_sysctl_params: Record<string, string | number>;
  // NODE_ADMIN
  node_data: string;
  node_admin_enabled: boolean;
  node_admin_uid: number;
  node_admin_username: string;
  node_admin_sudo: 'all' | 'nopass' | 'limit';
  node_admin_pk_list: string[];
  node_aliases: Record<string, string>;
  // NODE_TIME
  node_timezone: string;
  /** /etc/crontab lines (with the user field), written to /etc/cron.d/node_crontab. */
  node_crontab: string[];
  /** The admin node's address (Pigsty's infra parameter; `${admin_ip}` in node_default_etc_hosts). */
  admin_ip: string;
}

export type NodeVars = NodeParams & NodeIdParams;

export const defaults: NodeParams = {
  node_write_etc_hosts: true,
  node_default_etc_hosts: ['${admin_ip} i.pigsty'],
  node_etc_hosts: [],
  node_packages: ['openssh-server'],
  node_default_packages: [
    'ca-certificates,curl,sudo,acl,python3,python3-yaml,cron,logrotate,rsync,lz4,zstd,tar,tzdata,locales',
    'jq,less,lsof,psmisc,procps,iproute2,iputils-ping,netcat-openbsd,sysstat,vim-tiny',
  ],
  node_tune: 'oltp',
  node_sysctl_params: {},
  node_data: '/data',
  node_admin_enabled: true,
  node_admin_uid: 88,
  node_admin_username: 'dba',
  node_admin_sudo: 'nopass',
  node_admin_pk_list: [],
  node_aliases: {},
  node_timezone: '',
  node_crontab: [],
  admin_ip: '10.10.10.10',
};
