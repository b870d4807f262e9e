// uptime-admin, as an operator uses it (API.md section 1), checked together
// with the API: what it makes must work over HTTP.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, keyChecksum } from './lib/harness.mjs';
import { assertOk, assertUnauthorized, TEAM_ID_RE, KEY_ID_RE } from './lib/checks.mjs';

let srv;
let team;

before(async () => {
  srv = await startServer();
  team = await srv.createTeam('Operators');
});

after(async () => { await srv?.stop(); });

function assertRefused(r, what) {
  assert.notEqual(r.code, 0, `${what}: exit 0\n${r.stdout}`);
  assert.ok(r.stderr.trim().length > 0, `${what}: no message on stderr`);
  assert.equal(r.stdout, '', `${what}: printed on stdout`);
}

describe('uptime-admin', () => {
  it('init made a 0600 secret file and a database', () => {
    const st = fs.statSync(srv.secret);
    assert.equal(st.mode & 0o777, 0o600);
    assert.ok(fs.statSync(srv.db).size > 0);
  });

  it('init again does not replace the secret: existing keys keep working', async () => {
    const k = await srv.createKey(team, { name: 'before re-init', scopes: ['monitors:read'] });
    const secretBefore = fs.readFileSync(srv.secret);
    await srv.admin('init');
    assert.deepEqual(fs.readFileSync(srv.secret), secretBefore);
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: k }));
  });

  it('migrate is idempotent', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await srv.admin('migrate');
      assert.equal(r.code, 0, r.stderr);
    }
  });

  it('team create prints only the new id', async () => {
    const r = await srv.admin('team', 'create', 'Printed');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^team_[0-9A-Za-z]{20}\n?$/);
    assert.match(r.stdout.trim(), TEAM_ID_RE);
  });

  it('key create prints only the secret, which works with the right scopes and expiry', async () => {
    const exp = new Date(Math.floor(Date.now() / 1000) * 1000 + 3600e3);
    const r = await srv.admin('key', 'create', '--team', team, '--name', 'printed', '--scopes', 'monitors:read,api-keys:read',
      '--expires', exp.toISOString().replace('.000Z', 'Z'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^uptime_[0-9A-Za-z]{38}\n?$/);
    const key = r.stdout.trim();
    assert.equal(key.slice(39), keyChecksum(key.slice(7, 39)));
    assert.ok(!r.stderr.includes(key.slice(7, 39)), 'the secret is not on stderr');
    const me = assertOk(await srv.api('GET', '/v1/api-keys/current', { key }));
    assert.deepEqual([...me.scopes].sort(), ['api-keys:read', 'monitors:read']);
    assert.equal(me.expiresAt, exp.toISOString());
    assert.equal(me.name, 'printed');
    assert.equal(me.createdByKeyId, null);
    assert.equal(me.team.id, team);
  });

  it('--expires takes any offset', async () => {
    const k = await srv.createKey(team, { name: 'offset', scopes: ['monitors:read'], expires: '2099-01-01T12:00:00+02:00' });
    const me = assertOk(await srv.api('GET', '/v1/api-keys/current', { key: k }));
    assert.equal(me.expiresAt, '2099-01-01T10:00:00.000Z');
  });

  it('--scopes all gives the twelve scopes', async () => {
    const k = await srv.createKey(team, { name: 'all', scopes: 'all' });
    const me = assertOk(await srv.api('GET', '/v1/api-keys/current', { key: k }));
    assert.equal(me.scopes.length, 12);
  });

  it('key list shows keys without secrets; key revoke stops a key at once', async () => {
    const k = await srv.createKey(team, { name: 'to revoke', scopes: ['monitors:read'] });
    const id = (await srv.whoami(k)).id;
    const l1 = await srv.admin('key', 'list', '--team', team);
    assert.equal(l1.code, 0, l1.stderr);
    assert.ok(l1.stdout.includes(id));
    assert.ok(l1.stdout.includes(k.slice(0, 15)), 'the list shows the key prefix');
    assert.ok(!l1.stdout.includes(k.slice(7, 39)), 'the list shows no secret');
    const r = await srv.admin('key', 'revoke', id);
    assert.equal(r.code, 0, r.stderr);
    assertUnauthorized(await srv.api('GET', '/v1/api-keys/current', { key: k }), 'invalid_key');
    const l2 = await srv.admin('key', 'list', '--team', team);
    const line = l2.stdout.split('\n').find((x) => x.includes(id));
    assert.match(line, /revoked/);
  });

  it('backup PATH writes a consistent copy', async () => {
    const dest = path.join(srv.dir, 'copy.db');
    const r = await srv.admin('backup', dest);
    assert.equal(r.code, 0, r.stderr);
    const count = (db) => execFileSync('sqlite3', ['-readonly', db, 'SELECT count(*) FROM api_keys'], { encoding: 'utf8' }).trim();
    assert.equal(count(dest), count(srv.db));
    assert.equal(execFileSync('sqlite3', [dest, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(), 'ok');
  });

  it('bad arguments: non-zero exit, a message on stderr, nothing on stdout', async () => {
    const cases = [
      [],
      ['frobnicate'],
      ['team'],
      ['team', 'create'],
      ['team', 'create', ''],
      ['team', 'create', 'x'.repeat(256)],
      ['key', 'create'],
      ['key', 'create', '--team', team, '--name', 'x'],
      ['key', 'create', '--team', team, '--scopes', 'all'],
      ['key', 'create', '--team', team, '--name', '', '--scopes', 'all'],
      ['key', 'create', '--team', team, '--name', 'x'.repeat(256), '--scopes', 'all'],
      ['key', 'create', '--team', team, '--name', 'x', '--scopes', 'monitors:admin'],
      ['key', 'create', '--team', team, '--name', 'x', '--scopes', ''],
      ['key', 'create', '--team', team, '--name', 'x', '--scopes', 'monitors:read,'],
      ['key', 'create', '--team', team, '--name', 'x', '--scopes', 'all', '--expires', 'tomorrow'],
      ['key', 'create', '--team', team, '--name', 'x', '--scopes', 'all', '--expires', '2001-01-01T00:00:00Z'],
      ['key', 'create', '--team', team, '--name', 'x', '--scopes', 'all', '--bogus', '1'],
      ['key', 'create', '--team', 'team_' + 'Z'.repeat(20), '--name', 'x', '--scopes', 'all'],
      ['key', 'create', '--team', 'not-a-team', '--name', 'x', '--scopes', 'all'],
      ['key', 'list'],
      ['key', 'revoke'],
      ['key', 'revoke', 'key_' + 'Z'.repeat(20)],
      ['key', 'revoke', 'garbage'],
      ['backup'],
      ['backup', srv.db],
    ];
    const before = srv.snapshot();
    const wrong = [];
    for (const args of cases) {
      try { assertRefused(await srv.admin(...args), `uptime-admin ${args.join(' ')}`); } catch (e) { wrong.push(e.message); }
    }
    assert.deepEqual(wrong, []);
    assert.deepEqual(srv.snapshot(), before, 'refused commands changed nothing');
  });

  it('key list of a team that does not exist is refused, not an empty list', async () => {
    assertRefused(await srv.admin('key', 'list', '--team', 'team_' + 'Z'.repeat(20)), 'key list of an unknown team');
  });

  it('a key id from key list matches the API', async () => {
    const k = await srv.createKey(team, { name: 'match', scopes: ['monitors:read'] });
    const me = await srv.whoami(k);
    assert.match(me.id, KEY_ID_RE);
    const l = await srv.admin('key', 'list', '--team', team);
    assert.ok(l.stdout.split('\n').some((line) => line.includes(me.id) && line.includes(me.keyPrefix)));
  });
});
