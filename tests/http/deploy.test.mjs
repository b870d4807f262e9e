// The deployment itself (API.md section 1, docs/deploy.md), under whichever
// server kind UPTIME_SERVER picks: every URL prefix of the contract reaches
// the program that owns it through the example configuration, the
// Authorization header and the query string get through, answers keep the
// mount path, the programs run as the service user with the database and
// the secret readable by that user alone, and nothing but the API is
// served from the programs' folder.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { startServer, BINDIR, SERVER, PG } from './lib/harness.mjs';
import { KIND, CONTRACT_PREFIXES as PREFIXES, userIds } from './lib/servers.mjs';
import { assertOk, assertProblem, show } from './lib/checks.mjs';

const built = (program) => fs.existsSync(path.join(BINDIR, `${program}.fcgi`));

let srv;
let key;

before(async () => {
  srv = await startServer();
  key = await srv.createKey(await srv.createTeam('Deployed'), { name: 'deploy admin' });
});

after(async () => { await srv?.stop(); });

describe(`every prefix of the contract reaches its program (${SERVER})`, () => {
  for (const p of PREFIXES) {
    it(`${p.prefix} reaches ${p.program}.fcgi`, { skip: built(p.program) ? false : `${p.program}.fcgi is not built yet` }, async () => {
      const res = await srv.api('PUT', p.probe, { key });
      const problem = assertProblem(res, 405, 'method_not_allowed');
      assert.ok(res.headers.get('allow'), show(res));
      assert.ok(res.headers.get('x-request-id'), show(res));
      assert.equal(problem.requestId, res.headers.get('x-request-id'));
    });
  }

  it('negative: a path under /v1 that no program owns is refused', async () => {
    // By a program's router (404) or by the server (its own 404, or 403
    // where the site's configuration denies what it does not map).
    const res = await srv.api('GET', '/v1/no-such-family', { key });
    assert.ok(res.status === 404 || res.status === 403, show(res));
  });
});

describe('what reaches the programs', () => {
  it('the Authorization header (CGIPassAuth or its equivalent)', async () => {
    const me = assertOk(await srv.api('GET', '/v1/api-keys/current', { key }));
    assert.equal(me.name, 'deploy admin');
    const none = await srv.api('GET', '/v1/api-keys/current');
    assertProblem(none, 401, 'missing_credentials');
  });

  it('the query string, and the mount path in Link and Location', async () => {
    for (let i = 0; i < 3; i++) {
      assertOk(await srv.api('POST', '/v1/api-keys', { key, body: { name: `k${i}`, scopes: ['monitors:read'] } }), 201);
    }
    const res = await srv.api('GET', '/v1/api-keys?perPage=1', { key });
    assert.equal(assertOk(res).length, 1);
    const link = res.headers.get('link') ?? '';
    assert.ok(link.startsWith(`<${srv.baseUrl}/v1/api-keys?perPage=1&cursor=`), `Link ${link}`);
    const made = await srv.api('POST', '/v1/api-keys', { key, body: { name: 'located', scopes: ['monitors:read'] } });
    const id = assertOk(made, 201).id;
    const loc = made.headers.get('location');
    assert.equal(loc, `${srv.baseUrl}/v1/api-keys/${id}`);
    // Following it reaches the same key.
    assert.equal(assertOk(await srv.api('GET', loc, { key })).id, id);
  });

  it('UPTIME_PUBLIC_URL from the example: ping URLs point at this server, and work', async () => {
    // A setting that did not arrive would leave the default,
    // http://127.0.0.1:8080.
    const m = assertOk(await srv.api('POST', '/v1/monitors', {
      key, body: { name: 'deploy heartbeat', type: 'heartbeat', intervalSeconds: 3600 },
    }), 201);
    assert.ok(m.pingUrl.startsWith(`${srv.baseUrl}/v1/ping/`), m.pingUrl);
    if (!built('ping')) return;
    const res = await fetch(m.pingUrl, { method: 'POST', body: 'ok' });
    assert.equal(res.status, 200, await res.text());
    assert.ok(assertOk(await srv.api('GET', `/v1/monitors/${m.id}`, { key })).lastPingAt);
  });
});

// The database's own files: SQLite's (PostgreSQL keeps its files itself).
describe('files and users', { skip: PG ? 'SQLite only: the database file and its companions' : false }, () => {
  const want = KIND.user ? userIds(KIND.user) : { uid: process.getuid(), gid: process.getgid() };

  it(`the programs run as ${KIND.user ?? 'the server\'s user'}: what they create is that user's`, async () => {
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key }));
    // The rate-limit table beside the database is made by the programs.
    const st = await fsp.stat(`${srv.db}.ratelimit`);
    assert.equal(st.uid, want.uid);
    assert.equal(st.mode & 0o077, 0, `mode ${(st.mode & 0o777).toString(8)}`);
  });

  it('the database, its WAL and the secret belong to that user, and no one else may read them', async () => {
    // Plain CGI programs end with their request, and the last one out
    // folds the WAL back in: it is there only while a program runs.
    const wal = [`${srv.db}-wal`, `${srv.db}-shm`].filter((f) => fs.existsSync(f));
    for (const f of [srv.db, srv.secret, ...wal]) {
      const st = await fsp.stat(f);
      assert.equal(st.uid, want.uid, f);
      assert.equal(st.mode & 0o077, 0, `${f} mode ${(st.mode & 0o777).toString(8)}`);
    }
    assert.equal((await fsp.stat(srv.secret)).mode & 0o777, 0o600);
  });
});

describe('nothing but the API is served', () => {
  it('negative: the programs by their own name, and (plain CGI) the .htaccess file', async () => {
    const paths = [`${srv.mount}/api-keys.fcgi`, `${srv.mount}/api-keys.fcgi/v1/api-keys`];
    if (srv.mount) paths.push(`${srv.mount}/.htaccess`, `${srv.mount}/`);
    for (const p of paths) {
      const res = await fetch(srv.origin + p, { headers: { authorization: `Bearer ${key}` }, redirect: 'manual' });
      const text = await res.text();
      assert.ok(res.status === 404 || res.status === 403, `${p}: ${res.status}\n${text.slice(0, 300)}`);
      assert.ok(!/RewriteRule|SetEnv|ELF/.test(text), `${p} served a file`);
      assert.ok(!text.includes(srv.db) && !text.includes(srv.secret), `${p} names the data files`);
    }
  });
});
