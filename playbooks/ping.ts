/**
 * ping: checks that every host answers over SSH and prints its OS and PostgreSQL-relevant facts.
 *   ./run ping -l pg-test
 *   ./run ping -i FILE -l PATTERN --list-hosts
 */
import { debug, play, playbook, task } from '../src/api/playbook.js';
import { command } from '../src/operations/index.js';

export default playbook('ping', [
  play({
    name: 'PING',
    hosts: 'all',
    tasks: [
      task('ping', {
        do: () => command({ cmd: 'echo pong' }),
        changed_when: () => false,
        failed_when: (r) => r.rc !== 0 || r.stdout?.trim() !== 'pong',
      }),
      debug('facts', (h) => {
        const f = h.facts;
        const data = f.disks.find((d) => d.mount === '/data') ?? f.disks.find((d) => d.mount === '/');
        return [
          `${f.hostname} ${f.os_pretty} (${f.kernel}, ${f.arch}${f.virtualization ? `, ${f.virtualization}` : ''})`,
          `cpu=${f.cpu_count} mem=${f.mem_mb}MiB swap=${f.swap_mb}MiB systemd=${f.systemd ? 'yes' : 'no'} ip=${f.default_ipv4 || '-'}`,
          `disk ${data ? `${data.mount} ${data.avail_mb}/${data.size_mb}MiB free` : '-'}  postgres=${f.pg_versions.length ? f.pg_versions.join(',') : 'none'}`,
        ].join('\n');
      }),
    ],
  }),
]);
