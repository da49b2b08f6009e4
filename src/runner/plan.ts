/**
 * Pre-flight: resolves every play's hosts, merges variables, validates them against the roles'
 * schemas and runs the roles' `prepare` hooks (identity, cluster checks). Nothing here touches a
 * host: a bad inventory or bad extra vars stop the run before the first connection.
 */
import type { Play, Playbook, UserErrorDetail, Vars } from '../api/types.js';
import { UserError } from '../api/errors.js';
import { collectSecrets } from '../api/secrets.js';
import type { Inventory, VarSource } from '../inventory/types.js';
import { hostVars, selectHosts, validateHostVars } from '../inventory/index.js';
import type { RunOptions } from './options.js';
import { checkTagFilter } from './tags.js';
import { applyCompatRules } from './unsupported.js';
import { playRoles } from './walk.js';

export interface PlannedPlay {
  play: Play;
  index: number;
  /** Hosts of the play after --limit and the play's host filter, in pattern order. */
  hosts: string[];
  /** Role defaults of all roles of the play (lowest precedence). */
  defaults: Vars;
  /** Derived variables per host from the roles' prepare hooks. */
  derived: Record<string, Vars>;
}

export interface Plan {
  plays: PlannedPlay[];
  warnings: string[];
}

/**
 * Role defaults of a play. Two roles of one play that default the same parameter differently
 * would make the value depend on role order, so that is refused.
 */
export function playDefaults(play: Play): Vars {
  const out: Vars = {};
  const owner: Record<string, string> = {};
  for (const role of playRoles(play)) {
    for (const [k, v] of Object.entries(role.defaults ?? {})) {
      if (k in out && JSON.stringify(out[k]) !== JSON.stringify(v)) {
        throw new UserError(`play '${play.name}': roles ${owner[k]} and ${role.name} both default ${k}, differently; give it one owner`);
      }
      out[k] = v;
      owner[k] = role.name;
    }
  }
  return out;
}

/**
 * With `checkVars: false` (the --list-* options) only hosts are resolved: variables are merged for
 * host filters but not checked against the roles' schemas, and no `prepare` hook runs.
 */
export function planPlaybook(pb: Playbook, inv: Inventory, opts: RunOptions, { checkVars = true }: { checkVars?: boolean } = {}): Plan {
  const warnings: string[] = [];
  checkTagFilter(pb, opts.tags);
  let limitSet: Set<string> | undefined;
  if (opts.limit !== undefined) {
    const sel = selectHosts(inv, opts.limit, { cwd: process.cwd() });
    for (const u of sel.unmatched) warnings.push(`Could not match supplied host pattern, ignoring: ${u}`);
    if (sel.hosts.length === 0) {
      throw new UserError(`--limit '${opts.limit}' matches no host of ${inv.file}. Hosts are named as in the inventory (e.g. 10.10.10.11) and groups by their key under all.children (e.g. pg-test); try '--list-hosts -l all'.`);
    }
    limitSet = new Set(sel.hosts);
  }

  const errors: UserErrorDetail[] = [];
  const plays = pb.plays.map((play, index): PlannedPlay => {
    // connection settings (ansible.cfg, ANSIBLE_*, -u, -b, ...) sit below role defaults and the inventory
    const defaults = { ...opts.connectionVars, ...playDefaults(play) };
    collectSecrets(defaults); // default passwords (and -k/-K answers) are secrets too
    const layers = { defaults, play: play.vars, extra: opts.extraVars };
    const merged = new Map<string, { vars: Vars; sources: Record<string, VarSource> }>();
    const varsOf = (h: string) => {
      let m = merged.get(h);
      if (!m) {
        const hv = hostVars(inv, h, layers);
        m = { vars: hv.vars, sources: { ...hv.sources, ...pick(opts.extraSources, Object.keys(opts.extraVars)) } };
        merged.set(h, m);
      }
      return m;
    };

    const sel = selectHosts(inv, play.hosts, { cwd: process.cwd() });
    let hosts = sel.hosts.filter((h) => !limitSet || limitSet.has(h));
    if (play.host_filter) hosts = hosts.filter((h) => play.host_filter!(varsOf(h).vars, h));
    // clusters asking for a mode pgplay does not build are skipped, with a warning (Pigsty files load)
    const compat = applyCompatRules(play, hosts, varsOf);
    hosts = compat.hosts;
    for (const w of compat.warnings) if (!warnings.includes(w)) warnings.push(w);

    for (const role of checkVars ? playRoles(play) : []) {
      if (!role.schema) continue;
      errors.push(...validateHostVars(role.schema, hosts.map((h) => ({ host: h, ...varsOf(h) })), inv.file));
    }

    const derived: Record<string, Vars> = {};
    if (!errors.length && checkVars) {
      for (const role of playRoles(play)) {
        if (!role.prepare) continue;
        const res = role.prepare({
          inventory: inv,
          targets: hosts,
          vars: (h) => ({ ...varsOf(h).vars, ...(derived[h] ?? {}) }),
          source: (h, key) => varsOf(h).sources[key],
        });
        errors.push(...(res.errors ?? []));
        for (const [h, d] of Object.entries(res.derived ?? {})) derived[h] = { ...(derived[h] ?? {}), ...d };
      }
    }
    return { play, index, hosts, defaults, derived };
  });

  if (errors.length) throw new UserError(`${pb.name}: the inventory or extra vars are not valid; no host was contacted.`, dedupe(errors));
  return { plays, warnings };
}

function pick<T>(o: Record<string, T>, keys: string[]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of keys) if (o[k]) out[k] = o[k];
  return out;
}

function dedupe(errors: UserErrorDetail[]): UserErrorDetail[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.file}|${e.path}|${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
