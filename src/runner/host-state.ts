/**
 * Everything the runner keeps about one host during a run: its variable layers, facts, registered
 * results, stats, failure state and queued handler notifications.
 */
import type { Facts, TaskResult, Vars } from '../api/types.js';
import type { Inventory } from '../inventory/types.js';
import { hostVars } from '../inventory/index.js';
import { emptyStats, type HostStats } from '../output/events.js';

export interface PlayLayers {
  defaults: Vars;
  play?: Vars;
  derived?: Vars;
  extra: Vars;
}

export class HostState {
  facts?: Facts;
  readonly reg: Record<string, TaskResult> = {};
  readonly stats: HostStats = emptyStats();
  failed = false;
  unreachable = false;
  /** Handler names/topics notified and not yet run. */
  readonly notified = new Set<string>();
  private setVars: Vars = {};
  private layers: PlayLayers = { defaults: {}, extra: {} };
  private cache?: Vars;

  constructor(readonly name: string, private readonly inv: Inventory) {}

  get active(): boolean {
    return !this.failed && !this.unreachable;
  }

  /** Was the host in a play (and not only a delegate or a hostvars lookup)? */
  played = false;

  enterPlay(layers: PlayLayers): void {
    this.played = true;
    this.layers = layers;
    this.cache = undefined;
  }

  vars(): Vars {
    return (this.cache ??= hostVars(this.inv, this.name, { ...this.layers, set: this.setVars }).vars);
  }

  set(v: Vars): void {
    this.setVars = { ...this.setVars, ...v };
    this.cache = undefined;
  }
}

/** Facts of a host whose play did not gather them: empty but well-typed. */
export const NO_FACTS: Facts = {
  hostname: '', fqdn: '', os_id: '', os_version: '', os_codename: '', os_pretty: '', kernel: '', arch: '',
  cpu_count: 1, mem_mb: 0, swap_mb: 0, disks: [], systemd: false, virtualization: '', pg_versions: [],
  user: '', uid: -1, default_ipv4: '', ipv4_addresses: [],
};
