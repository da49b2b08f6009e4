/**
 * Shell scripts of the roles live as files (`roles/<role>/files/*.sh`, `roles/lib/files/*.sh`),
 * checked by shellcheck (test/unit/roles/shellcheck.test.ts). A task runs one with `script()`: the
 * file is read when the task runs and shipped as the argument of `sh -c`, the values as its
 * positional arguments (each quoted by sh``), never pasted into the script's text.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Action } from '../../src/api/types.js';
import { shell, type CommandArgs } from '../../src/operations/index.js';
import { sh } from '../../src/operations/shell-quote.js';

/** The command line running `file` with `args` as $1, $2, ... ($0 is the file's name). */
export function scriptCommand(file: string, args: readonly (string | number)[]): string {
  return sh`sh -c ${fs.readFileSync(file, 'utf8')} ${path.basename(file, '.sh')} ${args}`;
}

/** A shell task running a script file with its arguments. */
export function script(file: string, args: readonly (string | number)[], opts: Omit<CommandArgs, 'cmd'> = {}): Action<CommandArgs> {
  return shell({ ...opts, cmd: scriptCommand(file, args) });
}
