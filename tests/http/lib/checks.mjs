// Assertions shared by the HTTP tests, written from /work/shared/API.md.

import assert from 'node:assert/strict';

export const TIME_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
export const KEY_ID_RE = /^key_[0-9A-Za-z]{20}$/;
export const TEAM_ID_RE = /^team_[0-9A-Za-z]{20}$/;
export const EVT_ID_RE = /^evt_[0-9A-Za-z]{20}$/;

export function show(res) {
  const h = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
  return `HTTP ${res.status}\n${h}\n\n${(res.text ?? '').slice(0, 2000)}`;
}

// Headers every API answer carries (section 3).
export function assertCommonHeaders(res) {
  const rid = res.headers.get('x-request-id');
  assert.ok(rid, `X-Request-Id missing\n${show(res)}`);
  assert.match(res.headers.get('cache-control') ?? '', /no-store/, `Cache-Control: no-store missing\n${show(res)}`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `X-Content-Type-Options\n${show(res)}`);
}

// A success answer: JSON envelope {data, meta:{requestId, timestamp}}.
export function assertOk(res, status = 200) {
  assert.equal(res.status, status, `expected ${status}\n${show(res)}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/, `content type\n${show(res)}`);
  assertCommonHeaders(res);
  assert.ok(res.json && typeof res.json === 'object', `body is not JSON\n${show(res)}`);
  assert.ok('data' in res.json, `no data member\n${show(res)}`);
  assert.ok(res.json.meta && typeof res.json.meta === 'object', `no meta member\n${show(res)}`);
  assert.equal(typeof res.json.meta.requestId, 'string');
  assert.equal(res.json.meta.requestId, res.headers.get('x-request-id'), 'meta.requestId equals X-Request-Id');
  assert.match(res.json.meta.timestamp ?? '', TIME_RE, 'meta.timestamp');
  return res.json.data;
}

// An RFC 9457 problem answer.
//   pointers: the errors[].pointer values expected (each may be a string or
//             a RegExp); checked as "every expected one is present".
export function assertProblem(res, status, code, { pointers, codes } = {}) {
  assert.equal(res.status, status, `expected ${status} ${code}\n${show(res)}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json\b/, `content type\n${show(res)}`);
  assertCommonHeaders(res);
  const p = res.json;
  assert.ok(p && typeof p === 'object' && !Array.isArray(p), `problem body is not a JSON object\n${show(res)}`);
  if (codes) assert.ok(codes.includes(p.code), `code ${p.code} not one of ${codes}\n${show(res)}`);
  else assert.equal(p.code, code, `problem code\n${show(res)}`);
  assert.equal(p.type, `/problems/${p.code}`, `problem type\n${show(res)}`);
  assert.equal(p.status, status, `problem status member\n${show(res)}`);
  assert.equal(typeof p.title, 'string', `problem title\n${show(res)}`);
  assert.ok(p.title.length > 0);
  assert.equal(typeof p.detail, 'string', `problem detail\n${show(res)}`);
  assert.equal(typeof p.requestId, 'string', `problem requestId\n${show(res)}`);
  assert.equal(p.requestId, res.headers.get('x-request-id'), 'requestId equals X-Request-Id');
  if (pointers) {
    assert.ok(Array.isArray(p.errors), `errors[] missing\n${show(res)}`);
    for (const e of p.errors) {
      assert.equal(typeof e.pointer, 'string', `errors[].pointer\n${show(res)}`);
      assert.equal(typeof e.detail, 'string', `errors[].detail\n${show(res)}`);
    }
    const got = p.errors.map((e) => e.pointer);
    for (const want of pointers) {
      const ok = got.some((g) => (want instanceof RegExp ? want.test(g) : g === want));
      assert.ok(ok, `no error with pointer ${want} (got ${JSON.stringify(got)})\n${show(res)}`);
    }
  }
  return p;
}

// Parse "Bearer realm="uptime", error="invalid_token"" into
// { scheme: 'bearer', params: { realm: 'uptime', error: 'invalid_token' } }.
export function parseAuthenticate(value) {
  assert.ok(value, 'WWW-Authenticate missing');
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(value);
  assert.ok(m, `WWW-Authenticate unparsable: ${value}`);
  const params = {};
  const re = /\s*([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(?:,|$)/gy;
  let rest = m[2];
  let pm;
  re.lastIndex = 0;
  while (re.lastIndex < rest.length && (pm = re.exec(rest))) {
    params[pm[1].toLowerCase()] = pm[2] !== undefined ? pm[2].replace(/\\(.)/g, '$1') : pm[3];
  }
  assert.equal(re.lastIndex, rest.length, `WWW-Authenticate unparsable after ${re.lastIndex}: ${value}`);
  return { scheme: m[1].toLowerCase(), params };
}

// 401 as section 2 describes it.
//   presented: a key was sent (error="invalid_token" expected)
export function assertUnauthorized(res, code, { presented = true } = {}) {
  const p = assertProblem(res, 401, code);
  const wa = parseAuthenticate(res.headers.get('www-authenticate'));
  assert.equal(wa.scheme, 'bearer', `WWW-Authenticate scheme\n${show(res)}`);
  assert.equal(wa.params.realm, 'uptime', `WWW-Authenticate realm\n${show(res)}`);
  if (presented) assert.equal(wa.params.error, 'invalid_token', `WWW-Authenticate error\n${show(res)}`);
  else assert.equal(wa.params.error, undefined, `WWW-Authenticate must not carry error= without a key\n${show(res)}`);
  return p;
}

export function assertForbidden(res, scope) {
  const p = assertProblem(res, 403, 'insufficient_scope');
  assert.equal(p.requiredScope, scope, `requiredScope\n${show(res)}`);
  const wa = parseAuthenticate(res.headers.get('www-authenticate'));
  assert.equal(wa.scheme, 'bearer', `WWW-Authenticate scheme\n${show(res)}`);
  assert.equal(wa.params.error, 'insufficient_scope', `WWW-Authenticate error\n${show(res)}`);
  assert.equal(wa.params.scope, scope, `WWW-Authenticate scope\n${show(res)}`);
  return p;
}

// Run fn (one or more failing requests) and check the data did not change.
// authFailure: the request is a 401/403, which adds one audit event by
// design, so audit_events is left out of the comparison.
export async function assertNoChange(srv, fn, { authFailure = false } = {}) {
  const exclude = authFailure ? ['audit_events'] : [];
  const before = srv.snapshot({ exclude });
  const r = await fn();
  const after = srv.snapshot({ exclude });
  assert.deepEqual(after, before, 'a failed request changed the database');
  return r;
}

// Walk a JSON value; call fn(pathString, key, value) for each member.
export function walk(value, fn, at = '') {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, fn, `${at}/${i}`));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      fn(`${at}/${k}`, k, v);
      walk(v, fn, `${at}/${k}`);
    }
  }
}

// A public API key object (section 4), never with the secret or the hash.
export function assertKeyObject(k, { withSecret = false } = {}) {
  const want = ['id', 'name', 'scopes', 'keyPrefix', 'createdAt', 'expiresAt', 'lastUsedAt',
    'lastUsedIp', 'revokedAt', 'status', 'createdByKeyId'];
  for (const f of want) assert.ok(f in k, `key object lacks ${f}: ${JSON.stringify(k)}`);
  assert.match(k.id, KEY_ID_RE);
  assert.equal(typeof k.name, 'string');
  assert.ok(Array.isArray(k.scopes) && k.scopes.length > 0, 'scopes is a non-empty array');
  assert.match(k.keyPrefix, /^uptime_[0-9A-Za-z]{8}$/);
  assert.match(k.createdAt, TIME_RE);
  for (const f of ['expiresAt', 'lastUsedAt', 'revokedAt']) {
    if (k[f] !== null) assert.match(k[f], TIME_RE, f);
  }
  if (k.lastUsedIp !== null) assert.equal(typeof k.lastUsedIp, 'string');
  if (k.createdByKeyId !== null) assert.match(k.createdByKeyId, KEY_ID_RE);
  assert.ok(['active', 'expired', 'revoked'].includes(k.status), `status ${k.status}`);
  if (withSecret) {
    assert.match(k.key, /^uptime_[0-9A-Za-z]{38}$/);
    assert.equal(k.key.length, 45);
    assert.equal(k.keyPrefix, k.key.slice(0, 15));
  } else {
    assert.ok(!('key' in k), `key object carries the secret: ${JSON.stringify(k)}`);
  }
  assertNoSecretMaterial(k, { allowKeyField: withSecret });
}

// No member that could be the secret or its hash.
export function assertNoSecretMaterial(value, { allowKeyField = false } = {}) {
  walk(value, (at, name, v) => {
    assert.ok(!/hash|secret/i.test(name), `member ${at} looks like secret material`);
    if (typeof v === 'string') {
      if (!(allowKeyField && at.endsWith('/key'))) {
        assert.ok(!/uptime_[0-9A-Za-z]{38}/.test(v), `member ${at} holds a secret`);
      }
      assert.ok(!/^[0-9a-fA-F]{64}$/.test(v), `member ${at} looks like a hex hash`);
      assert.ok(!/^[A-Za-z0-9+/_-]{43}=?$/.test(v), `member ${at} looks like a base64 hash`);
    }
  });
}

export const sameMembers = (a, b) => assert.deepEqual([...a].sort(), [...b].sort());
