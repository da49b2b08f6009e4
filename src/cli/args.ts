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
  forks: number;
  verbosity: number;
  listHosts: boolean;
  listTasks: boolean;
  listTags: boolean;
  startAtTask?: string;
  json: boolean;
  help: boolean;
}

export const USAGE = `usage: ./run PLAYBOOK [options]
       ./run sandbox up|down [--purge]|status|ssh NAME [-- COMMAND...]

PLAYBOOK is a file in playbooks/ (ping, node, etcd, pgsql, install, ...) or a path to a .ts playbook.

options:
  -i, --inventory FILE      inventory (default: inventory/sandbox.yml)
  -l, --limit PATTERN       limit hosts (Ansible pattern: pg-test, 'pg-*:!pg-meta', @file, ...)
  -t, --tags TAGS           only run tasks with these tags (comma separated, repeatable)
      --skip-tags TAGS      skip tasks with these tags (beats --tags)
  -e, --extra-vars VARS     JSON, YAML flow, k=v pairs or @file.yml; repeatable, later wins
  -C, --check               change nothing, report what would change
  -D, --diff                show the differences of changed files and settings
  -f, --forks N             hosts in parallel (default 10)
  -v, --verbose             more output (-vv, -vvv)
      --list-hosts          print the matching hosts and exit
      --list-tasks          print the tasks that would run and exit
      --list-tags           print the tags (and their tree) and exit
      --start-at-task NAME  start at the first task with this name (globs allowed)
      --json                one JSON event per line on stdout (for CI)
  -h, --help                this help

exit codes: 0 ok, 2 a host failed or was unreachable, 4 bad inventory/vars/playbook, 5 bad usage`;

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
  const forks = v.forks === undefined ? 10 : Number(v.forks);
  if (!Number.isInteger(forks) || forks < 1) throw new UsageError(`--forks must be a positive integer, got '${v.forks}'`);
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
    listHosts: !!v['list-hosts'],
    listTasks: !!v['list-tasks'],
    listTags: !!v['list-tags'],
    startAtTask: v['start-at-task'],
    json: !!v.json,
    help,
  };
}
