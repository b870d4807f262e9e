// The answer validator (lib/openapi-validate.mjs) that api() runs on every
// answer: it passes answers that match docs/openapi.yaml and fails each
// kind of mismatch.  Answers are made up here; no server is started.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateAnswer, findOperation, routedPath, ENABLED } from './lib/openapi-validate.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RID = 'req_abcdefghijklmnopqrst';
const NOW = '2026-02-14T12:00:00.000Z';

const apiKey = () => ({
  id: 'key_AAAAAAAAAAAAAAAAAAAA', name: 'k', scopes: ['monitors:read'], keyPrefix: 'uptime_abcdefgh',
  createdAt: NOW, expiresAt: null, lastUsedAt: null, lastUsedIp: null, revokedAt: null,
  status: 'active', createdByKeyId: null, createdByMemberId: null, holderMemberId: null,
});

function answer({ method = 'GET', path: p = '/v1/api-keys/current', status = 200, headers, body, text } = {}) {
  const h = headers ?? {
    'content-type': 'application/json; charset=utf-8',
    'x-request-id': RID,
  };
  const json = body === undefined ? (text === undefined ? {
    data: { ...apiKey(), team: { id: 'team_AAAAAAAAAAAAAAAAAAAA', name: 't', createdAt: NOW } },
    meta: { requestId: RID, timestamp: NOW },
  } : undefined) : body;
  return { method, path: p, status, headers: h, text: text ?? (json === undefined ? '' : JSON.stringify(json)), json };
}

const problem = (status, code, extra = {}) => ({
  type: `/problems/${code}`, title: 'Title', status, detail: 'detail', code, requestId: RID, ...extra,
});
const problemHeaders = (more = {}) => ({ 'content-type': 'application/problem+json', 'x-request-id': RID, ...more });

// validateAnswer must throw an AssertionError whose message matches each re.
function rejects(a, ...res) {
  assert.throws(() => validateAnswer(a), (e) => {
    assert.ok(e instanceof assert.AssertionError, `not an AssertionError: ${e}`);
    for (const re of res) assert.match(e.message, re);
    return true;
  });
}

describe('the OpenAPI answer validator', { skip: !ENABLED && 'UPTIME_OPENAPI_VALIDATE=0' }, () => {
  it('finds operations: mount prefix, query, literal before {id}, HEAD as GET', () => {
    assert.equal(routedPath('/uptime/v1/api-keys?status=all'), '/v1/api-keys');
    assert.equal(routedPath('http://127.0.0.1:8080/a/b/v1/monitors#x'), '/v1/monitors');
    assert.equal(findOperation('GET', '/uptime/v1/api-keys/current?x=1').op.operationId, 'getCurrentApiKey');
    assert.equal(findOperation('GET', '/v1/api-keys/key_AAAAAAAAAAAAAAAAAAAA').op.operationId, 'getApiKey');
    assert.equal(findOperation('HEAD', '/v1/monitors').op.operationId, 'listMonitors');
    assert.equal(findOperation('PUT', '/v1/api-keys').kind, 'method');
    assert.equal(findOperation('GET', '/v1/api-keys/not-an-id').kind, 'none', 'an id of another shape is an unknown path');
    assert.equal(findOperation('OPTIONS', '/v1/api-keys').kind, 'none');
  });

  it('passes an answer that matches the document, under a mount prefix too', () => {
    validateAnswer(answer());
    validateAnswer(answer({ path: '/uptime/v1/api-keys/current?x=1' }));
    validateAnswer(answer({ method: 'HEAD', text: '' }));
    validateAnswer(answer({ status: 401, body: problem(401, 'missing_credentials'),
      headers: problemHeaders({ 'www-authenticate': 'Bearer realm="uptime"' }) }));
    validateAnswer(answer({ method: 'DELETE', path: '/v1/api-keys/key_AAAAAAAAAAAAAAAAAAAA', status: 204,
      headers: { 'x-request-id': RID }, text: '' }));
  });

  it('fails an undocumented status (negative case)', () => {
    rejects(answer({ status: 418, body: problem(418, 'teapot'), headers: problemHeaders() }),
      /GET \/v1\/api-keys\/current \(getCurrentApiKey\) answered 418/, /status 418 is not documented/);
    rejects(answer({ method: 'HEAD', status: 418, text: '', headers: problemHeaders() }), /HEAD .*answered 418/);
  });

  it('fails a body that does not match the schema (negative case)', () => {
    const a = answer();
    delete a.json.data.team;
    a.json.data.status = 'sleeping';
    rejects(a, /does not match the schema/, /must have required property 'team'/, /\/data\/status must be equal to one of the allowed values/);
    rejects(answer({ status: 404, body: { code: 'not_found' }, headers: problemHeaders() }),
      /answered 404/, /must have required property 'type'/);
  });

  it('fails an answer member the document does not describe (negative case)', () => {
    const a = answer();
    a.json.data.secretHash = 'x';
    rejects(a, /\/data must NOT have unevaluated properties/, /"unevaluatedProperty":"secretHash"/);
    const b = answer();
    b.json.meta.debug = true;
    rejects(b, /\/meta must NOT have unevaluated properties/);
    // allOf [ApiKey, {key}]: both parts' members are described.
    validateAnswer({ method: 'POST', path: '/v1/api-keys', status: 201,
      headers: { 'content-type': 'application/json', 'x-request-id': RID, location: '/v1/api-keys/key_AAAAAAAAAAAAAAAAAAAA' },
      json: { data: { ...apiKey(), key: null }, meta: { requestId: RID, timestamp: NOW } } });
  });

  it('fails a body that is not JSON and a 204 with a body (negative cases)', () => {
    rejects(answer({ text: 'not json' }), /the body is not JSON/);
    rejects(answer({ method: 'DELETE', path: '/v1/api-keys/key_AAAAAAAAAAAAAAAAAAAA', status: 204,
      headers: { 'x-request-id': RID }, text: 'x' }), /documented without content/);
  });

  it('fails an undocumented Content-Type (negative case)', () => {
    rejects(answer({ headers: { 'content-type': 'text/html', 'x-request-id': RID } }), /Content-Type "text\/html" is not one of application\/json/);
    rejects(answer({ status: 404, body: problem(404, 'not_found'),
      headers: { 'content-type': 'application/json', 'x-request-id': RID } }), /not one of application\/problem\+json/);
  });

  it('fails a missing required header or a header of the wrong shape (negative cases)', () => {
    rejects(answer({ headers: { 'content-type': 'application/json' } }), /required header X-Request-Id is missing/);
    rejects(answer({ status: 401, body: problem(401, 'missing_credentials'), headers: problemHeaders() }),
      /required header WWW-Authenticate is missing/);
    rejects(answer({ status: 429, body: problem(429, 'rate_limited'), headers: problemHeaders({ 'retry-after': 'soon' }) }),
      /header Retry-After: "soon"/);
    rejects(answer({ headers: { 'content-type': 'application/json', 'x-request-id': 'bad id!' } }), /header X-Request-Id/);
  });

  it('wants 405 with Allow for a method a known path has no operation for', () => {
    const a = { method: 'PUT', path: '/v1/api-keys', status: 405, headers: problemHeaders({ allow: 'GET, HEAD, POST, OPTIONS' }),
      json: problem(405, 'method_not_allowed') };
    validateAnswer(a);
    rejects({ ...a, headers: problemHeaders() }, /PUT \/v1\/api-keys \(no such operation\)/, /required header Allow/);
    rejects({ ...a, status: 404, json: problem(404, 'not_found') }, /must be answered 405/);
  });

  it('checks answers to unknown paths and OPTIONS only as problems', () => {
    validateAnswer({ method: 'GET', path: '/v1/nowhere', status: 404, headers: problemHeaders(), json: problem(404, 'not_found') });
    validateAnswer({ method: 'GET', path: '/favicon.ico', status: 404, headers: { 'content-type': 'text/html' }, text: '<html>' });
    validateAnswer({ method: 'OPTIONS', path: '/v1/api-keys', status: 204, headers: { 'x-request-id': RID }, text: '' });
    rejects({ method: 'GET', path: '/v1/nowhere', status: 404, headers: problemHeaders(), json: { status: 404 } },
      /no operation/, /must have required property 'code'/);
  });

  it('is off with UPTIME_OPENAPI_VALIDATE=0', () => {
    const script = `import { validateAnswer } from './lib/openapi-validate.mjs';
      validateAnswer({ method: 'GET', path: '/v1/api-keys', status: 418, headers: {}, text: '' });
      console.log('not checked');`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script],
      { cwd: HERE, env: { ...process.env, UPTIME_OPENAPI_VALIDATE: '0' }, encoding: 'utf8' });
    assert.equal(out.trim(), 'not checked');
  });
});
