// Resource limits (issue 11, part 6; docs/reliability.md "Resource
// limits"): hostile sizes against several families' endpoints.  Each
// gets its 4xx with the exact problem code, the database is unchanged,
// and the worker stays up: a normal request afterwards succeeds, the
// FastCGI workers are the same processes (under lighttpd, whose children
// they are), and the harness finds no sanitizer report when it stops.
//
// Per-team limits (docs/reliability.md "Per-team limits and run-now"):
// with low UPTIME_MAX_* a team creates up to its limit of monitors, alert
// channels, status pages and live maintenance windows, then one more is
// 409 limit_exceeded naming the limit and its setting, and changes
// nothing; another team has its own count; deleting (cancelling) one
// makes room.  Run-now (POST /v1/monitors/{id}/check): two at once on one
// monitor against a target that never answers are one 200 and one 429
// run_now_busy with Retry-After; with the default UPTIME_MAX_RUN_NOW of 1,
// two at once on two monitors of one team are the same; leases a killed
// worker left behind (rows written directly) refuse until they lapse.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, SERVER, MOUNT } from './lib/harness.mjs';
import { startHttpTarget } from './lib/targets.mjs';
import { assertOk, assertProblem, assertNoChange, show } from './lib/checks.mjs';
import { fcgiWorkers } from './lib/stress.mjs';

const MiB = 1024 * 1024;
let srv;
let key;
let monId;

// One create route a family, with a body that would be valid.
const FAMILIES = [
  { name: 'api-keys', path: '/v1/api-keys', list: '/v1/api-keys', body: () => ({ name: 'k', scopes: ['monitors:read'] }) },
  { name: 'monitors', path: '/v1/monitors', list: '/v1/monitors', body: () => ({ name: 'm', url: 'https://example.com/' }) },
  {
    name: 'maintenance', path: '/v1/maintenance-windows', list: '/v1/maintenance-windows',
    body: () => ({ title: 'w', startsAt: '2030-01-01T00:00:00Z', endsAt: '2030-01-01T01:00:00Z' }),
  },
  { name: 'status-pages', path: '/v1/status-pages', list: '/v1/status-pages', body: () => ({ name: 's', slug: 'limits-page' }) },
  {
    name: 'alerts', path: '/v1/alert-channels', list: '/v1/alert-channels',
    body: () => ({ name: 'c', type: 'webhook', config: { url: 'https://hooks.example.com/x' } }),
  },
  { name: 'team', path: '/v1/team/invites', list: '/v1/team/members', body: () => ({ email: 'ann@example.com' }) },
];

// The FastCGI workers lighttpd started; null under servers whose
// workers are not its children.
function workers() {
  return SERVER === 'lighttpd' ? fcgiWorkers(srv) : null;
}

// Run fn with nothing in the database changing, then check that every
// family still answers a normal request, from the same workers.
async function survives(fn) {
  const before = workers();
  await assertNoChange(srv, fn);
  for (const f of FAMILIES) assertOk(await srv.api('GET', f.list, { key }), 200);
  assertOk(await srv.api('GET', `/v1/monitors/${monId}`, { key }));
  const now = workers();
  if (before !== null) assert.deepEqual(now, before, 'a FastCGI worker died and was replaced');
}

// The status and the problem code of a raw HTTP answer.
function rawAnswer(out) {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(out);
  const code = /"code"\s*:\s*"([a-z_]+)"/.exec(out);
  return { status: m ? Number(m[1]) : null, code: code ? code[1] : null, out };
}

before(async () => {
  srv = await startServer();
  const team = await srv.createTeam('Limits');
  key = await srv.createKey(team, { name: 'admin' });
  monId = assertOk(await srv.api('POST', '/v1/monitors', { key, body: { name: 'keep', url: 'https://example.com/' } }), 201).id;
});

after(async () => { await srv?.stop(); });

describe('JSON', () => {
  it('nested 100,000 deep (arrays, objects, inside a field): 400 malformed_json', async () => {
    const deep = [
      '['.repeat(100000) + ']'.repeat(100000),
      '{"a":'.repeat(100000) + '1' + '}'.repeat(100000),
    ];
    await survives(async () => {
      for (const f of FAMILIES) {
        for (const d of deep) {
          assertProblem(await srv.api('POST', f.path, { key, rawBody: d }), 400, 'malformed_json');
        }
        // A valid body with one field nested deep.
        const b = JSON.stringify(f.body());
        const inner = `${b.slice(0, -1)},"x":${'['.repeat(100000)}${']'.repeat(100000)}}`;
        assertProblem(await srv.api('POST', f.path, { key, rawBody: inner }), 400, 'malformed_json');
      }
    });
  });

  it('10,000 fields: 400 unknown_field, at most 32 errors named', async () => {
    const fields = {};
    for (let i = 0; i < 10000; i++) fields[`f${i}`] = i;
    await survives(async () => {
      for (const f of FAMILIES) {
        const res = await srv.api('POST', f.path, { key, body: { ...f.body(), ...fields } });
        assertProblem(res, 400, 'unknown_field');
        assert.ok(res.json.errors.length <= 32, `${res.json.errors.length} errors`);
      }
      // The same name 10,000 times.
      const dup = `{${Array.from({ length: 10000 }, () => '"name":"x"').join(',')}}`;
      for (const f of FAMILIES) {
        const res = await srv.api('POST', f.path, { key, rawBody: dup });
        assert.equal(res.status, 400, show(res));
      }
    });
  });

  it('a 1 MiB string: 413 body_too_large; one that just fits the cap: 400 validation_error', async () => {
    await survives(async () => {
      for (const f of FAMILIES) {
        const body = f.body();
        const field = Object.keys(body)[0];
        assertProblem(await srv.api('POST', f.path, { key, body: { ...body, [field]: 'x'.repeat(MiB) } }),
          413, 'body_too_large');
        // The whole body exactly 1 MiB: read, then refused for the field.
        const shell = JSON.stringify({ ...body, [field]: '' });
        const fit = JSON.stringify({ ...body, [field]: 'x'.repeat(MiB - Buffer.byteLength(shell)) });
        assert.equal(Buffer.byteLength(fit), MiB);
        assertProblem(await srv.api('POST', f.path, { key, rawBody: fit }), 400, 'validation_error',
          { pointers: [`/${field}`] });
      }
    });
  });
});

describe('query strings', () => {
  it('perPage=100000: 400 bad_query on every list', async () => {
    await survives(async () => {
      for (const f of FAMILIES) {
        assertProblem(await srv.api('GET', `${f.list}?perPage=100000`, { key }), 400, 'bad_query');
      }
      assertProblem(await srv.api('GET', `/v1/monitors/${monId}/results?perPage=100000`, { key }), 400, 'bad_query');
    });
  });

  it('thousands of parameters: 400 bad_query', async () => {
    // Under the web server's own cap on the request head (8 KiB for
    // lighttpd), so the program sees them: over REQ_MAXPARAMS (32), over
    // REQ_MAXQUERY (4096 bytes), a known name repeated.
    const manyShort = Array.from({ length: 2000 }, () => 'a').join('&');           // 3999 bytes
    const many = Array.from({ length: 1500 }, () => 'a=1').join('&');              // 5999 bytes
    const manyKnown = Array.from({ length: 700 }, () => 'perPage=1').join('&');    // 6999 bytes
    const fewKnown = Array.from({ length: 40 }, () => 'perPage=1').join('&');
    const fewValid = Array.from({ length: 33 }, (_, i) => (i % 2 ? 'perPage=1' : 'cursor=')).join('&');
    await survives(async () => {
      for (const f of FAMILIES) {
        for (const q of [manyShort, many, manyKnown, fewKnown, fewValid]) {
          assertProblem(await srv.api('GET', `${f.list}?${q}`, { key }), 400, 'bad_query');
        }
        assertProblem(await srv.api('POST', `${f.path}?${manyShort}`, { key, body: f.body() }), 400, 'bad_query');
      }
    });
  });

  it('a query past the web server\'s own cap never reaches the program', async () => {
    // 3,000 parameters, 20 KB: lighttpd answers 431 itself.
    const huge = Array.from({ length: 3000 }, (_, i) => `p${i}=1`).join('&');
    await survives(async () => {
      for (const f of FAMILIES) {
        const a = rawAnswer(await srv.raw(`GET ${f.list}?${huge} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
          `Authorization: Bearer ${key}\r\nConnection: close\r\n\r\n`));
        assert.ok([400, 414, 431].includes(a.status), a.out.slice(0, 300));
      }
    });
  });
});

describe('a Content-Length that lies', () => {
  const request = (path, len, body) => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
    `Authorization: Bearer ${key}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${len}\r\nConnection: close\r\n\r\n${body}`;

  it('shorter than the body: only Content-Length bytes are the body (400 malformed_json)', async () => {
    await survives(async () => {
      for (const f of FAMILIES) {
        const body = JSON.stringify(f.body());
        const a = rawAnswer(await srv.raw(request(f.path, 10, body)));
        assert.equal(a.status, 400, a.out.slice(0, 600));
        assert.equal(a.code, 'malformed_json', a.out.slice(0, 600));
      }
    });
  });

  it('longer than the body, the client then silent: no answer from the program, nothing written', async () => {
    await survives(async () => {
      for (const f of FAMILIES) {
        const body = JSON.stringify(f.body());
        // The server waits for the rest of the body; after 3 s the
        // client gives up and closes.  The program never sees a request.
        const a = rawAnswer(await srv.raw(request(f.path, body.length + 100, body), { timeout: 3000 }));
        assert.ok(a.status === null || (a.status >= 400 && a.status < 500), a.out.slice(0, 600));
      }
    });
  });

  it('longer than the body, the client then half-closes: 4xx or a closed connection', async () => {
    const net = await import('node:net');
    await survives(async () => {
      for (const f of FAMILIES) {
        const body = JSON.stringify(f.body());
        const out = await new Promise((resolve, reject) => {
          const chunks = [];
          const s = net.connect({ host: '127.0.0.1', port: srv.port });
          const timer = setTimeout(() => { s.destroy(); resolve(Buffer.concat(chunks).toString('latin1')); }, 10000);
          s.on('data', (d) => chunks.push(d));
          s.on('error', (e) => { if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') reject(e); });
          s.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString('latin1')); });
          s.on('connect', () => {
            let req = request(f.path, body.length + 100, body);
            if (MOUNT) req = req.replace(/^POST \//, `POST ${MOUNT}/`);
            s.end(req);
          });
        });
        const a = rawAnswer(out);
        assert.ok(a.status === null || (a.status >= 400 && a.status < 500), out.slice(0, 600));
      }
    });
  });

  it('not a number, negative, or past the cap: 400 or 413 before anything is read', async () => {
    await survives(async () => {
      for (const f of FAMILIES.slice(0, 3)) {
        const body = JSON.stringify(f.body());
        const huge = rawAnswer(await srv.raw(request(f.path, 10 * MiB, body), { timeout: 5000 }));
        assert.equal(huge.status, 413, huge.out.slice(0, 600));
        for (const len of ['-1', 'abc', '99999999999999999999999']) {
          const a = rawAnswer(await srv.raw(request(f.path, len, body), { timeout: 5000 }));
          assert.ok(a.status >= 400 && a.status < 500, `${len}: ${a.out.slice(0, 600)}`);
        }
      }
    });
  });
});

// ---- per-team limits -------------------------------------------------------

describe('per-team limits: UPTIME_MAX_MONITORS, _ALERT_CHANNELS, _STATUS_PAGES, _MAINTENANCE_WINDOWS', () => {
  const MAX = 2;
  let lim;
  let seq = 0;
  const future = (days) => new Date(Date.now() + days * 86400e3).toISOString();
  // Each family: a valid body (new each time), how to make room, and
  // the setting that limits it.
  const LIMITED = [
    { setting: 'UPTIME_MAX_MONITORS', path: '/v1/monitors', body: () => ({ name: `m${++seq}`, url: 'https://example.com/' }) },
    {
      setting: 'UPTIME_MAX_ALERT_CHANNELS', path: '/v1/alert-channels',
      body: () => ({ name: `c${++seq}`, type: 'webhook', config: { url: 'https://hooks.example.com/x' } }),
    },
    { setting: 'UPTIME_MAX_STATUS_PAGES', path: '/v1/status-pages', body: () => ({ name: `s${++seq}`, slug: `limited-${++seq}` }) },
    {
      setting: 'UPTIME_MAX_MAINTENANCE_WINDOWS', path: '/v1/maintenance-windows',
      body: () => ({ title: `w${++seq}`, startsAt: future(1), endsAt: future(2) }),
    },
  ];

  before(async () => {
    lim = await startServer({
      env: {
        UPTIME_MAX_MONITORS: String(MAX), UPTIME_MAX_ALERT_CHANNELS: String(MAX),
        UPTIME_MAX_STATUS_PAGES: String(MAX), UPTIME_MAX_MAINTENANCE_WINDOWS: String(MAX),
      },
    });
  });
  after(async () => { await lim?.stop(); });

  for (const f of LIMITED) {
    it(`negative: ${f.path} past ${f.setting}: 409 limit_exceeded, nothing written; another team has its own; deleting makes room`, async () => {
      const k = await lim.createKey(await lim.createTeam(`Full ${f.setting}`), { name: 'k' });
      const made = [];
      for (let i = 0; i < MAX; i++) made.push(assertOk(await lim.api('POST', f.path, { key: k, body: f.body() }), 201));
      await assertNoChange(lim, async () => {
        const p = assertProblem(await lim.api('POST', f.path, { key: k, body: f.body() }), 409, 'limit_exceeded');
        assert.equal(p.limit, MAX);
        assert.equal(p.setting, f.setting);
        assert.ok(p.detail.includes(`at most ${MAX} `) && p.detail.includes(f.setting), p.detail);
      });
      // Another team is not held back by this one's count.
      const other = await lim.createKey(await lim.createTeam(`Other ${f.setting}`), { name: 'k' });
      assertOk(await lim.api('POST', f.path, { key: other, body: f.body() }), 201);
      // Deleting (a window: cancelling) one makes room for one.
      assert.equal((await lim.api('DELETE', `${f.path}/${made[0].id}`, { key: k })).status, 204);
      assertOk(await lim.api('POST', f.path, { key: k, body: f.body() }), 201);
      assertProblem(await lim.api('POST', f.path, { key: k, body: f.body() }), 409, 'limit_exceeded');
    });
  }

  it('negative: concurrent creates at the limit: exactly the room left is taken', async () => {
    const k = await lim.createKey(await lim.createTeam('Racing'), { name: 'k' });
    const f = LIMITED[0];
    const answers = await Promise.all(Array.from({ length: 6 }, () => lim.api('POST', f.path, { key: k, body: f.body() })));
    assert.deepEqual(answers.map((r) => r.status).sort(), [201, 201, 409, 409, 409, 409], answers.map(show).join('\n'));
  });

  it('negative: a ping with ?create=1 past UPTIME_MAX_MONITORS: 409 limit_exceeded, no heartbeat made', async () => {
    const k = await lim.createKey(await lim.createTeam('Full by pings'), { name: 'k' });
    const pk = assertOk(await lim.api('POST', '/v1/monitors/ping-key', { key: k, body: { createOnPing: true } }), 201);
    for (let i = 0; i < MAX; i++) {
      const res = await lim.api('GET', `/v1/ping/${pk.key}/job-${i}?create=1`);
      assert.equal(res.status, 200, show(res));
    }
    await assertNoChange(lim, async () => {
      const p = assertProblem(await lim.api('GET', `/v1/ping/${pk.key}/job-x?create=1`), 409, 'limit_exceeded');
      assert.equal(p.limit, MAX);
      assert.equal(p.setting, 'UPTIME_MAX_MONITORS');
    });
    // The heartbeats made keep taking pings.
    assert.equal((await lim.api('GET', `/v1/ping/${pk.key}/job-0?create=1`)).status, 200);
  });

  it('maintenance windows that are over do not count; scheduling one again at the limit is 409', async () => {
    const k = await lim.createKey(await lim.createTeam('Windows'), { name: 'k' });
    const f = LIMITED[3];
    for (let i = 0; i < MAX; i++) assertOk(await lim.api('POST', f.path, { key: k, body: f.body() }), 201);
    // A window already over is history: it does not take a place.
    const past = assertOk(await lim.api('POST', f.path, {
      key: k, body: { title: 'last week', startsAt: future(-8), endsAt: future(-7) },
    }), 201);
    assert.equal(past.state, 'completed');
    await assertNoChange(lim, async () => {
      const p = assertProblem(await lim.api('PATCH', `${f.path}/${past.id}`, {
        key: k, body: { startsAt: future(3), endsAt: future(4) },
      }), 409, 'limit_exceeded');
      assert.equal(p.setting, 'UPTIME_MAX_MAINTENANCE_WINDOWS');
    });
    // A change that keeps it over is fine.
    assertOk(await lim.api('PATCH', `${f.path}/${past.id}`, { key: k, body: { title: 'the week before' } }));
  });
});

// ---- run-now ---------------------------------------------------------------

describe('run-now (POST /v1/monitors/{id}/check): one a monitor, UPTIME_MAX_RUN_NOW a team', () => {
  const TIMEOUT_S = 3;
  let one;     // the default UPTIME_MAX_RUN_NOW (1)
  let two;     // UPTIME_MAX_RUN_NOW=2
  let hang;
  let web;

  const monitor = async (s, k, url) => assertOk(await s.api('POST', '/v1/monitors', {
    key: k, body: { name: 'now', url, timeoutSeconds: TIMEOUT_S, intervalSeconds: 60 },
  }), 201);
  const check = (s, k, id) => s.api('POST', `/v1/monitors/${id}/check`, { key: k });
  const results = (s, id) => s.sql(`SELECT count(*) AS n FROM check_results WHERE monitor_id = '${id}'`)[0].n;

  // A 429 run_now_busy with a Retry-After of 1 .. the lease's length.
  function assertBusy(res) {
    const p = assertProblem(res, 429, 'run_now_busy');
    const ra = Number(res.headers.get('retry-after'));
    assert.ok(Number.isInteger(ra) && ra >= 1 && ra <= TIMEOUT_S + 15, `Retry-After ${res.headers.get('retry-after')}`);
    return p;
  }

  before(async () => {
    hang = await startHttpTarget(() => new Promise(() => {}));   // never answers
    web = await startHttpTarget((req, res) => res.end('fine'));
    one = await startServer({ allowPrivate: true });
    two = await startServer({ allowPrivate: true, env: { UPTIME_MAX_RUN_NOW: '2' } });
  });
  after(async () => {
    await one?.stop();
    await two?.stop();
    await hang?.close();
    await web?.close();
  });

  it('negative: two at once on one monitor against a target that never answers: one runs, one is 429 at once', async (t) => {
    const k = await two.createKey(await two.createTeam('Same monitor'), { name: 'k' });
    const m = await monitor(two, k, hang.url('/hang'));
    const started = Date.now();
    const answers = await Promise.all([0, 1].map(async () => {
      const r = await check(two, k, m.id);
      return { r, ms: Date.now() - started };
    }));
    const ok = answers.filter((a) => a.r.status === 200);
    const busy = answers.filter((a) => a.r.status === 429);
    assert.equal(ok.length, 1, answers.map((a) => show(a.r)).join('\n'));
    assert.equal(busy.length, 1, answers.map((a) => show(a.r)).join('\n'));
    assert.equal(ok[0].r.json.data.error?.code, 'timeout');
    const p = assertBusy(busy[0].r);
    assert.equal(p.setting, undefined, 'the monitor\'s own lease, not the team\'s limit');
    assert.ok(busy[0].ms < ok[0].ms, `the 429 came after the check (${busy[0].ms} ms, ${ok[0].ms} ms)`);
    assert.equal(results(two, m.id), 1, 'one check recorded');
    t.diagnostic(`429 after ${busy[0].ms} ms (Retry-After ${busy[0].r.headers.get('retry-after')}), ` +
      `the check's 200 after ${ok[0].ms} ms`);
    // The lease went with the result: the next one runs.
    assertOk(await check(two, k, m.id));
    assert.deepEqual(two.sql('SELECT * FROM run_now_leases'), []);
  });

  it('negative: with the default UPTIME_MAX_RUN_NOW (1), two at once on two monitors of one team: one is 429', async () => {
    const k = await one.createKey(await one.createTeam('Two monitors'), { name: 'k' });
    const a = await monitor(one, k, hang.url('/a'));
    const b = await monitor(one, k, hang.url('/b'));
    const answers = await Promise.all([a, b].map((m) => check(one, k, m.id)));
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 429], answers.map(show).join('\n'));
    const p = assertBusy(answers.find((r) => r.status === 429));
    assert.equal(p.limit, 1);
    assert.equal(p.setting, 'UPTIME_MAX_RUN_NOW');
    assert.equal(results(one, a.id) + results(one, b.id), 1);
  });

  it('negative: leases in the way (another worker\'s) refuse with nothing written, other teams run, and a lapsed one counts for nothing', async () => {
    const k = await two.createKey(await two.createTeam('Leases'), { name: 'k' });
    const team = (await two.whoami(k)).team.id;
    const [a, b, c] = [await monitor(two, k, web.url('/a')), await monitor(two, k, web.url('/b')), await monitor(two, k, web.url('/c'))];
    const soon = Date.now() + 10e3;
    const lease = (m, at) => two.sqlWrite('INSERT INTO run_now_leases (monitor_id, team_id, token, expires_at) ' +
      `VALUES ('${m.id}', '${team}', 'run_test${m.id.slice(4)}', ${at})`);
    lease(a, soon);
    lease(b, soon);
    await assertNoChange(two, async () => {
      // Retry-After: until the lease in the way lapses.
      const busyA = await check(two, k, a.id);
      assertBusy(busyA);
      assert.ok(Number(busyA.headers.get('retry-after')) <= 10, show(busyA));
      const p = assertBusy(await check(two, k, c.id));
      assert.equal(p.setting, 'UPTIME_MAX_RUN_NOW');
      assert.equal(p.limit, 2);
    });
    // Another team is not held back.
    const other = await two.createKey(await two.createTeam('Not held'), { name: 'k' });
    assertOk(await check(two, other, (await monitor(two, other, web.url('/o'))).id));
    // A worker killed mid-check leaves its lease; once it lapses it is gone.
    two.sqlWrite(`UPDATE run_now_leases SET expires_at = ${Date.now() - 1} WHERE monitor_id = '${a.id}'`);
    assertOk(await check(two, k, a.id));
    assert.deepEqual(two.sql('SELECT monitor_id FROM run_now_leases').map((r) => r.monitor_id), [b.id]);
    // Deleting a monitor drops its lease.
    assert.equal((await two.api('DELETE', `/v1/monitors/${b.id}`, { key: k })).status, 204);
    assert.deepEqual(two.sql('SELECT * FROM run_now_leases'), []);
  });
});
