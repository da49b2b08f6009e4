/** Asks for a secret on the terminal without echo (-k, -K); refused when stdin is not a terminal. */
import { UserError } from '../api/errors.js';
import { registerSecret } from '../api/secrets.js';

export interface PromptIO {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
}

/** Reads one line with echo off; the value is registered as a secret before it is returned. */
export async function promptSecret(question: string, flag: string, io: PromptIO = { input: process.stdin, output: process.stderr }): Promise<string> {
  const { input, output } = io;
  if (!input.isTTY || typeof input.setRawMode !== 'function') {
    throw new UserError(`${flag} needs a terminal to ask for the password (stdin is not one); set the password in the inventory (ansible_password / ansible_become_password, e.g. in an ansible-vault file) instead`);
  }
  output.write(question);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  try {
    const value = await new Promise<string>((resolve, reject) => {
      let buf = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') {
            input.off('data', onData);
            return resolve(buf);
          }
          if (ch === '\u0003') {
            input.off('data', onData);
            return reject(new UserError(`${flag}: interrupted`, [], 130));
          }
          if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
          else buf += ch;
        }
      };
      input.on('data', onData);
    });
    registerSecret(value);
    return value;
  } finally {
    input.setRawMode(false);
    input.pause();
    output.write('\n');
  }
}
