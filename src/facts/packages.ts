/** Debian packages: installed versions (dpkg-query) and candidate versions (apt-cache policy). */
import { qargs } from '../operations/shell-quote.js';

export interface PackageState {
  /** Version installed, undefined when not installed (config-files only counts as not installed). */
  installed?: string;
  /** Version apt would install, undefined when apt does not know the package. Only read when asked. */
  candidate?: string;
}

/** Prints `name<TAB>status<TAB>version` per known package; unknown names are simply absent. */
export function dpkgCommand(names: readonly string[]): string {
  return `dpkg-query -W -f='\${Package}\\t\${db:Status-Status}\\t\${Version}\\n' -- ${qargs(names)} 2>/dev/null; true`;
}

export function parseDpkg(stdout: string): Record<string, string> {
  const installed: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const [name, status, version] = line.split('\t');
    if (name && status === 'installed') installed[name] = version;
  }
  return installed;
}

export function policyCommand(names: readonly string[]): string {
  return `LC_ALL=C apt-cache policy -- ${qargs(names)} 2>/dev/null; true`;
}

/** Candidate version per package from `apt-cache policy` (none when unknown or `(none)`). */
export function parsePolicy(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  let name = '';
  for (const line of stdout.split('\n')) {
    const head = /^(\S+?)(?::[a-z0-9]+)?:$/.exec(line);
    if (head) name = head[1];
    const cand = /^\s+Candidate:\s+(\S+)/.exec(line);
    if (cand && name && cand[1] !== '(none)') out[name] = cand[1];
  }
  return out;
}
