/** Kernel parameters: the runtime value of a key. */
import { q } from '../operations/shell-quote.js';

/** Prints the value (multi-value keys such as net.ipv4.tcp_rmem are tab separated). */
export function sysctlCommand(name: string): string {
  return `sysctl -n -- ${q(name)}`;
}

/** Values compare with any whitespace between fields collapsed to one space. */
export function normalizeSysctl(value: string | number): string {
  return String(value).trim().split(/\s+/).join(' ');
}
