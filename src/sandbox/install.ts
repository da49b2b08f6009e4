/** Installs the controller's Debian packages (debootstrap, systemd-nspawn, apt-cacher-ng, ...) when missing. */
import { existsSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { CONTROLLER_PACKAGES } from './config.js';
import { SandboxError } from './errors.js';
import { run, say } from './exec.js';

const POLICY_RC = '/usr/sbin/policy-rc.d';

export function missingControllerPackages(): string[] {
  return CONTROLLER_PACKAGES.filter((p) => !existsSync(p.file)).map((p) => p.pkg);
}

export async function ensureControllerPackages(): Promise<void> {
  const missing = missingControllerPackages();
  if (missing.length === 0) return;
  if (!existsSync('/usr/bin/apt-get')) {
    throw new SandboxError(`the sandbox needs these Debian packages and this machine has no apt-get: ${missing.join(', ')}.`);
  }
  say(`installing ${missing.join(', ')} on this machine (apt-get) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) => run('apt-get', ['-q', '-y', '-o', 'DPkg::Lock::Timeout=600', ...args], { env });
  // apt-cacher-ng's package would start a daemon listening on every address; the sandbox runs its
  // own instance on the bridge address, so keep the package from starting services while it installs.
  const ownPolicy = !existsSync(POLICY_RC);
  if (ownPolicy) {
    writeFileSync(POLICY_RC, '#!/bin/sh\n# temporary, written by pgplay sandbox while installing packages\nexit 101\n');
    chmodSync(POLICY_RC, 0o755);
  }
  try {
    let r = await apt(['install', '--no-install-recommends', ...missing]);
    if (r.code !== 0) {
      // package lists may be missing or old on a fresh machine
      await apt(['update']);
      r = await apt(['install', '--no-install-recommends', ...missing]);
    }
    if (r.code !== 0) {
      const tail = (r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n');
      throw new SandboxError(
        `could not install ${missing.join(', ')} with apt-get (exit ${r.code}). Check that \`apt-get update\` works on this machine.\n${tail}`,
      );
    }
  } finally {
    if (ownPolicy) rmSync(POLICY_RC, { force: true });
  }
  const still = missingControllerPackages();
  if (still.length) throw new SandboxError(`apt-get finished but ${still.join(', ')} is still missing.`);
}
