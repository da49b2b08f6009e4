/**
 * pgbackrest: parameters and defaults (Pigsty's PG_BACKUP section, roles/pgsql/defaults/main.yml).
 * Names and meanings follow Pigsty; additions are marked PGPLAY.
 */
import type { PgIdVars } from '../pg_id/defaults.js';
import type { ResolvedRepo, StanzaState } from './lib/repo.js';
import type { RepoStanza } from './prepare.js';
import { pick, type Boolish } from '../../src/api/params.js';
import { defaults as pgsql, type PgsqlParams } from '../pgsql/defaults.js';
import type { NodeParams } from '../node/defaults.js';

/** A repository option value: written as `repo1-<key>=<value>` (booleans as y/n). */
export type RepoValue = string | number | boolean;

/**
 * One entry of `pgbackrest_repo`: pgBackRest repository options without the `repo1-` prefix and with
 * `_` for `-` (`retention_full` = `repo1-retention-full`), e.g. `path`, `type`, `s3_endpoint`,
 * `s3_bucket`, `s3_key`, `s3_key_secret`, `s3_uri_style`, `s3_region`, `storage_port`,
 * `storage_ca_file`, `block`, `bundle`, `bundle_limit`, `bundle_size`, `cipher_type`, `cipher_pass`,
 * `retention_full_type`, `retention_full`, `retention_diff` ...
 *
 * An entry with `host` is a repository on another host (a pgBackRest "repository host"), reached
 * over SSH as `host_user`: pgplay sets that host up (package, user, config, keys). `host: ''` means
 * the first host of the `infra` group.
 */
export type RepoEntry = Record<string, RepoValue>;

export interface PgbackrestParams {
  /** Enable pgBackRest (archive_command, config, stanza, initial backup, scripts). */
  pgbackrest_enabled: Boolish;
  /** Which entry of `pgbackrest_repo` this cluster uses: `local`, `central` or a custom one. */
  pgbackrest_method: string;
  /** Take a full backup once the stanza exists (once: marker /etc/pgbackrest/initial.done). */
  pgbackrest_init_backup: Boolish;
  pgbackrest_log_dir: string;
  /** Repository definitions, selected by `pgbackrest_method`. */
  pgbackrest_repo: Record<string, RepoEntry>;
  /** PGPLAY: `pgbackrest`, `lz4` (for pg-basebackup). */
  pgbackrest_packages: string[];
  /** PGPLAY: archive-push queue limit: WAL beyond it is dropped (with a gap) rather than filling the disk. */
  pgbackrest_archive_queue_max: string;

}

/** pgsql's parameters pgbackrest reads. */
export const PGSQL_REFS = ['pg_dbsu', 'pg_dbsu_home', 'pg_data', 'pg_port', 'pg_localhost', 'pg_bin_dir', 'pg_version', 'pg_fs_backup', 'pg_fs_main', 'patroni_port'] as const;

/**
 * Parameters of other roles pgbackrest reads, declared by their owners. node_crontab (the node
 * role's) gets pgbackrest's own default, Pigsty's: a daily full backup at 01:00 (written by the
 * pgsql role's pg_crontab).
 */
export type PgbackrestRefs = Pick<PgsqlParams, (typeof PGSQL_REFS)[number]> & Pick<NodeParams, 'node_crontab'>;

/** Derived by the prepare hook (the repository in use) and set by the init tasks (the stanza read). */
export interface PgbackrestDerived {
  pgbackrest_repo_resolved: ResolvedRepo;
  pgbackrest_repo_stanzas?: RepoStanza[];
  pgbackrest_stanza?: StanzaState;
}

export type PgbackrestVars = PgbackrestParams & PgbackrestRefs & PgIdVars & PgbackrestDerived;

export const LOCAL_REPO: RepoEntry = { path: '/pg/backup', retention_full_type: 'count', retention_full: 2 };

export const defaults: PgbackrestParams & PgbackrestRefs = {
  pgbackrest_enabled: true,
  pgbackrest_method: 'local',
  pgbackrest_init_backup: true,
  pgbackrest_log_dir: '/pg/log/pgbackrest',
  pgbackrest_repo: {
    // default: a POSIX repository on the instance's own disk (/pg/backup -> pg_fs_backup)
    local: { ...LOCAL_REPO },
    // one repository for every cluster on the infra host, reached over SSH (see docs/backup.md)
    central: {
      host: '',
      host_user: 'pgbackrest',
      path: '/data/pgbackrest',
      retention_full_type: 'count',
      retention_full: 2,
      bundle: 'y',
    },
    // Pigsty's `minio` entry is left out: it needs a MinIO endpoint with TLS (not in Debian), and its
    // default cipher_pass 'pgBackRest' would be masked as a secret in every line of output that names
    // pgBackRest. docs/backup.md shows an s3 entry.
  },
  pgbackrest_packages: ['pgbackrest', 'lz4'],
  pgbackrest_archive_queue_max: '4GiB',

  ...pick(pgsql, PGSQL_REFS),
  node_crontab: ['00 01 * * * postgres /pg/bin/pg-backup full'],
};
