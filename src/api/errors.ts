/**
 * Errors the user can fix (bad inventory, bad option, unknown playbook). The CLI prints them as a
 * short paragraph, without a stack trace, and exits with `exitCode`.
 */
import type { UserErrorDetail } from './types.js';

export const EXIT = {
  ok: 0,
  /** a task failed on some host */
  hostFailed: 2,
  /** some host was unreachable */
  unreachable: 2,
  /** inventory, variables, schema or playbook errors (Ansible uses 4 for parse errors) */
  input: 4,
  /** bad command-line usage (Ansible: 5) */
  usage: 5,
  /** the run was interrupted (SIGINT/SIGTERM), as a shell reports 128 + SIGINT */
  interrupted: 130,
  /** a bug in pgplay */
  internal: 250,
} as const;

export class UserError extends Error {
  readonly details: UserErrorDetail[];
  readonly exitCode: number;
  constructor(message: string, details: UserErrorDetail[] = [], exitCode: number = EXIT.input) {
    super(message);
    this.name = 'UserError';
    this.details = details;
    this.exitCode = exitCode;
  }
}

export class UsageError extends UserError {
  constructor(message: string) {
    super(message, [], EXIT.usage);
    this.name = 'UsageError';
  }
}

/** The transport to a host failed (connect, auth, dropped connection). */
export class UnreachableError extends Error {
  constructor(readonly host: string, message: string) {
    super(message);
    this.name = 'UnreachableError';
  }
}

export function formatDetail(d: UserErrorDetail): string {
  const where = [d.file, d.line].filter((x) => x !== undefined && x !== '').join(':');
  const loc = [where, d.path].filter(Boolean).join(' at ');
  return loc ? `${loc}: ${d.message}` : d.message;
}
