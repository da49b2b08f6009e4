/** Small helpers shared by the pgbackrest task files. */
import type { HostCtx } from '../../../src/api/types.js';
import type { PgbackrestVars } from '../defaults.js';
import { clientRepoLines, processMax, PGBACKREST_CONF, type ResolvedRepo } from '../lib/repo.js';
import type { RepoStanza } from '../prepare.js';

export type H = HostCtx<PgbackrestVars>;

/** The repository this host uses (resolved by the prepare hook). */
export const repoOf = (h: H): ResolvedRepo => h.vars.pgbackrest_repo_resolved;
export const remoteOf = (h: H) => repoOf(h)?.remote;
export const isRemote = (h: H) => !!remoteOf(h);
export const stanzasOf = (h: H): RepoStanza[] => h.vars.pgbackrest_repo_stanzas ?? [];

/** Repository lines hold a secret (cipher pass, object store keys): the files are then diffed as hidden. */
export const SECRET_OPTION = /(cipher-pass|key-secret|s3-key=|s3-token|gcs-key|azure-key|sftp-private-key-passphrase)/;

/** Variables of templates/pgbackrest.conf.hbs. */
export function confVars(h: H) {
  const v = h.vars;
  const r = repoOf(h);
  return {
    cluster: v.pg_cluster,
    instance: v.pg_instance,
    host: h.name,
    port: v.pg_port,
    data: v.pg_data,
    socket: v.pg_localhost,
    method: r.name,
    remote: r.remote,
    repo_lines: clientRepoLines(r, v.pg_cluster),
    queue_max: v.pgbackrest_archive_queue_max,
    log_dir: v.pgbackrest_log_dir,
    cpu: h.facts.cpu_count,
    pm: processMax(h.facts.cpu_count),
  };
}

export { PGBACKREST_CONF };

