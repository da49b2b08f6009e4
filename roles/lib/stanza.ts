/** The read of a cluster's pgBackRest stanza (files/stanza-probe.sh), shared by pgbackrest's init and pg_pitr's follow-up. */
import { fileBeside } from '../../src/api/playbook.js';
import type { Action } from '../../src/api/types.js';
import type { CommandArgs } from '../../src/operations/index.js';
import { INITIAL_MARKER, PGBACKREST_CONF } from '../pgbackrest/lib/repo.js';
import { script } from './script.js';

interface ProbeVars {
  pg_localhost: string;
  pg_port: number;
  pg_bin_dir: string;
  pg_data: string;
  pg_cluster: string;
}

/** role=, archive_command=, sysid=, version=, marker=, repo_host=1 (repository on another host), info_rc=, then ---info--- and the info JSON. */
export function stanzaProbe(v: ProbeVars): Action<CommandArgs> {
  return script(fileBeside(import.meta.url, 'files/stanza-probe.sh'), [v.pg_localhost, v.pg_port, v.pg_bin_dir, v.pg_data, v.pg_cluster, INITIAL_MARKER, PGBACKREST_CONF], { timeout: 120 });
}
