import { describe, expect, it } from 'vitest';
import { planGroup, planUser, user } from '../../../src/operations/user.js';
import { parseUser, userCommand } from '../../../src/facts/users.js';
import { LocalConnection } from '../../../src/connectors/local.js';
import type { UserEntry } from '../../../src/facts/users.js';
import { apply, isRoot, makeCtx } from './ctx.js';

const pg: UserEntry = { name: 'postgres', uid: 26, gid: 26, group: 'postgres', home: '/var/lib/pgsql', shell: '/bin/bash', groups: ['ssl-cert'], password_hash: '$6$old' };

describe('user plan', () => {
  it('nothing to do when everything matches', () => {
    expect(planUser({ name: 'postgres', uid: 26, group: 'postgres', groups: ['ssl-cert'], shell: '/bin/bash', home: '/var/lib/pgsql' }, pg).commands).toEqual([]);
    expect(planUser({ name: 'postgres', group: '26', groups: ['postgres', 'ssl-cert'] }, pg).commands).toEqual([]);
  });

  it('creates a system user with a home', () => {
    const p = planUser({ name: 'postgres', uid: 26, group: 'postgres', groups: ['ssl-cert'], system: true, home: '/var/lib/pgsql', shell: '/bin/bash' }, undefined);
    expect(p.commands).toEqual(['useradd -u 26 -g postgres -G ssl-cert -s /bin/bash -d /var/lib/pgsql -r -m -- postgres']);
  });

  it('modifies only what differs; groups exact or appended', () => {
    expect(planUser({ name: 'postgres', shell: '/bin/sh', groups: ['ssl-cert', 'admin'], append: true }, pg).commands).toEqual(['usermod -a -G admin -s /bin/sh -- postgres']);
    expect(planUser({ name: 'postgres', groups: ['admin'] }, pg).commands).toEqual(['usermod -G admin -- postgres']);
    expect(planUser({ name: 'postgres', groups: [] }, pg).commands).toEqual(["usermod -G '' -- postgres"]);
  });

  it('sets the password through chpasswd stdin and never shows it', () => {
    const p = planUser({ name: 'postgres', password_hash: '$6$new$secret' }, pg);
    expect(p.commands).toEqual(['chpasswd -e']);
    expect(p.stdin).toBe('postgres:$6$new$secret\n');
    expect(p.before + p.after).not.toMatch(/\$6\$/);
    expect(p.after).toContain('password: (changed)');
    expect(planUser({ name: 'postgres', password_hash: '$6$old' }, pg).commands).toEqual([]);
  });

  it('absent', () => {
    expect(planUser({ name: 'postgres', state: 'absent' }, pg).commands).toEqual(['userdel -- postgres']);
    expect(planUser({ name: 'postgres', state: 'absent' }, undefined).commands).toEqual([]);
  });
});

describe('group plan', () => {
  it('add, modify gid, delete', () => {
    expect(planGroup({ name: 'dba', gid: 1001, system: true }, undefined).commands).toEqual(['groupadd -g 1001 -r -- dba']);
    expect(planGroup({ name: 'dba', gid: 1001 }, { name: 'dba', gid: 1001, members: [] }).commands).toEqual([]);
    expect(planGroup({ name: 'dba', gid: 1002 }, { name: 'dba', gid: 1001, members: [] }).commands).toEqual(['groupmod -g 1002 -- dba']);
    expect(planGroup({ name: 'dba', state: 'absent' }, { name: 'dba', gid: 1001, members: [] }).commands).toEqual(['groupdel -- dba']);
  });
});

describe('users facts', () => {
  it('parses passwd, primary group, groups and shadow', () => {
    const out = [
      '', '\x1ePGPLAY-SECTION:passwd', 'postgres:x:26:26:PostgreSQL:/var/lib/pgsql:/bin/bash',
      '\x1ePGPLAY-SECTION:primary', 'postgres',
      '\x1ePGPLAY-SECTION:groups', 'postgres ssl-cert',
      '\x1ePGPLAY-SECTION:shadow', 'postgres:$6$x:19000:0:99999:7:::',
    ].join('\n');
    expect(parseUser(out)).toEqual({ ...pg, password_hash: '$6$x' });
    expect(parseUser('\n\x1ePGPLAY-SECTION:passwd\n\n')).toBeUndefined();
  });

  it.runIf(isRoot)('reads a real account in one round trip', async () => {
    const conn = new LocalConnection();
    const r = await conn.exec(userCommand('root'));
    expect(parseUser(r.stdout)).toMatchObject({ name: 'root', uid: 0, group: 'root', home: '/root' });
    expect(await apply(user({ name: 'root', uid: 0, home: '/root' }), makeCtx({ conn }))).toMatchObject({ status: 'ok', trips: 1 });
  });
});
