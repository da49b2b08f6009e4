/** Kernel settings per node_tune profile (the [sysctl] part of Pigsty's tuned profiles). */
import type { NodeTune } from './defaults.js';

const common: Record<string, string | number> = {
  'kernel.numa_balancing': 0,
  'kernel.sched_autogroup_enabled': 0,
  'kernel.shmmni': 8192,
  'kernel.msgmni': 32768,
  'kernel.sem': '4096 524288 2048 8192',
  'vm.zone_reclaim_mode': 0,
  'vm.mmap_min_addr': 65536,
  'fs.aio-max-nr': 1048576,
  'net.core.somaxconn': 65535,
  'net.core.netdev_max_backlog': 8192,
  'net.ipv4.ip_local_port_range': '10000 64999',
  'net.ipv4.tcp_synack_retries': 3,
  'net.ipv4.tcp_syn_retries': 3,
  'net.ipv4.tcp_max_syn_backlog': 8192,
};

const profiles: Record<Exclude<NodeTune, 'none'>, Record<string, string | number>> = {
  oltp: { ...common, 'vm.swappiness': 1, 'vm.dirty_background_ratio': 3, 'vm.dirty_ratio': 15, 'fs.file-max': 16777216, 'net.ipv4.tcp_keepalive_time': 60, 'net.ipv4.tcp_keepalive_intvl': 20, 'net.ipv4.tcp_keepalive_probes': 3, 'net.ipv4.tcp_fin_timeout': 15, 'net.ipv4.tcp_tw_reuse': 1 },
  olap: { ...common, 'vm.swappiness': 1, 'vm.dirty_background_ratio': 10, 'vm.dirty_ratio': 80, 'fs.file-max': 134217728, 'net.ipv4.tcp_keepalive_time': 300, 'net.ipv4.tcp_keepalive_intvl': 60, 'net.ipv4.tcp_keepalive_probes': 5, 'net.ipv4.tcp_fin_timeout': 60, 'net.ipv4.tcp_tw_reuse': 0 },
  crit: { ...common, 'vm.swappiness': 1, 'vm.dirty_background_ratio': 3, 'vm.dirty_ratio': 10, 'fs.file-max': 16777216, 'net.ipv4.tcp_keepalive_time': 60, 'net.ipv4.tcp_keepalive_intvl': 20, 'net.ipv4.tcp_keepalive_probes': 3, 'net.ipv4.tcp_fin_timeout': 15, 'net.ipv4.tcp_tw_reuse': 1 },
  tiny: { 'kernel.sched_autogroup_enabled': 0, 'vm.swappiness': 10, 'vm.dirty_background_ratio': 5, 'vm.dirty_ratio': 20, 'net.core.somaxconn': 8192, 'net.ipv4.tcp_keepalive_time': 60 },
};

export function tuneSysctl(profile: NodeTune): Record<string, string | number> {
  return profile === 'none' ? {} : profiles[profile];
}

export function sysctlFile(profile: NodeTune): string {
  const lines = [`# managed by pgplay: node_tune = ${profile} (applied with sysctl -e -p; keys read-only in containers are skipped)`];
  for (const [k, v] of Object.entries(tuneSysctl(profile))) lines.push(`${k} = ${v}`);
  return lines.join('\n') + '\n';
}
