// Resource limits (issue 11, part 6; docs/reliability.md "Resource
// limits"): hostile sizes against several families' endpoints.  Each
// gets its 4xx with the exact problem code, the database is unchanged,
// and the worker stays up: a normal request afterwards succeeds, the
// FastCGI workers are the same processes (under lighttpd, whose children
// they are), and the harness finds no sanitizer report when it stops.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, SERVER, MOUNT } from './lib/harness.mjs';
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
