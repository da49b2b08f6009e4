/**
 * The engine's core contracts. Everything else (inventory, connectors, operations, runner,
 * roles) is written against these types. Keep this file small and stable.
 */
import type { Inventory } from '../inventory/types.js';

export type Vars = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Connections (src/connectors/*): one per host, reused for every task.
// ---------------------------------------------------------------------------------------------

export interface ExecOptions {
  /** Bytes written to the command's standard input (how files are shipped: no scp/sftp). */
  stdin?: string | Buffer;
  /** Run as this user (sudo -u / runuser when already root). Undefined: the connection's user, or root with become. */
  becomeUser?: string;
  /** Kill the command after this many milliseconds (rc 124). */
  timeoutMs?: number;
  env?: Record<string, string>;
}

export interface ExecResult {
  rc: number;
  stdout: string;
  stderr: string;
}

export interface Connection {
  /** Inventory name of the host. */
  readonly host: string;
  connect(): Promise<void>;
  /** Runs `command` with /bin/sh on the host. Never throws for a non-zero exit; throws UnreachableError when the transport fails. */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
  /** Number of exec round trips made so far (for the benchmark and `-v`). */
  readonly roundTrips: number;
}

// ---------------------------------------------------------------------------------------------
// Facts (src/facts/host.ts): gathered once per host in one round trip.
// ---------------------------------------------------------------------------------------------

export interface DiskFact {
  mount: string;
  device: string;
  fstype: string;
  size_mb: number;
  avail_mb: number;
}

export interface Facts {
  hostname: string;
  fqdn: string;
  os_id: string; // debian
  os_version: string; // 12
  os_codename: string; // bookworm
  os_pretty: string;
  kernel: string;
  arch: string;
  cpu_count: number;
  mem_mb: number;
  swap_mb: number;
  disks: DiskFact[];
  /** systemd runs as PID 1 */
  systemd: boolean;
  /** 'systemd-nspawn', 'docker', 'lxc', ... or '' on real hardware/VMs */
  virtualization: string;
  /** Major versions of PostgreSQL server packages installed (from /usr/lib/postgresql/N/bin/postgres). */
  pg_versions: number[];
  /** Is the configured pg_data initialised (PG_VERSION present)? Filled by roles that care; default false. */
  user: string;
  uid: number;
  default_ipv4: string;
  ipv4_addresses: string[];
}

// ---------------------------------------------------------------------------------------------
// Modules (src/operations/*): idempotent units of change. Read state, diff, change what differs.
// ---------------------------------------------------------------------------------------------

export type Status = 'ok' | 'changed' | 'failed' | 'skipped';

export interface FileDiff {
  /** What the diff is about: a path, a unit, a package list, a database object. */
  target: string;
  before: string;
  after: string;
}

export interface ModuleResult {
  status: Status;
  msg?: string;
  diff?: FileDiff[];
  /** Module-specific output: rc/stdout/stderr for command, rows for pg_query, json for http ... */
  rc?: number;
  stdout?: string;
  stderr?: string;
  data?: unknown;
  /** Things the operator must know (e.g. pending restart and the command that does it); always shown. */
  warnings?: string[];
}

export interface ModuleContext {
  conn: Connection;
  /** --check: read state and report what would change, change nothing. */
  check: boolean;
  /** --diff: fill ModuleResult.diff. */
  diff: boolean;
  becomeUser?: string;
  facts: Facts;
  /** Verbose log line (shown with -v). Never pass secrets. */
  log(msg: string): void;
}

export interface Module<A> {
  readonly name: string;
  run(args: A, ctx: ModuleContext): Promise<ModuleResult>;
  /** Optional: keys of args whose values are secret (never logged, redacted from diffs). */
  readonly secretArgs?: readonly (keyof A)[];
}

/** A module applied to its arguments: what a task does on one host. */
export interface Action<A = any> {
  readonly module: Module<A>;
  readonly args: A;
}

// ---------------------------------------------------------------------------------------------
// Tasks, blocks, roles, plays, playbooks (built with src/api/playbook.ts).
// ---------------------------------------------------------------------------------------------

export interface TaskResult extends ModuleResult {
  changed: boolean;
  failed: boolean;
  skipped: boolean;
  /** Per-item results when the task had a loop. */
  results?: TaskResult[];
  item?: unknown;
}

/** What a task sees on one host. */
export interface HostCtx<V = Vars> {
  /** Inventory name of the host (e.g. 10.10.10.11). */
  readonly name: string;
  /** Merged variables: role defaults < all.vars < group vars < host vars < derived < set vars < extra vars. */
  readonly vars: V;
  readonly facts: Facts;
  /** Results of tasks with `register`, by name. */
  readonly reg: Record<string, TaskResult>;
  readonly inventory: InventoryView;
  /** --check is on. */
  readonly check: boolean;
  /** Hosts of the current play (after --limit), in inventory order. */
  readonly playHosts: readonly string[];
}

export interface InventoryView {
  /** Hosts of a group (or a pattern), in inventory order. */
  hosts(pattern: string): string[];
  /** Merged variables of another host (defaults and extra vars included). */
  hostvars(host: string): Vars;
  groupNames(host: string): string[];
}

export type Pred<V> = (h: HostCtx<V>) => boolean;

export interface TaskOptions<V = Vars, I = any> {
  tags?: string[];
  when?: Pred<V>;
  /** Store the result in h.reg[register]. */
  register?: string;
  /** Handlers (by name or `listen` topic) to queue when this task reports changed. */
  notify?: string | string[];
  /** Run on the first host of the batch only; the result applies to all. */
  run_once?: boolean;
  ignore_errors?: boolean;
  changed_when?: (r: TaskResult, h: HostCtx<V>) => boolean;
  failed_when?: (r: TaskResult, h: HostCtx<V>) => boolean;
  /** Repeat until this holds, at most `retries` more times, `delay` seconds apart. */
  until?: (r: TaskResult, h: HostCtx<V>) => boolean;
  retries?: number;
  delay?: number;
  become_user?: string | ((h: HostCtx<V>) => string);
  /** Run the action on this inventory host's connection instead, with this host's variables (Ansible's delegate_to). */
  delegate_to?: string | ((h: HostCtx<V>, item: I) => string);
  /** Hide arguments, output and diff of this task in logs and events. */
  no_log?: boolean;
  /** true: always run in check mode; false: run for real even under --check (read-only probes). */
  check_mode?: boolean;
  /** A short text shown while the task waits (e.g. 'primary accepts connections'). */
  awaits?: string;
  /** Always show the result's msg, whatever the verbosity (Ansible's debug). */
  print?: boolean;
}

export interface Task<V = Vars, I = unknown> extends TaskOptions<V, I> {
  readonly kind: 'task';
  readonly name: string;
  loop?: (h: HostCtx<V>) => readonly I[];
  /** The action for one host (and loop item). null: nothing to do, reported as skipped. */
  action: (h: HostCtx<V>, item: I) => Action | null;
  /** Instead of an action, a controller-side step (set variables, assert, debug). */
  local?: (h: HostCtx<V>, item: I) => LocalOutcome | void;
}

export interface LocalOutcome {
  /** Host-scoped variables to set (like set_fact): above inventory vars, below extra vars. */
  set?: Vars;
  failed?: boolean;
  changed?: boolean;
  msg?: string;
  /** Shown to the operator whatever the verbosity. */
  warnings?: string[];
}

export interface Block<V = Vars> {
  readonly kind: 'block';
  readonly name?: string;
  tags?: string[];
  when?: Pred<V>;
  any_errors_fatal?: boolean;
  become_user?: string | ((h: HostCtx<V>) => string);
  tasks: TaskNode<V>[];
  rescue?: TaskNode<V>[];
  always?: TaskNode<V>[];
}

export interface FlushHandlers {
  readonly kind: 'flush_handlers';
  tags?: string[];
}

export type TaskNode<V = Vars> = Task<V, any> | Block<V> | FlushHandlers;

export interface Handler<V = Vars> extends Task<V, any> {
  /** Extra topics this handler answers to besides its name. */
  listen?: string[];
}

export interface UserErrorDetail {
  /** File the bad value came from (inventory, extra-vars file), when known. */
  file?: string;
  /** Path of the value in that file, e.g. all.children.pg-test.hosts.10.10.10.11.pg_role */
  path?: string;
  line?: number;
  message: string;
}

export interface PrepareContext {
  inventory: Inventory;
  /** Hosts selected by the play (after --limit). */
  targets: readonly string[];
  /** Merged variables of any host (defaults and extra vars included, derived not yet). */
  vars(host: string): Vars;
  /** Where a host's top-level variable came from. */
  source(host: string, key: string): { file: string; path: string; line?: number } | undefined;
}

export interface PrepareResult {
  /** Derived variables per host (pg_instance, pg_cluster_members, pg_primary_ip, ...). */
  derived?: Record<string, Vars>;
  errors?: UserErrorDetail[];
}

export interface Role<V = any> {
  readonly name: string;
  /** Lowest-precedence values of the role's parameters. */
  defaults: Partial<V>;
  /** JSON schema (ajv) of the role's parameters; merged host vars are validated before anything runs. */
  schema?: object;
  /** Pure, controller-side: validates cross-host facts and derives identity before any host is touched. */
  prepare?: (ctx: PrepareContext) => PrepareResult;
  tasks: TaskNode<V>[];
  handlers?: Handler<V>[];
}

export interface RoleRef<V = any> {
  role: Role<V>;
  tags?: string[];
  when?: Pred<V>;
}

export interface Play {
  name: string;
  /** Host pattern (Ansible grammar); intersected with --limit. */
  hosts: string;
  tags?: string[];
  /** Hosts per batch (rolling): a number or a percentage string like '30%'. */
  serial?: number | string;
  any_errors_fatal?: boolean;
  /** Use sudo when the SSH user is not root. */
  become?: boolean;
  /** Gather facts before the first task (one round trip). Default true. */
  gather_facts?: boolean;
  /** Play-level variables (above inventory vars, below extra vars). */
  vars?: Vars;
  /** Drop hosts from the play before anything runs (like Pigsty's `meta: end_host when pg_cluster is not defined`). Sees merged vars only, so no host is contacted. */
  host_filter?: (vars: Vars, host: string) => boolean;
  pre_tasks?: TaskNode<any>[];
  roles?: (Role<any> | RoleRef<any>)[];
  tasks?: TaskNode<any>[];
  post_tasks?: TaskNode<any>[];
  handlers?: Handler<any>[];
}

export interface Playbook {
  name: string;
  description?: string;
  plays: Play[];
}
