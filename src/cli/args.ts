/** Command-line parsing, with ansible-playbook's option names. */
import { parseArgs } from 'node:util';
import { UsageError } from '../api/errors.js';

export interface CliArgs {
  playbook: string;
  inventory?: string;
  limit?: string;
  tags: string[];
  skipTags: string[];
  extraVars: string[];
  check: boolean;
  diff: boolean;
  /** -f N; undefined: ansible.cfg / ANSIBLE_FORKS / 10. */
  forks?: number;
  verbosity: number;
  /** -u USER: the connection user (inventory `ansible_user` beats it, as in Ansible). */
  user?: string;
  /** --private-key / --key-file FILE (inventory `ansible_ssh_private_key_file` beats it). */
  privateKey?: string;
  /** -k: prompt for the SSH password. */
  askPass: boolean;
  /** -K: prompt for the become (sudo) password. */
  askBecomePass: boolean;
  /** -b: become root (or --become-user) on the hosts. */
  become: boolean;
  becomeUser?: string;
  /** --syntax-check: load and check everything, contact no host. */
  syntaxCheck: boolean;
  listHosts: boolean;
  listTasks: boolean;
  listTags: boolean;
  startAtTask?: string;
  /** --vault-password-file, --vault-id, --ask-vault-pass */
  vault: VaultArgs;
  json: boolean;
  help: boolean;
}

export const USAGE = `usage: ./run PLAYBOOK [options]
       ./run inventory [-i INVENTORY] --list | --host HOST | --graph [GROUP]
       ./run sandbox up|down [--purge]|status|ssh NAME [-- COMMAND...]

PLAYBOOK is a file in playbooks/ (ping, node, etcd, pgsql, install, ...) or a path to a .ts playbook.

options:
  -i, --inventory FILE|DIR  inventory file or directory (default: inventory/sandbox.yml)
  -l, --limit PATTERN       limit hosts (Ansible pattern: pg-test, 'pg-*:!pg-meta', @file, ...)
  -t, --tags TAGS           only run tasks with these tags (comma separated, repeatable)
      --skip-tags TAGS      skip tasks with these tags (beats --tags)
  -e, --extra-vars VARS     JSON, YAML flow, k=v pairs or @file.yml; repeatable, later wins
  -C, --check               change nothing, report what would change
  -D, --diff                show the differences of changed files and settings
  -f, --forks N             hosts in parallel (default 10, or forks in ansible.cfg)
  -u, --user USER           connect as USER (inventory ansible_user wins)
      --private-key FILE    SSH private key (also --key-file; inventory ansible_ssh_private_key_file wins)
  -k, --ask-pass            prompt for the SSH password
  -b, --become              run commands as root (sudo) on the hosts
      --become-user USER    with become, run as USER
  -K, --ask-become-pass     prompt for the sudo password
  -v, --verbose             more output (-vv, -vvv, -vvvv)
      --syntax-check        load inventory, variables and playbook, check them, contact no host
      --vault-password-file FILE  ansible-vault password: a file, or an executable printing it
      --vault-id [LABEL@]SOURCE   a vault password with its id; SOURCE a file or 'prompt' (repeatable)
  -J, --ask-vault-pass      ask for the vault password (no echo)
      --list-hosts          print the matching hosts and exit
      --list-tasks          print the tasks that would run and exit
      --list-tags           print the tags (and their tree) and exit
      --start-at-task NAME  start at the first task with this name (globs allowed)
      --json                one JSON event per line on stdout (for CI)
  -h, --help                this help

exit codes: 0 ok, 2 a host failed or was unreachable, 4 bad inventory/vars/playbook, 5 bad usage`;

/** ansible-vault password flags, shared by playbook runs and `./run inventory`. */
export const VAULT_OPTIONS = {
  'vault-password-file': { type: 'string', multiple: true },
  'vault-pass-file': { type: 'string', multiple: true },
  'vault-id': { type: 'string', multiple: true },
  'ask-vault-pass': { type: 'boolean', short: 'J' },
  'ask-vault-password': { type: 'boolean' },
} as const;

export interface VaultArgs {
  passwordFiles: string[];
  vaultIds: string[];
  askVaultPass: boolean;
}

export function vaultArgs(v: { [k: string]: string | boolean | (string | boolean)[] | undefined }): VaultArgs {
  const list = (k: string): string[] => ((v[k] as string[] | undefined) ?? []);
  return {
    passwordFiles: [...list('vault-password-file'), ...list('vault-pass-file')],
    vaultIds: list('vault-id'),
    askVaultPass: !!(v['ask-vault-pass'] || v['ask-vault-password']),
  };
}

export function parseCli(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        inventory: { type: 'string', short: 'i' },
        limit: { type: 'string', short: 'l' },
        tags: { type: 'string', short: 't', multiple: true },
        'skip-tags': { type: 'string', multiple: true },
        'extra-vars': { type: 'string', short: 'e', multiple: true },
        check: { type: 'boolean', short: 'C' },
        diff: { type: 'boolean', short: 'D' },
        forks: { type: 'string', short: 'f' },
        verbose: { type: 'boolean', short: 'v', multiple: true },
        user: { type: 'string', short: 'u' },
        'private-key': { type: 'string' },
        'key-file': { type: 'string' },
        'ask-pass': { type: 'boolean', short: 'k' },
        'ask-become-pass': { type: 'boolean', short: 'K' },
        become: { type: 'boolean', short: 'b' },
        'become-user': { type: 'string' },
        'syntax-check': { type: 'boolean' },
        ...VAULT_OPTIONS,
        'list-hosts': { type: 'boolean' },
        'list-tasks': { type: 'boolean' },
        'list-tags': { type: 'boolean' },
        'start-at-task': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  const help = !!v.help;
  if (!help && parsed.positionals.length !== 1) {
    throw new UsageError(parsed.positionals.length ? `expected one playbook, got: ${parsed.positionals.join(' ')}\n\n${USAGE}` : `no playbook given\n\n${USAGE}`);
  }
  const forks = v.forks === undefined ? undefined : Number(v.forks);
  if (forks !== undefined && (!Number.isInteger(forks) || forks < 1)) throw new UsageError(`--forks must be a positive integer, got '${v.forks}'`);
  return {
    playbook: parsed.positionals[0] ?? '',
    inventory: v.inventory,
    limit: v.limit,
    tags: v.tags ?? [],
    skipTags: v['skip-tags'] ?? [],
    extraVars: v['extra-vars'] ?? [],
    check: !!v.check,
    diff: !!v.diff,
    forks,
    verbosity: (v.verbose ?? []).length,
    user: v.user,
    privateKey: v['private-key'] ?? v['key-file'],
    askPass: !!v['ask-pass'],
    askBecomePass: !!v['ask-become-pass'],
    become: !!v.become,
    becomeUser: v['become-user'],
    syntaxCheck: !!v['syntax-check'],
    vault: vaultArgs(v),
    listHosts: !!v['list-hosts'],
    listTasks: !!v['list-tasks'],
    listTags: !!v['list-tags'],
    startAtTask: v['start-at-task'],
    json: !!v.json,
    help,
  };
}
