/** Expected sandbox failures: printed as one paragraph without a stack trace. */
import { UserError } from '../api/errors.js';

export class SandboxError extends UserError {
  constructor(message: string, exitCode = 1) {
    super(message, [], exitCode);
    this.name = 'SandboxError';
  }
}
