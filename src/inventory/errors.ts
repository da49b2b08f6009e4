/** The UserError for a file that is not a valid inventory (or, through parseYaml, valid extra vars). */
import { UserError } from '../api/errors.js';
import type { UserErrorDetail } from '../api/types.js';

/** Throws a UserError "Invalid <what> FILE:line N at PATH: message", with the same place in its detail. */
export function fail(file: string, message: string, where: { path?: string; line?: number } = {}, what = 'inventory'): never {
  const detail: UserErrorDetail = { file, ...where, message };
  const loc = [file, where.line ? `line ${where.line}` : undefined].filter(Boolean).join(':');
  throw new UserError(`Invalid ${what} ${loc}${where.path ? ` at ${where.path}` : ''}: ${message}`, [detail]);
}
