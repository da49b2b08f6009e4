/** user / group: local accounts (useradd/usermod/userdel, groupadd/groupmod/groupdel). */
import type { Action, ModuleContext, ModuleResult } from '../api/types.js';
import { groupCommand, parseGroup, parseUser, userCommand, type GroupEntry, type UserEntry } from '../facts/users.js';
import { defineModule, describeState, fail, run } from './common.js';
import { q, qargs } from './shell-quote.js';

export interface UserArgs {
  name: string;
  uid?: number;
  /** Primary group (name or gid). */
  group?: string;
  /** Supplementary groups: exactly these, or these added with `append`. */
  groups?: readonly string[];
  append?: boolean;
  shell?: string;
  home?: string;
  system?: boolean;
  /** Default true (useradd -m). */
  create_home?: boolean;
  /** A crypt(3) hash, set with `chpasswd -e` through stdin. Secret. */
  password_hash?: string;
  state?: 'present' | 'absent';
}

export interface GroupArgs {
  name: string;
  gid?: number;
  system?: boolean;
  state?: 'present' | 'absent';
}

export interface AccountPlan {
  /** Commands to run (empty: nothing to do). */
  commands: string[];
  /** stdin for the commands (the password line for chpasswd). */
  stdin?: string;
  before: string;
  after: string;
}

function userState(u: UserEntry | undefined, password?: string): Record<string, unknown> {
  if (!u) return { state: 'absent' };
  return { uid: u.uid, group: u.group, groups: u.groups, shell: u.shell, home: u.home, password };
}

export function planUser(a: UserArgs, u: UserEntry | undefined): AccountPlan {
  const name = q(a.name);
  if (a.state === 'absent') {
    return { commands: u ? [`userdel -- ${name}`] : [], before: describeState(userState(u)), after: 'state: absent\n' };
  }
  const flags: string[] = [];
  const after: Record<string, unknown> = { ...userState(u) };
  delete after.state;
  const change = (key: string, value: unknown, ...flag: string[]) => {
    flags.push(...flag);
    after[key] = value;
  };
  const sameGroup = (g: string) => u && (u.group === g || String(u.gid) === g);
  if (a.uid !== undefined && u?.uid !== a.uid) change('uid', a.uid, '-u', String(a.uid));
  if (a.group !== undefined && !sameGroup(a.group)) change('group', a.group, '-g', a.group);
  if (a.groups !== undefined) {
    const current = u?.groups ?? [];
    const wanted = a.groups.filter((g) => !sameGroup(g));
    const missing = wanted.filter((g) => !current.includes(g));
    if (a.append && missing.length) change('groups', [...current, ...missing], '-a', '-G', missing.join(','));
    else if (!a.append && (missing.length || current.some((g) => !wanted.includes(g)))) change('groups', wanted, '-G', wanted.join(','));
  }
  if (a.shell !== undefined && u?.shell !== a.shell) change('shell', a.shell, '-s', a.shell);
  if (a.home !== undefined && u?.home !== a.home) change('home', a.home, '-d', a.home);
  const commands: string[] = [];
  if (!u) {
    const create = flags.filter((f) => f !== '-a');
    if (a.system) create.push('-r');
    create.push(a.create_home === false ? '-M' : '-m');
    commands.push(`useradd ${qargs(create)} -- ${name}`);
  } else if (flags.length) {
    commands.push(`usermod ${qargs(flags)} -- ${name}`);
  }
  let stdin: string | undefined;
  if (a.password_hash !== undefined && u?.password_hash !== a.password_hash) {
    commands.push('chpasswd -e');
    stdin = `${a.name}:${a.password_hash}\n`;
    after.password = '(changed)';
  }
  return { commands, stdin, before: describeState(userState(u, u && a.password_hash !== undefined ? '(hidden)' : undefined)), after: describeState(after) };
}

export function planGroup(a: GroupArgs, g: GroupEntry | undefined): AccountPlan {
  const name = q(a.name);
  const before = describeState(g ? { gid: g.gid } : { state: 'absent' });
  if (a.state === 'absent') return { commands: g ? [`groupdel -- ${name}`] : [], before, after: 'state: absent\n' };
  const gid = a.gid !== undefined ? ['-g', String(a.gid)] : [];
  const after = describeState({ gid: a.gid ?? g?.gid ?? '(next free)' });
  if (!g) return { commands: [`groupadd ${qargs([...gid, ...(a.system ? ['-r'] : [])])} -- ${name}`], before, after };
  return { commands: a.gid !== undefined && g.gid !== a.gid ? [`groupmod ${qargs(gid)} -- ${name}`] : [], before, after };
}

async function apply(ctx: ModuleContext, target: string, plan: AccountPlan): Promise<ModuleResult> {
  if (!plan.commands.length) return { status: 'ok' };
  const result: ModuleResult = { status: 'changed', msg: `${target}: ${plan.commands.map((c) => c.split(' ')[0]).join(', ')}` };
  if (ctx.diff) result.diff = [{ target, before: plan.before, after: plan.after }];
  if (ctx.check) return result;
  const w = await run(ctx, ['set -e', ...plan.commands].join('\n'), { stdin: plan.stdin });
  if (w.rc !== 0) fail(`cannot update ${target}`, w);
  return result;
}

export const userModule = defineModule<UserArgs>('user', async (args, ctx) => {
  const r = await run(ctx, userCommand(args.name));
  return apply(ctx, `user ${args.name}`, planUser(args, parseUser(r.stdout)));
}, ['password_hash']);

export const groupModule = defineModule<GroupArgs>('group', async (args, ctx) => {
  const r = await run(ctx, groupCommand(args.name));
  return apply(ctx, `group ${args.name}`, planGroup(args, parseGroup(r.stdout)));
});

/** A local user account. */
export function user(args: UserArgs): Action<UserArgs> {
  return { module: userModule, args };
}

/** A local group. */
export function group(args: GroupArgs): Action<GroupArgs> {
  return { module: groupModule, args };
}
