// Conventions every endpoint follows: API.md section 3, checked on the
// api-keys family.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import {
  assertOk, assertProblem, assertCommonHeaders, assertNoChange, walk, show,
  TIME_RE, KEY_ID_RE, TEAM_ID_RE,
} from './lib/checks.mjs';

let srv;
let team;
let admin;
let adminId;
let spare;          // a key made through the API, for {id} routes

const MiB = 1024 * 1024;
const post = (opts) => srv.api('POST', '/v1/api-keys', { key: admin, ...opts });

before(async () => {
  srv = await startServer();
  team = await srv.createTeam('Conventions');
  admin = await srv.createKey(team, { name: 'admin' });
  adminId = (await srv.whoami(admin)).id;
  spare = assertOk(await post({ body: { name: 'spare', scopes: ['monitors:read'] } }), 201);
});

after(async () => { await srv?.stop(); });

describe('success answers', () => {
  it('use the {data, meta:{requestId, timestamp}} envelope with RFC 3339 ms times and typed ids', async () => {
    const answers = [
      await srv.api('GET', '/v1/api-keys?status=all', { key: admin }),
      await srv.api('GET', `/v1/api-keys/${spare.id}`, { key: admin }),
      await srv.api('GET', '/v1/api-keys/current', { key: admin }),
      await srv.api('GET', '/v1/audit-events', { key: admin }),
    ];
    for (const res of answers) {
      const data = assertOk(res);
      assert.deepEqual(Object.keys(res.json).sort(), ['data', 'meta']);
      walk(data, (at, name, v) => {
        if (/At$/.test(name) && v !== null) assert.match(v, TIME_RE, at);
        if (name === 'id' && !at.includes('/team/')) assert.match(v, /^(key|evt)_[0-9A-Za-z]{20}$/, at);
        if (/KeyId$|^keyId$/.test(name) && v !== null) assert.match(v, KEY_ID_RE, at);
        assert.match(name, /^[a-z][A-Za-z0-9]*$/, `field name ${at} is camelCase`);
      });
    }
    const cur = answers[2].json.data;
    assert.match(cur.team.id, TEAM_ID_RE);
  });

  it('a list answer carries meta.pagination', async () => {
    const res = await srv.api('GET', '/v1/api-keys', { key: admin });
    assertOk(res);
    assert.ok(Array.isArray(res.json.data));
    assert.deepEqual(res.json.meta.pagination, { next: null, perPage: 50 });
  });

  it('perPage 1 and 200 are accepted', async () => {
    for (const n of [1, 200]) {
      const res = await srv.api('GET', `/v1/api-keys?perPage=${n}`, { key: admin });
      assertOk(res);
      assert.equal(res.json.meta.pagination.perPage, n);
    }
  });

  it('HEAD on a GET route: same status and headers, no body', async () => {
    const get = await srv.api('GET', '/v1/api-keys', { key: admin });
    const head = await srv.api('HEAD', '/v1/api-keys', { key: admin });
    assert.equal(head.status, 200, show(head));
    assert.equal(head.text, '');
    assert.match(head.headers.get('content-type') ?? '', /^application\/json/);
    assertCommonHeaders(head);
    assert.equal(head.headers.get('link'), get.headers.get('link'));
    const h404 = await srv.api('HEAD', `/v1/api-keys/key_${'z'.repeat(20)}`, { key: admin });
    assert.equal(h404.status, 404);
    assert.equal(h404.text, '');
    const h401 = await srv.api('HEAD', '/v1/api-keys');
    assert.equal(h401.status, 401);
    assert.equal(h401.text, '');
  });
});

describe('request bodies', () => {
  it('malformed JSON is 400 malformed_json', async () => {
    const bodies = ['{"name":', '{name: "x"}', "{'name':'x'}", '{"name":"x",}', '{"name":"x"} trailing',
      '', ' ', '{"name":"x\u0001"', 'nul'];
    await assertNoChange(srv, async () => {
      for (const b of bodies) {
        assertProblem(await post({ rawBody: b }), 400, 'malformed_json');
      }
    });
  });

  it('invalid UTF-8 is refused with 400', async () => {
    const b = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('","scopes":["monitors:read"]}')]);
    await assertNoChange(srv, async () => {
      const res = await post({ rawBody: b, headers: { 'content-type': 'application/json' } });
      assertProblem(res, 400, null, { codes: ['malformed_json', 'validation_error'] });
    });
  });

  it('a body that is not an object is 400', async () => {
    await assertNoChange(srv, async () => {
      for (const b of ['[]', '"x"', 'null', '42', 'true', '[{"name":"x","scopes":["monitors:read"]}]']) {
        assertProblem(await post({ rawBody: b }), 400, null, { codes: ['malformed_json', 'validation_error'] });
      }
    });
  });

  it('deep nesting is refused, not crashed on', async () => {
    await assertNoChange(srv, async () => {
      for (const b of ['['.repeat(200000), '{"name":' + '['.repeat(100000) + ']'.repeat(100000) + '}',
        '{"a":'.repeat(50000) + '1' + '}'.repeat(50000)]) {
        const res = await post({ rawBody: b });
        assert.equal(res.status, 400, show(res));
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      }
    });
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: admin }));
  });

  it('an embedded NUL in a string is kept or refused, never cut short', async () => {
    const res = await post({ body: { name: 'a\u0000b', scopes: ['monitors:read'] } });
    if (res.status === 201) assert.equal(res.json.data.name, 'a\u0000b');
    else assertProblem(res, 400, 'validation_error', { pointers: ['/name'] });
  });

  it('unknown fields: 400 unknown_field with errors[].pointer', async () => {
    await assertNoChange(srv, async () => {
      const p = assertProblem(await post({ body: { name: 'x', scopes: ['monitors:read'], extra: 1, other: { a: 1 } } }),
        400, 'unknown_field', { pointers: ['/extra', '/other'] });
      assert.equal(p.errors.length, 2);
    });
  });

  it('read-only fields: 400 read_only_field', async () => {
    await assertNoChange(srv, async () => {
      assertProblem(await post({ body: { name: 'x', scopes: ['monitors:read'], id: spare.id } }), 400, 'read_only_field',
        { pointers: ['/id'] });
      assertProblem(await post({ body: { name: 'x', scopes: ['monitors:read'], keyPrefix: 'uptime_aaaaaaaa', createdAt: spare.createdAt } }),
        400, 'read_only_field', { pointers: ['/keyPrefix', '/createdAt'] });
    });
  });

  it('several bad fields are listed at once', async () => {
    await assertNoChange(srv, async () => {
      const p = assertProblem(await post({ body: { name: 'n'.repeat(300), scopes: ['bad:scope'], expiresAt: 'soon' } }),
        400, 'validation_error', { pointers: ['/name', /^\/scopes/, '/expiresAt'] });
      assert.equal(new Set(p.errors.map((e) => e.pointer.split('/')[1])).size, 3);
    });
  });

  it('a wrong Content-Type is 415 unsupported_media_type', async () => {
    const json = JSON.stringify({ name: 'x', scopes: ['monitors:read'] });
    await assertNoChange(srv, async () => {
      for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'multipart/form-data; boundary=x']) {
        assertProblem(await post({ rawBody: json, headers: { 'content-type': ct } }), 415, 'unsupported_media_type');
      }
      // No Content-Type at all, with a body.
      assertProblem(await post({ rawBody: Buffer.from(json) }), 415, 'unsupported_media_type');
    });
  });

  it('application/json with parameters or in another case is accepted', async () => {
    const json = JSON.stringify({ name: 'ct', scopes: ['monitors:read'] });
    assertOk(await post({ rawBody: json, headers: { 'content-type': 'application/json; charset=utf-8' } }), 201);
    assertOk(await post({ rawBody: json, headers: { 'content-type': 'Application/JSON' } }), 201);
  });
});

describe('body size cap: 1 MiB, whatever Content-Length says', () => {
  // A JSON object of exactly n bytes whose name is too long.
  const bodyOf = (n) => {
    const head = '{"scopes":["monitors:read"],"name":"';
    const tail = '"}';
    return head + 'x'.repeat(n - head.length - tail.length) + tail;
  };

  it('1 MiB + 1 byte is 413 body_too_large', async () => {
    await assertNoChange(srv, async () => {
      assertProblem(await post({ rawBody: bodyOf(MiB + 1) }), 413, 'body_too_large');
    });
  });

  it('exactly 1 MiB is read (and then refused for its long name)', async () => {
    await assertNoChange(srv, async () => {
      assertProblem(await post({ rawBody: bodyOf(MiB) }), 400, 'validation_error', { pointers: ['/name'] });
    });
  });

  it('a chunked body with no Content-Length over 1 MiB is 413', async () => {
    const chunk = Buffer.from('x'.repeat(64 * 1024));
    await assertNoChange(srv, async () => {
      let sent = 0;
      const stream = new ReadableStream({
        start(c) { c.enqueue(Buffer.from('{"scopes":["monitors:read"],"name":"')); },
        pull(c) {
          if (sent >= 1.5 * MiB) { c.enqueue(Buffer.from('"}')); c.close(); return; }
          c.enqueue(chunk);
          sent += chunk.length;
        },
      });
      const res = await post({ rawBody: stream, duplex: 'half', headers: { 'content-type': 'application/json' } });
      assertProblem(res, 413, 'body_too_large');
    });
  });

  it('a much larger body is refused with 413 too', async () => {
    // lighttpd may answer this one itself, before the body is sent, so
    // write it on a raw socket and read whatever comes back.
    await assertNoChange(srv, async () => {
      const body = bodyOf(3 * MiB);
      const out = await srv.raw(`POST /v1/api-keys HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${admin}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      assert.match(out, /^HTTP\/1\.[01] 413 /, out.slice(0, 300));
    });
  });

  it('a Content-Length smaller than the body: only that much is read, the rest is not a request', async () => {
    const big = bodyOf(1.5 * MiB);
    await assertNoChange(srv, async () => {
      const req = `POST /v1/api-keys HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${admin}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 40\r\nConnection: close\r\n\r\n${big}`;
      const out = await srv.raw(req);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(out);
      assert.ok(m, `no HTTP answer: ${out.slice(0, 300)}`);
      assert.equal(m[1], '400', out.slice(0, 600));
      assert.match(out, /application\/problem\+json/);
      assert.match(out, /"malformed_json"/);
    });
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: admin }));
  });
});

describe('query strings', () => {
  it('bad perPage is 400 bad_query', async () => {
    for (const v of ['0', '201', 'x', '-1', '1.5', '', '1e2', '+5', '99999999999999999999', '5x']) {
      assertProblem(await srv.api('GET', `/v1/api-keys?perPage=${encodeURIComponent(v)}`, { key: admin }), 400, 'bad_query');
    }
  });

  it('a bad cursor is 400 bad_query', async () => {
    for (const v of ['abc', '!!!', 'x'.repeat(500), '', '0']) {
      assertProblem(await srv.api('GET', `/v1/api-keys?cursor=${encodeURIComponent(v)}`, { key: admin }), 400, 'bad_query');
    }
  });

  it('percent-encoded values are decoded', async () => {
    assertOk(await srv.api('GET', '/v1/api-keys?status=%61ctive&perPage=%35', { key: admin }));
  });
});

describe('methods and paths', () => {
  const cases = () => [
    ['PUT', '/v1/api-keys', ['GET', 'POST']],
    ['DELETE', '/v1/api-keys', ['GET', 'POST']],
    ['PATCH', `/v1/api-keys/${spare.id}`, ['GET', 'DELETE']],
    ['PUT', `/v1/api-keys/${spare.id}`, ['GET', 'DELETE']],
    ['GET', `/v1/api-keys/${spare.id}/rotate`, ['POST']],
    ['POST', '/v1/api-keys/current', ['GET']],
    ['DELETE', '/v1/audit-events', ['GET']],
  ];

  it('a wrong method is 405 method_not_allowed with Allow', async () => {
    for (const [method, path, allowed] of cases()) {
      await assertNoChange(srv, async () => {
        const res = await srv.api(method, path, { key: admin });
        assertProblem(res, 405, 'method_not_allowed');
        const allow = (res.headers.get('allow') ?? '').split(',').map((s) => s.trim().toUpperCase());
        for (const m of allowed) assert.ok(allow.includes(m), `${method} ${path}: Allow ${allow} lacks ${m}`);
        assert.ok(!allow.includes(method), `${method} ${path}: Allow lists ${method}`);
      });
    }
  });

  it('an unknown path is 404 not_found', async () => {
    for (const path of [
      `/v1/api-keys/${spare.id}/nope`, '/v1/api-keys/current/x', '/v1/audit-events/evt_aaaaaaaaaaaaaaaaaaaa',
      `/v1/api-keys/${spare.id}/rotate/again`, '/v1/api-keys/a/b/c/d/e/f/g',
    ]) {
      assertProblem(await srv.api('GET', path, { key: admin }), 404, 'not_found');
    }
  });

  it('a very long path is refused, not crashed on', async () => {
    const res = await srv.api('GET', '/v1/api-keys/' + 'a'.repeat(6000), { key: admin });
    assert.ok(res.status >= 400 && res.status < 500, show(res));
  });
});

describe('mount prefixes and links (docs/reliability.md "Mount prefixes and absolute links")', () => {
  // One request on a raw socket (the target as given: fetch would
  // resolve its dot segments): { status, headers (lower-case), json }.
  async function rawRequest(method, target, { body, host = '127.0.0.1' } = {}) {
    const out = await srv.raw(`${method} ${target} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${admin}\r\n` +
      (body === undefined ? '' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`) +
      `Connection: close\r\n\r\n${body ?? ''}`);
    const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(out);
    assert.ok(m, `no HTTP answer: ${out.slice(0, 300)}`);
    const headers = {};
    for (const line of m[2].split('\r\n')) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    let text = m[3];
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      let body = '';
      for (let rest = text, n; (n = parseInt(rest, 16)) > 0; rest = rest.slice(rest.indexOf('\r\n') + 2 + n + 2)) {
        body += rest.substr(rest.indexOf('\r\n') + 2, n);
      }
      text = body;
    }
    let json;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: Number(m[1]), headers, json, out };
  }

  it('negative: a prefix with an empty, "." or ".." segment or another character is 404, reflected nowhere, nothing made', async () => {
    const body = JSON.stringify({ name: 'reflected', scopes: ['monitors:read'] });
    const reached = [];
    await assertNoChange(srv, async () => {
      for (const prefix of ['//evil.example/..', '/evil.example/..', '/evil.example//..', '/./x/..', '/%2e%2e/x/..',
        '/a@evil.example', '/x/%2e']) {
        for (const [method, path] of [['POST', '/v1/api-keys'], ['GET', '/v1/api-keys?perPage=1']]) {
          const target = `${srv.mount}${prefix}${path}`;
          const a = await rawRequest(method, target, { body: method === 'POST' ? body : undefined });
          const where = `${method} ${target}\n${a.out.slice(0, 600)}`;
          // The web server may refuse some itself (Apache: 400 for an
          // encoded dot segment, 403 outside its mapped prefixes); those
          // it passes on the program refuses with 404.
          if (a.headers['x-request-id'] === undefined) {
            assert.ok([400, 403, 404].includes(a.status), where);
          } else {
            assert.equal(a.status, 404, where);
            reached.push(prefix);
            assert.equal(a.json?.code, 'not_found', where);
            assert.match(a.json.detail, /mount prefix/, where);
          }
          assert.equal(a.headers.location, undefined, where);
          assert.equal(a.headers.link, undefined, where);
        }
      }
    });
    assert.ok(reached.length >= 4, `the program saw only ${reached}`);
    // A clean prefix is still served (the harness's own, if any).
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: admin }));
  });

  it('with UPTIME_PUBLIC_URL set (the examples set it), Location and Link are absolute under it, whatever the Host', async () => {
    const made = await post({ body: { name: 'located', scopes: ['monitors:read'] } });
    const id = assertOk(made, 201).id;
    assert.equal(made.headers.get('location'), `${srv.baseUrl}/v1/api-keys/${id}`);
    const list = await srv.api('GET', '/v1/api-keys?perPage=1&status=all', { key: admin });
    assertOk(list);
    const link = list.headers.get('link') ?? '';
    assert.ok(link.startsWith(`<${srv.baseUrl}/v1/api-keys?perPage=1&status=all&cursor=`), `Link ${link}`);
    assert.match(link, /^<[^>]+>; rel="next"$/);
    // Following it gives the next page.
    const next = assertOk(await srv.api('GET', /^<([^>]+)>/.exec(link)[1], { key: admin }));
    assert.equal(next.length, 1);
    // A Host of the client's choosing is not where links point.
    const a = await rawRequest('POST', '/v1/api-keys', { body: JSON.stringify({ name: 'hosted', scopes: ['monitors:read'] }), host: 'evil.example' });
    assert.equal(a.status, 201, a.out.slice(0, 600));
    assert.equal(a.headers.location, `${srv.baseUrl}/v1/api-keys/${a.json.data.id}`);
    const l = await rawRequest('GET', '/v1/api-keys?perPage=1', { host: 'evil.example' });
    assert.ok(l.headers.link.startsWith(`<${srv.baseUrl}/v1/api-keys?perPage=1&cursor=`), l.headers.link);
  });
});

describe('X-Request-Id', () => {
  it('a sane inbound one is echoed, in the header and the body', async () => {
    for (const id of ['abc-123', 'req_01HXYZ.9', 'f47ac10b-58cc-4372-a567-0e02b2c3d479']) {
      const ok = await srv.api('GET', '/v1/api-keys/current', { key: admin, headers: { 'x-request-id': id } });
      assert.equal(ok.headers.get('x-request-id'), id);
      assert.equal(ok.json.meta.requestId, id);
      const bad = await srv.api('GET', '/v1/api-keys/current', { headers: { 'x-request-id': id } });
      assert.equal(bad.headers.get('x-request-id'), id);
      assert.equal(bad.json.requestId, id);
    }
  });

  it('an insane one is replaced by a fresh id', async () => {
    for (const id of ['x'.repeat(300), 'has spaces in it', '<script>', 'a"b', 'semi;colon', 'tab\there']) {
      const res = await srv.api('GET', '/v1/api-keys/current', { key: admin, headers: { 'x-request-id': id } });
      const got = res.headers.get('x-request-id');
      assert.ok(got && got !== id, `${JSON.stringify(id)} echoed`);
      assert.match(got, /^[A-Za-z0-9._~:-]{8,128}$/);
      assert.equal(res.json.meta.requestId, got);
    }
  });

  it('each answer without one gets its own', async () => {
    const a = await srv.api('GET', '/v1/api-keys/current', { key: admin });
    const b = await srv.api('GET', '/v1/api-keys/current', { key: admin });
    assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
  });
});

describe('headers on every answer', () => {
  it('Cache-Control: no-store and nosniff on 2xx and 4xx alike', async () => {
    const d = assertOk(await post({ body: { name: 'h', scopes: ['monitors:read'] } }), 201);
    const answers = [
      await srv.api('GET', '/v1/api-keys', { key: admin }),
      await srv.api('DELETE', `/v1/api-keys/${d.id}`, { key: admin }),
      await post({ rawBody: '{' }),
      await srv.api('GET', '/v1/api-keys'),
      await srv.api('GET', `/v1/api-keys/key_${'n'.repeat(20)}`, { key: admin }),
      await srv.api('PUT', '/v1/api-keys', { key: admin }),
      await post({ rawBody: 'x', headers: { 'content-type': 'text/plain' } }),
    ];
    assert.deepEqual(answers.map((r) => r.status), [200, 204, 400, 401, 404, 405, 415]);
    answers.forEach(assertCommonHeaders);
  });
});

describe('CORS', () => {
  const origin = 'https://dashboard.example.com';
  const exposed = ['Link', 'Location', 'X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];
  const list = (v) => (v ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);

  it('answers carry Access-Control-Allow-Origin and Expose-Headers for a request with Origin', async () => {
    for (const res of [
      await srv.api('GET', '/v1/api-keys', { key: admin, headers: { origin } }),
      await srv.api('GET', '/v1/api-keys', { headers: { origin } }),
      await post({ body: { name: 'cors', scopes: ['monitors:read'] }, headers: { origin } }),
    ]) {
      const acao = res.headers.get('access-control-allow-origin');
      assert.ok(acao === '*' || acao === origin, `ACAO ${acao} on ${res.status}`);
      assert.notEqual(res.headers.get('access-control-allow-credentials'), 'true');
      const exp = list(res.headers.get('access-control-expose-headers'));
      for (const h of exposed) assert.ok(exp.includes(h.toLowerCase()), `Expose-Headers lacks ${h}: ${exp}`);
    }
  });

  it('OPTIONS preflight answers 204 without a key', async () => {
    for (const [path, method] of [['/v1/api-keys', 'POST'], [`/v1/api-keys/${spare.id}`, 'DELETE'],
      [`/v1/api-keys/${spare.id}/rotate`, 'POST'], ['/v1/audit-events', 'GET']]) {
      await assertNoChange(srv, async () => {
        const res = await srv.api('OPTIONS', path, {
          headers: {
            origin,
            'access-control-request-method': method,
            'access-control-request-headers': 'authorization, content-type, idempotency-key',
          },
        });
        assert.equal(res.status, 204, show(res));
        assert.equal(res.text, '');
        const acao = res.headers.get('access-control-allow-origin');
        assert.ok(acao === '*' || acao === origin, `ACAO ${acao}`);
        const allowH = list(res.headers.get('access-control-allow-headers'));
        for (const h of ['authorization', 'content-type', 'idempotency-key']) {
          assert.ok(allowH.includes(h), `Allow-Headers lacks ${h}: ${allowH}`);
        }
        const allowM = list(res.headers.get('access-control-allow-methods'));
        assert.ok(allowM.includes(method.toLowerCase()), `Allow-Methods lacks ${method}: ${allowM}`);
      });
    }
  });
});

describe('the team id in keys', () => {
  it('ids of keys have the documented shape', async () => {
    assert.match(adminId, KEY_ID_RE);
    assert.match(spare.id, KEY_ID_RE);
  });
});
