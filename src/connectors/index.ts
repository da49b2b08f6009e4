/** Chooses the transport of a host from its inventory variables. */
import type { Connection, Vars } from '../api/types.js';
import { LocalConnection } from './local.js';
import { SshConnection, sshOptionsFromVars } from './ssh.js';

export { LocalConnection } from './local.js';
export { SshConnection, sshOptionsFromVars, type SshOptions } from './ssh.js';

/** `ansible_connection: local` runs on the controller; anything else goes over SSH. */
export function createConnection(host: string, vars: Vars, inventoryDir: string): Connection {
  const options = sshOptionsFromVars(host, vars, inventoryDir);
  if (vars.ansible_connection === 'local') return new LocalConnection(host, options.become, options.becomeUser);
  return new SshConnection(options);
}
