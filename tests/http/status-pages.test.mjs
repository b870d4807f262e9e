// Status pages and incidents: API.md section 4 "Status pages and
// incidents" with the conventions of sections 2 and 3, and the public
// pages people read without a key (HTML, summary.json, badges, the Atom
// feed, custom domains), then the page in a real browser (headless
// Chromium through the DevTools protocol, tests/http/lib/browser.mjs).
//
// Monitor states come from real checks against a local target; history
// for the daily bars (rollups, outages) and creation times in the past
// are written with sqlite3, as the checker and the maintainer would have
// written them over weeks.  XML (Atom, SVG) is parsed with python3's
// ElementTree.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startServer, BINDIR, SANITIZER_RE, PG } from './lib/harness.mjs';
import {
  assertOk, assertProblem, assertNoChange, assertUnauthorized, assertForbidden, show, TIME_RE,
} from './lib/checks.mjs';
import { startHttpTarget, startDnsServer } from './lib/targets.mjs';
import { startBrowser, pngSize } from './lib/browser.mjs';

const SP_ID_RE = /^sp_[0-9A-Za-z]{20}$/;
const CMP_ID_RE = /^cmp_[0-9A-Za-z]{20}$/;
const INC_ID_RE = /^inc_[0-9A-Za-z]{20}$/;
const UPD_ID_RE = /^upd_[0-9A-Za-z]{20}$/;
const GHOST_SP = 'sp_' + 'A'.repeat(20);
const GHOST_INC = 'inc_' + 'A'.repeat(20);
const DAY = 86400000;
const HOUR = 3600000;
const MIN = 60000;
// A hostile string: markup, quotes and an ampersand.
const H = '<script>alert(1)</script>"&\'';
const H_ESC = '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#39;';

const PAGE_KEYS = ['id', 'name', 'slug', 'title', 'description', 'isPublic', 'historyDays', 'logoUrl',
  'showOverallStatus', 'customDomain',
  'customDomainStatus', 'customDomainVerification', 'url', 'components', 'createdAt', 'updatedAt'];
const INC_KEYS = ['id', 'statusPageId', 'title', 'status', 'impact', 'startedAt', 'resolvedAt', 'componentIds',
  'updates', 'createdAt', 'updatedAt'];

let srv;
let web;                 // local HTTP target: /ok answers 200, /fail 500
let dns;                 // local DNS server (UPTIME_DNS_SERVERS) for the TXT records
const zone = {};         // its records, changed by the tests
let team, admin, reader, writer, monOnly;
let otherTeam, otherKey, otherMon;
let slugN = 0;

const api = (...a) => srv.api(...a);
const slug = (p = 'pg') => `${p}-${++slugN}-${Date.now().toString(36)}`;
const sameKeys = (obj, keys) => assert.deepEqual(Object.keys(obj).sort(), [...keys].sort(),
  `members of ${JSON.stringify(obj)}`);
const near = (iso, ms = Date.now(), slack = 60e3) => Math.abs(Date.parse(iso) - ms) < slack;

async function monitor(name = 'mon', key = admin, extra = {}) {
  return assertOk(await api('POST', '/v1/monitors', { key, body: { name, url: web.url('/ok'), ...extra } }), 201);
}
async function check(id, path) {
  if (path) assertOk(await api('PATCH', `/v1/monitors/${id}`, { key: admin, body: { url: web.url(path) } }));
  return assertOk(await api('POST', `/v1/monitors/${id}/check`, { key: admin }));
}
async function mkPage(body = {}, key = admin) {
  return assertOk(await api('POST', '/v1/status-pages', { key, body: { name: 'Page', slug: slug(), ...body } }), 201);
}
async function mkIncident(sp, body = {}, key = admin) {
  return assertOk(await api('POST', `/v1/status-pages/${sp}/incidents`,
    { key, body: { title: 'Incident', message: 'Looking into it', ...body } }), 201);
}
const getPage = async (id, key = admin) => assertOk(await api('GET', `/v1/status-pages/${id}`, { key }));
// Publish the page's TXT record (added to what the name has) and verify.
async function verifyDomain(page, key = admin) {
  const { recordName, recordValue } = page.customDomainVerification;
  zone[recordName] = { TXT: [...(zone[recordName]?.TXT ?? []), recordValue] };
  return assertOk(await api('POST', `/v1/status-pages/${page.id}/verify-domain`, { key }));
}
const getInc = async (id, key = admin) => assertOk(await api('GET', `/v1/incidents/${id}`, { key }));


// A public request with full control of the headers (Host included).
function pub(urlPath, { method = 'GET', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, path: urlPath, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        const h = new Map(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
        resolve({ status: res.statusCode, headers: { get: (n) => h.get(n.toLowerCase()) ?? null, [Symbol.iterator]: () => h[Symbol.iterator]() }, text, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// status-pages.fcgi run once as plain CGI on the server's database, with
// env on top (UPTIME_PUBLIC_URL, say): { status, headers (Map), text, json }.
function cgi(uri, { method = 'GET', key, body, env = {} } = {}) {
  const e = { ...srv.env, GATEWAY_INTERFACE: 'CGI/1.1', SERVER_PROTOCOL: 'HTTP/1.1', REQUEST_METHOD: method,
    REQUEST_URI: uri, QUERY_STRING: uri.split('?')[1] ?? '', REMOTE_ADDR: '192.0.2.9', ...env };
  if (key) e.HTTP_AUTHORIZATION = `Bearer ${key}`;
  const data = body === undefined ? '' : JSON.stringify(body);
  if (body !== undefined) {
    e.CONTENT_TYPE = 'application/json';
    e.CONTENT_LENGTH = String(Buffer.byteLength(data));
  }
  const r = spawnSync(path.join(BINDIR, 'status-pages.fcgi'), [], { env: e, input: data, timeout: 30000 });
  const err = r.stderr.toString();
  assert.doesNotMatch(err, SANITIZER_RE, err);
  const raw = r.stdout.toString('utf8');
  const cut = raw.indexOf('\r\n\r\n');
  assert.ok(cut !== -1, `CGI output: ${raw.slice(0, 300)}\n${err}`);
  const headers = new Map(raw.slice(0, cut).split('\r\n').map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()];
  }));
  const text = raw.slice(cut + 4);
  let json;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: Number(/^\d+/.exec(headers.get('status'))?.[0]), headers, text, json };
}

// A public 200: the media type, a short public Cache-Control and an ETag.
function assertPublic(res, type) {
  assert.equal(res.status, 200, show(res));
  assert.match(res.headers.get('content-type') ?? '', new RegExp(`^${type.replace('+', '\\+')}\\b`), show(res));
  const cc = res.headers.get('cache-control') ?? '';
  assert.match(cc, /\bpublic\b/, `Cache-Control ${cc}`);
  assert.doesNotMatch(cc, /no-store|private/, `Cache-Control ${cc}`);
  const age = Number(/max-age=(\d+)/.exec(cc)?.[1]);
  assert.ok(age > 0 && age <= 60, `max-age ${age}`);
  assert.match(res.headers.get('etag') ?? '', /^(W\/)?"[^"]+"$/, 'ETag');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  return res.text;
}

// XML through python3's ElementTree: {tag, attrib, text, children}; an
// array of documents is parsed in one run (python3 starts slowly).
function parseXml(docs) {
  const many = Array.isArray(docs);
  const py = `
import json, sys
import xml.etree.ElementTree as ET
def conv(e):
    return {"tag": e.tag, "attrib": e.attrib, "text": e.text or "", "children": [conv(c) for c in e]}
out = []
for i, d in enumerate(json.load(sys.stdin)):
    try:
        out.append(conv(ET.fromstring(d.encode("utf-8"))))
    except ET.ParseError as e:
        sys.exit("document %d: %s" % (i, e))
print(json.dumps(out))
`;
  const list = many ? docs : [docs];
  let out;
  try {
    out = JSON.parse(execFileSync('python3', ['-c', py], { input: JSON.stringify(list), encoding: 'utf8' }));
  } catch (e) {
    throw new Error(`not well-formed XML (${e.stderr ?? e.message}):\n${list.map((d) => d.slice(0, 800)).join('\n---\n')}`);
  }
  return many ? out : out[0];
}
const ATOM = '{http://www.w3.org/2005/Atom}';
const SVG = '{http://www.w3.org/2000/svg}';
const kids = (node, tag) => node.children.filter((c) => c.tag === tag);
const kid = (node, tag) => kids(node, tag)[0];

// The <li> bars of one component on the HTML page: [{cls, title}].
function barsOf(html, componentId) {
  const at = html.indexOf(`id="${componentId}"`);
  assert.ok(at !== -1, `component ${componentId} is not on the page`);
  const ol = /<ol class="bars"[^>]*>(.*?)<\/ol>/s.exec(html.slice(at));
  assert.ok(ol, 'no bars');
  return [...ol[1].matchAll(/<li class="([a-z]+)" title="([^"]*)"><\/li>/g)].map((m) => ({ cls: m[1], title: m[2] }));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const fmtDay = (ms) => { const d = new Date(ms); return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`; };
const floor2 = (x) => Math.floor(x * 100 + 1e-9) / 100;
const pctText = (x) => (floor2(x) >= 100 ? '100' : floor2(x).toFixed(2));

before(async () => {
  web = await startHttpTarget((req, res) => {
    if (req.url.startsWith('/ok')) return res.end('ok');
    if (req.url.startsWith('/fail')) { res.statusCode = 500; return res.end('broken'); }
    res.statusCode = 404;
    res.end('no');
  });
  dns = await startDnsServer(zone);
  srv = await startServer({
    allowPrivate: true,
    env: { UPTIME_RATE_LIMIT: '1000000', UPTIME_MAX_STATUS_PAGES: '1000', UPTIME_DOMAIN_VERIFY_LIMIT: '1000', UPTIME_DNS_SERVERS: dns.servers },
  });
  team = await srv.createTeam('Status team');
  admin = await srv.createKey(team, { name: 'admin' });
  reader = await srv.createKey(team, { name: 'reader', scopes: ['status-pages:read'] });
  writer = await srv.createKey(team, { name: 'writer', scopes: ['status-pages:write'] });
  monOnly = await srv.createKey(team, { name: 'monitors', scopes: ['monitors:read', 'monitors:write'] });
  otherTeam = await srv.createTeam('Other team');
  otherKey = await srv.createKey(otherTeam, { name: 'other' });
  otherMon = await monitor('theirs', otherKey);
});

after(async () => {
  await web?.close();
  await srv?.stop();
  await dns?.close();
});

// ---------------------------------------------------------------------------

describe('POST /v1/status-pages', () => {
  it('creates a page with the defaults, a Location and the public url', async () => {
    const s = slug('defaults');
    const res = await api('POST', '/v1/status-pages', { key: admin, body: { name: 'Acme', slug: s } });
    const d = assertOk(res, 201);
    sameKeys(d, PAGE_KEYS);
    assert.match(d.id, SP_ID_RE);
    assert.equal(d.name, 'Acme');
    assert.equal(d.slug, s);
    assert.equal(d.title, 'Acme', 'title defaults to the name');
    assert.equal(d.description, null);
    assert.equal(d.isPublic, true);
    assert.equal(d.historyDays, 90);
    assert.equal(d.logoUrl, null);
    assert.equal(d.showOverallStatus, true);
    assert.equal(d.customDomain, null);
    assert.equal(d.customDomainStatus, null);
    assert.equal(d.customDomainVerification, null);
    assert.deepEqual(d.components, []);
    assert.equal(d.url, `${srv.baseUrl}/status/${s}`);
    assert.match(d.createdAt, TIME_RE);
    assert.ok(near(d.createdAt));
    assert.equal(d.updatedAt, d.createdAt);
    assert.equal(res.headers.get('location'), `${srv.baseUrl}/v1/status-pages/${d.id}`);
    assert.deepEqual(assertOk(await api('GET', res.headers.get('location'), { key: admin })), d);
  });

  it('keeps every field as given; a component\'s displayName defaults to its monitor\'s name', async () => {
    const m1 = await monitor('Billing API');
    const m2 = await monitor('Website');
    const body = {
      name: 'Internal name', slug: slug('full'), title: 'Acme status', description: 'All about Acme.\nSecond line.',
      isPublic: false, historyDays: 30, customDomain: 'status.full.example.com',
      logoUrl: 'https://cdn.example.com/acme/logo.svg?v=2&size=48', showOverallStatus: false,
      components: [{ monitorId: m1.id, group: 'Backend' }, { monitorId: m2.id, displayName: 'Marketing site', group: null }],
    };
    const d = await mkPage(body);
    for (const k of ['name', 'slug', 'title', 'description', 'isPublic', 'historyDays', 'customDomain', 'logoUrl',
      'showOverallStatus'])
      assert.deepEqual(d[k], body[k], k);
    assert.equal(d.components.length, 2);
    for (const c of d.components) sameKeys(c, ['id', 'monitorId', 'displayName', 'group', 'state']);
    assert.deepEqual(d.components.map((c) => c.state), ['unknown', 'unknown'], 'never checked');
    assert.match(d.components[0].id, CMP_ID_RE);
    assert.notEqual(d.components[0].id, d.components[1].id);
    assert.deepEqual(d.components.map((c) => [c.monitorId, c.displayName, c.group]),
      [[m1.id, 'Billing API', 'Backend'], [m2.id, 'Marketing site', null]]);
    assert.deepEqual(await getPage(d.id), d);
  });

  it('accepts every boundary value', async () => {
    const ok = [
      { slug: 'a' + '0'.repeat(62) }, { slug: '0-' }, { slug: '9a' },
      { name: 'n'.repeat(255), title: 't'.repeat(255) }, { name: 'é'.repeat(255) },
      { description: 'd'.repeat(2000) }, { description: '' }, { description: null },
      { historyDays: 7 }, { historyDays: 90 }, { customDomain: null },
      { customDomain: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(43)}` },
      { customDomain: 'x1.io' }, { components: [] },
      { logoUrl: `https://example.com/${'l'.repeat(2048 - 20)}` }, { logoUrl: 'https://8.8.8.8/logo.png' },
      { logoUrl: 'https://[2001:4860:4860::8888]:8443/logo.png' }, { logoUrl: null },
      { showOverallStatus: false }, { showOverallStatus: true },
    ];
    for (const b of ok) {
      const body = { name: 'b', slug: slug('edge'), ...b };
      const res = await api('POST', '/v1/status-pages', { key: admin, body });
      const d = assertOk(res, 201);
      for (const [k, v] of Object.entries(b)) assert.deepEqual(d[k], k === 'description' && v === '' ? null : v, k);
    }
  });

  it('each invalid field is a 400 validation_error naming its pointer; nothing is stored (negative)', async () => {
    const mine = await monitor('mine');
    const cases = [
      [{ name: undefined }, '/name'], [{ name: '' }, '/name'], [{ name: 'n'.repeat(256) }, '/name'], [{ name: 5 }, '/name'],
      [{ name: null }, '/name'],
      [{ slug: undefined }, '/slug'], [{ slug: 'a' }, '/slug'], [{ slug: '-ab' }, '/slug'], [{ slug: 'Ab' }, '/slug'],
      [{ slug: 'a_b' }, '/slug'], [{ slug: 'a b' }, '/slug'], [{ slug: 'a'.repeat(64) }, '/slug'], [{ slug: 'é1' }, '/slug'],
      [{ slug: 'a.b' }, '/slug'], [{ slug: 12 }, '/slug'], [{ slug: null }, '/slug'], [{ slug: 'ab/c' }, '/slug'],
      [{ title: '' }, '/title'], [{ title: 't'.repeat(256) }, '/title'], [{ title: 1 }, '/title'], [{ title: null }, '/title'],
      [{ description: 'd'.repeat(2001) }, '/description'], [{ description: 7 }, '/description'],
      [{ isPublic: 'yes' }, '/isPublic'], [{ isPublic: 1 }, '/isPublic'], [{ isPublic: null }, '/isPublic'],
      [{ historyDays: 6 }, '/historyDays'], [{ historyDays: 91 }, '/historyDays'], [{ historyDays: 7.5 }, '/historyDays'],
      [{ historyDays: '30' }, '/historyDays'], [{ historyDays: null }, '/historyDays'], [{ historyDays: -1 }, '/historyDays'],
      [{ customDomain: 'localhost' }, '/customDomain'], [{ customDomain: '10.1.2.3' }, '/customDomain'],
      [{ customDomain: '-a.example.com' }, '/customDomain'], [{ customDomain: 'a-.example.com' }, '/customDomain'],
      [{ customDomain: 'a..example.com' }, '/customDomain'], [{ customDomain: 'a_b.example.com' }, '/customDomain'],
      [{ customDomain: '.example.com' }, '/customDomain'], [{ customDomain: 'example.com.' }, '/customDomain'],
      [{ customDomain: `${'a'.repeat(64)}.com` }, '/customDomain'], [{ customDomain: `${'a.'.repeat(127)}com` }, '/customDomain'],
      // 236 characters: its _uptime-challenge. name would not fit in 253.
      [{ customDomain: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(44)}` }, '/customDomain'],
      [{ customDomain: '' }, '/customDomain'], [{ customDomain: 'https://status.example.com' }, '/customDomain'],
      [{ customDomain: 'status.example.com:8080' }, '/customDomain'], [{ customDomain: '127.0.0.1' }, '/customDomain'],
      [{ customDomain: 3 }, '/customDomain'], [{ customDomain: 'stätus.example.com' }, '/customDomain'],
      [{ components: 'x' }, '/components'], [{ components: {} }, '/components'], [{ components: null }, '/components'],
      [{ components: [1] }, '/components/0'], [{ components: [{}] }, '/components/0/monitorId'],
      [{ components: [{ monitorId: 'mon_bad' }] }, '/components/0/monitorId'],
      [{ components: [{ monitorId: 'mon_' + 'Z'.repeat(20) }] }, '/components/0/monitorId'],
      [{ components: [{ monitorId: 5 }] }, '/components/0/monitorId'],
      [{ components: [{ monitorId: mine.id }, { monitorId: mine.id }] }, '/components/1/monitorId'],
      [{ components: [{ monitorId: mine.id, displayName: '' }] }, '/components/0/displayName'],
      [{ components: [{ monitorId: mine.id, displayName: 'd'.repeat(256) }] }, '/components/0/displayName'],
      [{ components: [{ monitorId: mine.id, group: '' }] }, '/components/0/group'],
      [{ components: [{ monitorId: mine.id, group: 'g'.repeat(256) }] }, '/components/0/group'],
      [{ components: [{ monitorId: mine.id, group: 4 }] }, '/components/0/group'],
      [{ components: [{ monitorId: mine.id, id: 'cmp_' + 'A'.repeat(20) }] }, '/components/0/id'],
      [{ components: [{ monitorId: mine.id, id: 'nope' }] }, '/components/0/id'],
      [{ logoUrl: 'http://example.com/logo.png' }, '/logoUrl'], [{ logoUrl: 'ftp://example.com/l.png' }, '/logoUrl'],
      [{ logoUrl: 'javascript:alert(1)' }, '/logoUrl'], [{ logoUrl: 'data:image/png;base64,AAAA' }, '/logoUrl'],
      [{ logoUrl: '//example.com/logo.png' }, '/logoUrl'], [{ logoUrl: '/logo.png' }, '/logoUrl'],
      [{ logoUrl: 'https://' }, '/logoUrl'], [{ logoUrl: '' }, '/logoUrl'], [{ logoUrl: 5 }, '/logoUrl'],
      [{ logoUrl: 'https://user:pw@example.com/logo.png' }, '/logoUrl'],
      [{ logoUrl: `https://example.com/${'l'.repeat(2048 - 19)}` }, '/logoUrl'],
      [{ logoUrl: 'https://example.com/a\r\nSet-Cookie: x=1' }, '/logoUrl'],
      [{ logoUrl: 'https://localhost/logo.png' }, '/logoUrl'], [{ logoUrl: 'https://localhost./logo.png' }, '/logoUrl'],
      [{ logoUrl: 'https://cdn.localhost/logo.png' }, '/logoUrl'], [{ logoUrl: 'https://127.0.0.1/logo.png' }, '/logoUrl'],
      [{ logoUrl: 'https://10.0.0.7/logo.png' }, '/logoUrl'], [{ logoUrl: 'https://192.168.1.1/logo.png' }, '/logoUrl'],
      [{ logoUrl: 'https://172.20.0.1/logo.png' }, '/logoUrl'], [{ logoUrl: 'https://169.254.169.254/logo' }, '/logoUrl'],
      [{ logoUrl: 'https://[::1]/logo.png' }, '/logoUrl'], [{ logoUrl: 'https://[fe80::1]/logo.png' }, '/logoUrl'],
      [{ logoUrl: 'https://[::ffff:10.0.0.1]/logo.png' }, '/logoUrl'], [{ logoUrl: 'https://2130706433/l.png' }, '/logoUrl'],
      [{ showOverallStatus: 'no' }, '/showOverallStatus'], [{ showOverallStatus: 0 }, '/showOverallStatus'],
      [{ showOverallStatus: null }, '/showOverallStatus'],
    ];
    for (const [patch, pointer] of cases) {
      const body = { name: 'Bad', slug: slug('bad'), ...patch };
      for (const [k, v] of Object.entries(patch)) if (v === undefined) delete body[k];
      const res = await assertNoChange(srv, () => api('POST', '/v1/status-pages', { key: admin, body }));
      assertProblem(res, 400, 'validation_error', { pointers: [pointer] });
    }
  });

  it('another team\'s monitor is a 400 naming it; nothing is stored (negative)', async () => {
    const mine = await monitor('mine2');
    const res = await assertNoChange(srv, () => api('POST', '/v1/status-pages', {
      key: admin, body: { name: 'x', slug: slug(), components: [{ monitorId: mine.id }, { monitorId: otherMon.id }] },
    }));
    const p = assertProblem(res, 400, 'validation_error', { pointers: ['/components/1/monitorId'] });
    assert.equal(p.errors.length, 1, JSON.stringify(p.errors));
  });

  it('lists several bad fields at once', async () => {
    const res = await assertNoChange(srv, () => api('POST', '/v1/status-pages', {
      key: admin, body: { name: '', slug: 'Bad Slug', historyDays: 100, isPublic: 'no', components: [{ monitorId: 'x', group: '' }] },
    }));
    assertProblem(res, 400, 'validation_error',
      { pointers: ['/name', '/slug', '/historyDays', '/isPublic', '/components/0/monitorId', '/components/0/group'] });
  });

  it('unknown fields are 400 unknown_field, in the body and in a component (negative)', async () => {
    const mine = await monitor('mine3');
    for (const [body, pointer] of [
      [{ name: 'x', slug: slug(), theme: 'dark' }, '/theme'],
      [{ name: 'x', slug: slug(), Slug: 'abc' }, '/Slug'],
      [{ name: 'x', slug: slug(), components: [{ monitorId: mine.id, color: 'red' }] }, '/components/0/color'],
    ]) {
      const res = await assertNoChange(srv, () => api('POST', '/v1/status-pages', { key: admin, body }));
      assertProblem(res, 400, 'unknown_field', { pointers: [pointer] });
    }
    // A component's state is read-only.
    const res = await assertNoChange(srv, () => api('POST', '/v1/status-pages', {
      key: admin, body: { name: 'x', slug: slug(), components: [{ monitorId: mine.id, state: 'operational' }] },
    }));
    assertProblem(res, 400, 'read_only_field', { pointers: ['/components/0/state'] });
  });

  it('read-only fields are 400 read_only_field (negative)', async () => {
    for (const f of ['id', 'url', 'createdAt', 'updatedAt', 'customDomainStatus', 'customDomainVerification']) {
      const res = await assertNoChange(srv, () => api('POST', '/v1/status-pages', {
        key: admin, body: { name: 'x', slug: slug(), [f]: f === 'id' ? GHOST_SP : 'x' },
      }));
      assertProblem(res, 400, 'read_only_field', { pointers: [`/${f}`] });
    }
  });

  it('malformed JSON, a non-object and an empty body are 400 malformed_json; other media types 415 (negative)', async () => {
    for (const rawBody of ['{', '{"name": "x",}', '[]', '"x"', 'null', '']) {
      const res = await assertNoChange(srv, () => api('POST', '/v1/status-pages', { key: admin, rawBody }));
      assertProblem(res, 400, 'malformed_json');
    }
    const res = await assertNoChange(srv, () => api('POST', '/v1/status-pages',
      { key: admin, rawBody: '{"name":"x","slug":"plain-text"}', headers: { 'content-type': 'text/plain' } }));
    assertProblem(res, 415, 'unsupported_media_type');
  });

  it('a body over 1 MiB is 413 body_too_large (negative)', async () => {
    const rawBody = JSON.stringify({ name: 'x', slug: slug(), description: 'd'.repeat(1 << 20) });
    const res = await assertNoChange(srv, () => api('POST', '/v1/status-pages', { key: admin, rawBody }));
    assertProblem(res, 413, 'body_too_large');
  });

  it('a slug is unique across teams, a verified customDomain too (case-insensitively): 409 conflict naming the field', async () => {
    const s = slug('taken');
    const first = await mkPage({ slug: s, customDomain: 'status.taken.example.com' });
    let res = await assertNoChange(srv, () => api('POST', '/v1/status-pages', { key: otherKey, body: { name: 'x', slug: s } }));
    let p = assertProblem(res, 409, 'conflict');
    assert.equal(p.field, 'slug');
    // Pending, the domain may be asked for again; verified, it is taken.
    const again = await mkPage({ customDomain: 'Status.Taken.Example.COM' });
    assert.equal(again.customDomainStatus, 'pending');
    await verifyDomain(first);
    res = await assertNoChange(srv, () => api('POST', '/v1/status-pages',
      { key: admin, body: { name: 'x', slug: slug(), customDomain: 'Status.Taken.Example.COM' } }));
    p = assertProblem(res, 409, 'conflict');
    assert.equal(p.field, 'customDomain');
    // Stored lower-case.
    const d = await mkPage({ customDomain: 'Status.Mixed.Example.com' });
    assert.equal(d.customDomain, 'status.mixed.example.com');
  });
});

describe('GET /v1/status-pages', () => {
  let lt, lkey;
  const made = [];
  before(async () => {
    lt = await srv.createTeam('List team');
    lkey = await srv.createKey(lt, { name: 'list' });
    for (let i = 0; i < 5; i++) made.push(await mkPage({ name: `L${i}` }, lkey));
  });

  it('lists the team\'s pages newest first, in pages with a cursor and a Link', async () => {
    const all = assertOk(await api('GET', '/v1/status-pages', { key: lkey }));
    assert.deepEqual(all.map((p) => p.id), made.map((p) => p.id).reverse());
    assert.deepEqual(all[0], made[4]);
    const seen = [];
    let url = '/v1/status-pages?perPage=2';
    for (let i = 0; url && i < 5; i++) {
      const res = await api('GET', url, { key: lkey });
      const d = assertOk(res);
      assert.ok(d.length <= 2);
      seen.push(...d.map((p) => p.id));
      const link = res.headers.get('link');
      const next = res.json.meta.pagination.next;
      if (next) assert.match(link, /rel="next"/);
      url = next ? `/v1/status-pages?perPage=2&cursor=${next}` : null;
    }
    assert.deepEqual(seen, made.map((p) => p.id).reverse());
  });

  it('another team sees none of them; bad perPage, cursor and unknown parameters are 400 (negative)', async () => {
    const theirs = assertOk(await api('GET', '/v1/status-pages', { key: otherKey }));
    for (const p of made) assert.ok(!theirs.some((t) => t.id === p.id));
    for (const q of ['perPage=0', 'perPage=201', 'cursor=xyz', 'status=active', 'slug=x'])
      assertProblem(await api('GET', `/v1/status-pages?${q}`, { key: lkey }), 400, 'bad_query');
  });
});

describe('GET, PATCH and DELETE /v1/status-pages/{id}', () => {
  it('an id that does not exist, a malformed id and another team\'s page are all 404 (negative)', async () => {
    const theirs = await mkPage({}, otherKey);
    for (const id of [GHOST_SP, 'sp_short', 'mon_' + 'A'.repeat(20), theirs.id]) {
      for (const [m, body] of [['GET'], ['PATCH', { name: 'x' }], ['DELETE'], ['PUT', { components: [] }]]) {
        const p = m === 'PUT' ? `/v1/status-pages/${id}/components` : `/v1/status-pages/${id}`;
        const res = await assertNoChange(srv, () => api(m, p, { key: admin, body }));
        assertProblem(res, 404, 'not_found');
      }
    }
    assert.deepEqual(await getPage(theirs.id, otherKey), theirs);
  });

  it('PATCH changes only the fields given; null clears description and customDomain', async () => {
    const m = await monitor('patched');
    const d = await mkPage({ description: 'before', customDomain: 'status.patch.example.com', components: [{ monitorId: m.id }] });
    const p1 = assertOk(await api('PATCH', `/v1/status-pages/${d.id}`, { key: admin, body: { title: 'New title', historyDays: 14 } }));
    assert.equal(p1.title, 'New title');
    assert.equal(p1.historyDays, 14);
    for (const k of ['name', 'slug', 'description', 'isPublic', 'customDomain', 'components', 'createdAt', 'url', 'id'])
      assert.deepEqual(p1[k], d[k], k);
    assert.ok(Date.parse(p1.updatedAt) >= Date.parse(d.updatedAt));
    const p2 = assertOk(await api('PATCH', `/v1/status-pages/${d.id}`, { key: admin, body: { description: null, customDomain: null } }));
    assert.equal(p2.description, null);
    assert.equal(p2.customDomain, null);
    const s = slug('renamed');
    const p3 = assertOk(await api('PATCH', `/v1/status-pages/${d.id}`, { key: admin, body: { slug: s } }));
    assert.equal(p3.url, `${srv.baseUrl}/status/${s}`);
    assert.deepEqual(await getPage(d.id), p3);
    // An empty object changes nothing the user set.
    const p4 = assertOk(await api('PATCH', `/v1/status-pages/${d.id}`, { key: admin, body: {} }));
    for (const k of PAGE_KEYS.filter((k) => k !== 'updatedAt')) assert.deepEqual(p4[k], p3[k], k);
  });

  it('PATCH: bad values, taken slugs, unknown and read-only fields are refused and change nothing (negative)', async () => {
    const a = await mkPage();
    const b = await verifyDomain(await mkPage({ customDomain: 'status.b.example.com' }));
    for (const [body, status, code, pointer] of [
      [{ slug: 'No' }, 400, 'validation_error', '/slug'],
      [{ name: null }, 400, 'validation_error', '/name'],
      [{ historyDays: 91, title: '' }, 400, 'validation_error', '/title'],
      [{ components: [{ monitorId: otherMon.id }] }, 400, 'validation_error', '/components/0/monitorId'],
      [{ colour: 'x' }, 400, 'unknown_field', '/colour'],
      [{ url: 'x' }, 400, 'read_only_field', '/url'],
      [{ slug: b.slug }, 409, 'conflict', null],
      [{ customDomain: 'STATUS.b.example.com' }, 409, 'conflict', null],
    ]) {
      const res = await assertNoChange(srv, () => api('PATCH', `/v1/status-pages/${a.id}`, { key: admin, body }));
      assertProblem(res, status, code, pointer ? { pointers: [pointer] } : {});
    }
    for (const rawBody of ['{', '[1]', '']) {
      const res = await assertNoChange(srv, () => api('PATCH', `/v1/status-pages/${a.id}`, { key: admin, rawBody }));
      assertProblem(res, 400, 'malformed_json');
    }
    const res = await assertNoChange(srv, () => api('PATCH', `/v1/status-pages/${a.id}`,
      { key: admin, rawBody: JSON.stringify({ description: 'x'.repeat((1 << 20) + 10) }) }));
    assertProblem(res, 413, 'body_too_large');
    // Its own slug and domain are not "taken", and the same domain stays verified.
    const same = assertOk(await api('PATCH', `/v1/status-pages/${b.id}`, { key: admin, body: { slug: b.slug, customDomain: b.customDomain } }));
    assert.equal(same.customDomainStatus, 'verified');
  });

  it('DELETE answers 204 and takes the components and incidents with it', async () => {
    const m = await monitor('doomed');
    const d = await mkPage({ components: [{ monitorId: m.id }] });
    const inc = await mkIncident(d.id, { componentIds: [d.components[0].id] });
    const res = await api('DELETE', `/v1/status-pages/${d.id}`, { key: admin });
    assert.equal(res.status, 204, show(res));
    assert.equal(res.text, '');
    assertProblem(await api('GET', `/v1/status-pages/${d.id}`, { key: admin }), 404, 'not_found');
    assertProblem(await api('GET', `/v1/incidents/${inc.id}`, { key: admin }), 404, 'not_found');
    for (const [t, col, id] of [['status_page_components', 'page_id', d.id], ['incidents', 'page_id', d.id],
      ['incident_updates', 'incident_id', inc.id], ['incident_components', 'incident_id', inc.id]])
      assert.equal(srv.sql(`SELECT count(*) AS n FROM ${t} WHERE ${col} = '${id}'`)[0].n, 0, t);
    // The monitor stays.
    assertOk(await api('GET', `/v1/monitors/${m.id}`, { key: admin }));
    assert.equal((await pub(`/status/${d.slug}`)).status, 404);
    assertProblem(await api('DELETE', `/v1/status-pages/${d.id}`, { key: admin }), 404, 'not_found');
  });
});

describe('PUT /v1/status-pages/{id}/components', () => {
  it('replaces the ordered list: kept ids stay, new ones get ids, left-out ones go with their incident links', async () => {
    const [a, b, c] = [await monitor('A'), await monitor('B'), await monitor('C')];
    const d = await mkPage({ components: [{ monitorId: a.id }, { monitorId: b.id }] });
    const [ca, cb] = d.components;
    const inc = await mkIncident(d.id, { componentIds: [ca.id, cb.id] });
    const res = await api('PUT', `/v1/status-pages/${d.id}/components`, {
      key: admin,
      body: { components: [{ monitorId: c.id, displayName: 'Cee', group: 'G' }, { id: ca.id, monitorId: a.id, displayName: 'A renamed' }] },
    });
    const p = assertOk(res);
    assert.equal(p.components.length, 2);
    assert.match(p.components[0].id, CMP_ID_RE);
    assert.ok(![ca.id, cb.id].includes(p.components[0].id));
    assert.deepEqual(p.components[1], { id: ca.id, monitorId: a.id, displayName: 'A renamed', group: null, state: 'unknown' });
    assert.deepEqual(p.components[0], { id: p.components[0].id, monitorId: c.id, displayName: 'Cee', group: 'G', state: 'unknown' });
    assert.deepEqual(await getPage(d.id), p);
    // B's component is gone, and so is the incident's link to it.
    assert.deepEqual((await getInc(inc.id)).componentIds, [ca.id]);
    // The public summary has the new order.
    const s = (await pub(`/status/${d.slug}/summary.json`)).json.data;
    assert.deepEqual(s.components.map((x) => x.name), ['Cee', 'A renamed']);
    // An empty list empties the page.
    assert.deepEqual(assertOk(await api('PUT', `/v1/status-pages/${d.id}/components`, { key: admin, body: { components: [] } })).components, []);
  });

  it('deleting a monitor takes it off the page', async () => {
    const [a, b] = [await monitor('stay'), await monitor('go')];
    const d = await mkPage({ components: [{ monitorId: a.id }, { monitorId: b.id }] });
    assert.equal((await api('DELETE', `/v1/monitors/${b.id}`, { key: admin })).status, 204);
    assert.deepEqual((await getPage(d.id)).components.map((c) => c.monitorId), [a.id]);
  });

  it('only the team\'s own monitors; bad bodies are 400 and change nothing (negative)', async () => {
    const a = await monitor('own');
    const d = await mkPage({ components: [{ monitorId: a.id }] });
    const other = await mkPage({ components: [{ monitorId: (await monitor('elsewhere')).id }] });
    for (const [body, code, pointer] of [
      [{ components: [{ monitorId: a.id }, { monitorId: otherMon.id }] }, 'validation_error', '/components/1/monitorId'],
      [{ components: [{ id: other.components[0].id, monitorId: a.id }] }, 'validation_error', '/components/0/id'],
      [{ components: [{ id: d.components[0].id, monitorId: a.id }, { id: d.components[0].id, monitorId: a.id }] },
        'validation_error', '/components/1/id'],
      [{}, 'validation_error', '/components'],
      [{ components: null }, 'validation_error', '/components'],
      [{ components: Array(101).fill({ monitorId: a.id }) }, 'validation_error', '/components'],
      [{ components: [], name: 'x' }, 'unknown_field', '/name'],
      [{ components: [{ monitorId: a.id, extra: 1 }] }, 'unknown_field', '/components/0/extra'],
    ]) {
      const res = await assertNoChange(srv, () => api('PUT', `/v1/status-pages/${d.id}/components`, { key: admin, body }));
      assertProblem(res, 400, code, { pointers: [pointer] });
    }
    for (const rawBody of ['{', '[{"monitorId":"x"}]']) {
      const res = await assertNoChange(srv, () => api('PUT', `/v1/status-pages/${d.id}/components`, { key: admin, rawBody }));
      assertProblem(res, 400, 'malformed_json');
    }
    const res = await assertNoChange(srv, () => api('PUT', `/v1/status-pages/${d.id}/components`,
      { key: admin, rawBody: JSON.stringify({ components: [{ monitorId: 'm'.repeat(1 << 20) }] }) }));
    assertProblem(res, 413, 'body_too_large');
  });
});

describe('incidents', () => {
  let page, m1, m2;
  before(async () => {
    m1 = await monitor('inc-1');
    m2 = await monitor('inc-2');
    page = await mkPage({ components: [{ monitorId: m1.id }, { monitorId: m2.id }] });
  });

  it('POST creates an incident with its first update, defaults filled in, and a Location', async () => {
    const res = await api('POST', `/v1/status-pages/${page.id}/incidents`,
      { key: admin, body: { title: 'Checkout is slow', message: 'We are investigating.' } });
    const d = assertOk(res, 201);
    sameKeys(d, INC_KEYS);
    assert.match(d.id, INC_ID_RE);
    assert.equal(d.statusPageId, page.id);
    assert.equal(d.status, 'investigating');
    assert.equal(d.impact, 'none');
    assert.equal(d.resolvedAt, null);
    assert.deepEqual(d.componentIds, []);
    assert.ok(near(d.startedAt));
    assert.equal(d.createdAt, d.startedAt);
    assert.equal(d.updates.length, 1);
    sameKeys(d.updates[0], ['id', 'status', 'message', 'createdAt']);
    assert.match(d.updates[0].id, UPD_ID_RE);
    assert.deepEqual([d.updates[0].status, d.updates[0].message], ['investigating', 'We are investigating.']);
    assert.equal(res.headers.get('location'), `${srv.baseUrl}/v1/incidents/${d.id}`);
    assert.deepEqual(assertOk(await api('GET', res.headers.get('location'), { key: admin })), d);
  });

  it('keeps every field as given; an incident created resolved has resolvedAt', async () => {
    const started = new Date(Date.now() - 2 * HOUR).toISOString();
    const d = await mkIncident(page.id, { title: 'T', status: 'identified', impact: 'critical', message: 'M',
      componentIds: [page.components[1].id, page.components[0].id], startedAt: started });
    assert.deepEqual([d.title, d.status, d.impact, d.startedAt], ['T', 'identified', 'critical', started]);
    assert.deepEqual(d.componentIds, [page.components[1].id, page.components[0].id]);
    const r = await mkIncident(page.id, { status: 'resolved', startedAt: started });
    assert.ok(near(r.resolvedAt));
    assert.equal(r.updates[0].status, 'resolved');
    // startedAt with an offset is normalised.
    const o = await mkIncident(page.id, { startedAt: '2026-01-02T03:04:05+02:00' });
    assert.equal(o.startedAt, '2026-01-02T01:04:05.000Z');
  });

  it('the lifecycle: updates move the status, resolve sets resolvedAt, a new update reopens', async () => {
    const d = await mkIncident(page.id, { impact: 'major', componentIds: [page.components[0].id] });
    const post = (body) => api('POST', `/v1/incidents/${d.id}/updates`, { key: admin, body });
    let res = await post({ status: 'identified', message: 'A bad deploy.' });
    let x = assertOk(res, 201);
    assert.equal(res.headers.get('location'), `${srv.baseUrl}/v1/incidents/${d.id}`);
    assert.equal(x.status, 'identified');
    assert.equal(x.resolvedAt, null);
    x = assertOk(await post({ status: 'monitoring', message: 'Rolled back.' }), 201);
    // No status: the update keeps the current one.
    x = assertOk(await post({ message: 'Still watching.' }), 201);
    assert.equal(x.status, 'monitoring');
    const before = Date.now();
    x = assertOk(await post({ status: 'resolved', message: 'All good.' }), 201);
    assert.equal(x.status, 'resolved');
    assert.ok(Date.parse(x.resolvedAt) >= before - 1000 && near(x.resolvedAt), x.resolvedAt);
    const firstResolved = x.resolvedAt;
    // Another resolved update keeps the first resolvedAt.
    x = assertOk(await post({ status: 'resolved', message: 'Post-mortem to follow.' }), 201);
    assert.equal(x.resolvedAt, firstResolved);
    // Reopened.
    x = assertOk(await post({ status: 'investigating', message: 'It is back.' }), 201);
    assert.equal(x.resolvedAt, null);
    assert.deepEqual(x.updates.map((u) => u.status),
      ['investigating', 'resolved', 'resolved', 'monitoring', 'monitoring', 'identified', 'investigating']);
    assert.deepEqual(x.updates.map((u) => u.message).slice(0, 2), ['It is back.', 'Post-mortem to follow.']);
    for (let i = 1; i < x.updates.length; i++) assert.ok(x.updates[i - 1].createdAt >= x.updates[i].createdAt);
    assert.equal(new Set(x.updates.map((u) => u.id)).size, x.updates.length);
    assert.deepEqual(await getInc(d.id), x);
    assert.ok(x.updatedAt >= x.createdAt);
  });

  it('PATCH changes title, impact, componentIds and startedAt only', async () => {
    const d = await mkIncident(page.id, { componentIds: [page.components[0].id] });
    const started = new Date(Date.now() - HOUR).toISOString();
    const x = assertOk(await api('PATCH', `/v1/incidents/${d.id}`, { key: admin,
      body: { title: 'Renamed', impact: 'minor', componentIds: [page.components[1].id], startedAt: started } }));
    assert.deepEqual([x.title, x.impact, x.componentIds, x.startedAt], ['Renamed', 'minor', [page.components[1].id], started]);
    assert.deepEqual([x.status, x.updates], [d.status, d.updates]);
    assert.deepEqual(await getInc(d.id), x);
    const y = assertOk(await api('PATCH', `/v1/incidents/${d.id}`, { key: admin, body: { componentIds: [] } }));
    assert.deepEqual(y.componentIds, []);
    assert.equal(y.title, 'Renamed');
  });

  it('invalid fields are 400 naming them; nothing is stored (negative)', async () => {
    const theirPage = await mkPage({ components: [{ monitorId: (await monitor('ip')).id }] });
    const future = new Date(Date.now() + HOUR).toISOString();
    const cases = [
      [{ title: undefined }, '/title'], [{ title: '' }, '/title'], [{ title: 't'.repeat(256) }, '/title'], [{ title: 3 }, '/title'],
      [{ message: undefined }, '/message'], [{ message: '' }, '/message'], [{ message: 'm'.repeat(5001) }, '/message'],
      [{ message: null }, '/message'],
      [{ status: 'open' }, '/status'], [{ status: 'Resolved' }, '/status'], [{ status: 1 }, '/status'], [{ status: null }, '/status'],
      [{ impact: 'huge' }, '/impact'], [{ impact: '' }, '/impact'], [{ impact: null }, '/impact'],
      [{ componentIds: 'x' }, '/componentIds'], [{ componentIds: null }, '/componentIds'],
      [{ componentIds: ['cmp_' + 'A'.repeat(20)] }, '/componentIds/0'], [{ componentIds: [7] }, '/componentIds/0'],
      [{ componentIds: [page.components[0].id, theirPage.components[0].id] }, '/componentIds/1'],
      [{ componentIds: [page.components[0].id, page.components[0].id] }, '/componentIds/1'],
      [{ componentIds: Array(101).fill(page.components[0].id) }, '/componentIds'],
      [{ startedAt: future }, '/startedAt'], [{ startedAt: 'yesterday' }, '/startedAt'], [{ startedAt: 5 }, '/startedAt'],
    ];
    for (const [patch, pointer] of cases) {
      const body = { title: 'I', message: 'M', ...patch };
      for (const [k, v] of Object.entries(patch)) if (v === undefined) delete body[k];
      const res = await assertNoChange(srv, () => api('POST', `/v1/status-pages/${page.id}/incidents`, { key: admin, body }));
      assertProblem(res, 400, 'validation_error', { pointers: [pointer] });
    }
    let res = await assertNoChange(srv, () => api('POST', `/v1/status-pages/${page.id}/incidents`,
      { key: admin, body: { title: '', impact: 'x', status: 'y' } }));
    assertProblem(res, 400, 'validation_error', { pointers: ['/title', '/impact', '/status', '/message'] });
    for (const [f, code] of [['severity', 'unknown_field'], ['id', 'read_only_field'], ['resolvedAt', 'read_only_field'],
      ['updates', 'read_only_field'], ['statusPageId', 'read_only_field']]) {
      res = await assertNoChange(srv, () => api('POST', `/v1/status-pages/${page.id}/incidents`,
        { key: admin, body: { title: 'I', message: 'M', [f]: 'x' } }));
      assertProblem(res, 400, code, { pointers: [`/${f}`] });
    }
  });

  it('PATCH refuses status (post an update instead), message and bad values; nothing changes (negative)', async () => {
    const d = await mkIncident(page.id);
    for (const [body, code, pointer] of [
      [{ status: 'resolved' }, 'read_only_field', '/status'],
      [{ message: 'x' }, 'unknown_field', '/message'],
      [{ resolvedAt: '2026-01-01T00:00:00Z' }, 'read_only_field', '/resolvedAt'],
      [{ title: '' }, 'validation_error', '/title'],
      [{ impact: 'big' }, 'validation_error', '/impact'],
      [{ componentIds: ['nope'] }, 'validation_error', '/componentIds/0'],
      [{ startedAt: new Date(Date.now() + DAY).toISOString() }, 'validation_error', '/startedAt'],
    ]) {
      const res = await assertNoChange(srv, () => api('PATCH', `/v1/incidents/${d.id}`, { key: admin, body }));
      assertProblem(res, 400, code, { pointers: [pointer] });
    }
    // startedAt after resolvedAt.
    const r = await mkIncident(page.id, { status: 'resolved', startedAt: new Date(Date.now() - DAY).toISOString() });
    const late = new Date(Date.parse(r.resolvedAt) + 1).toISOString();
    if (Date.parse(late) <= Date.now()) {
      const res = await assertNoChange(srv, () => api('PATCH', `/v1/incidents/${r.id}`, { key: admin, body: { startedAt: late } }));
      assertProblem(res, 400, 'validation_error', { pointers: ['/startedAt'] });
    }
  });

  it('updates: a bad body is 400 and changes nothing (negative)', async () => {
    const d = await mkIncident(page.id);
    for (const [body, code, pointer] of [
      [{}, 'validation_error', '/message'], [{ message: '' }, 'validation_error', '/message'],
      [{ message: 'm'.repeat(5001) }, 'validation_error', '/message'], [{ message: 'x', status: 'done' }, 'validation_error', '/status'],
      [{ message: 'x', impact: 'major' }, 'unknown_field', '/impact'], [{ message: 'x', id: 'upd_x' }, 'read_only_field', '/id'],
    ]) {
      const res = await assertNoChange(srv, () => api('POST', `/v1/incidents/${d.id}/updates`, { key: admin, body }));
      assertProblem(res, 400, code, { pointers: [pointer] });
    }
    for (const rawBody of ['{"message":', '"x"']) {
      const res = await assertNoChange(srv, () => api('POST', `/v1/incidents/${d.id}/updates`, { key: admin, rawBody }));
      assertProblem(res, 400, 'malformed_json');
    }
    const res = await assertNoChange(srv, () => api('POST', `/v1/incidents/${d.id}/updates`,
      { key: admin, rawBody: JSON.stringify({ message: 'm'.repeat((1 << 20) + 1) }) }));
    assertProblem(res, 413, 'body_too_large');
  });

  it('GET /v1/incidents lists newest first, filtered by statusPageId and status (or open)', async () => {
    const lt = await srv.createTeam('Incident list team');
    const key = await srv.createKey(lt);
    const lm = await monitor('lm', key);
    const p1 = await mkPage({ components: [{ monitorId: lm.id }] }, key);
    const p2 = await mkPage({}, key);
    const a = await mkIncident(p1.id, { title: 'a' }, key);
    const b = await mkIncident(p2.id, { title: 'b', status: 'monitoring' }, key);
    const c = await mkIncident(p1.id, { title: 'c', status: 'resolved' }, key);
    const ids = async (q) => assertOk(await api('GET', `/v1/incidents${q}`, { key })).map((x) => x.id);
    assert.deepEqual(await ids(''), [c.id, b.id, a.id]);
    assert.deepEqual(await ids(`?statusPageId=${p1.id}`), [c.id, a.id]);
    assert.deepEqual(await ids('?status=resolved'), [c.id]);
    assert.deepEqual(await ids('?status=open'), [b.id, a.id]);
    assert.deepEqual(await ids(`?statusPageId=${p1.id}&status=investigating`), [a.id]);
    assert.deepEqual(await ids(`?statusPageId=${page.id}`), [], 'another team\'s page lists nothing');
    assert.deepEqual(await ids('?perPage=1'), [c.id]);
    const res = await api('GET', '/v1/incidents?perPage=2', { key });
    const next = res.json.meta.pagination.next;
    assert.match(res.headers.get('link'), /rel="next"/);
    assert.deepEqual(assertOk(await api('GET', `/v1/incidents?perPage=2&cursor=${next}`, { key })).map((x) => x.id), [a.id]);
    assert.deepEqual(assertOk(await api('GET', '/v1/incidents', { key })).find((x) => x.id === a.id), await getInc(a.id, key));
    for (const q of ['status=closed', 'statusPageId=xyz', 'statusPageId=inc_' + 'A'.repeat(20), 'perPage=0', 'page=1'])
      assertProblem(await api('GET', `/v1/incidents?${q}`, { key }), 400, 'bad_query');
  });

  it('DELETE answers 204 and removes the updates; another team\'s incident is 404 everywhere (negative)', async () => {
    const d = await mkIncident(page.id, { componentIds: [page.components[0].id] });
    for (const [m, p, body] of [['GET', `/v1/incidents/${d.id}`], ['PATCH', `/v1/incidents/${d.id}`, { title: 'x' }],
      ['DELETE', `/v1/incidents/${d.id}`], ['POST', `/v1/incidents/${d.id}/updates`, { message: 'x' }],
      ['POST', `/v1/status-pages/${page.id}/incidents`, { title: 'x', message: 'y' }]]) {
      const res = await assertNoChange(srv, () => api(m, p, { key: otherKey, body }));
      assertProblem(res, 404, 'not_found');
    }
    for (const id of [GHOST_INC, 'inc_x', 'sp_' + 'A'.repeat(20)]) {
      assertProblem(await api('GET', `/v1/incidents/${id}`, { key: admin }), 404, 'not_found');
      assertProblem(await api('POST', `/v1/incidents/${id}/updates`, { key: admin, body: { message: 'x' } }), 404, 'not_found');
    }
    assertProblem(await api('POST', `/v1/status-pages/${GHOST_SP}/incidents`, { key: admin, body: { title: 'x', message: 'y' } }),
      404, 'not_found');
    const res = await api('DELETE', `/v1/incidents/${d.id}`, { key: admin });
    assert.equal(res.status, 204, show(res));
    assertProblem(await api('GET', `/v1/incidents/${d.id}`, { key: admin }), 404, 'not_found');
    assert.equal(srv.sql(`SELECT count(*) AS n FROM incident_updates WHERE incident_id = '${d.id}'`)[0].n, 0);
  });
});

describe('authentication, scopes and teams', () => {
  let sp, inc;
  before(async () => {
    sp = (await mkPage()).id;
    inc = (await mkIncident(sp)).id;
  });
  const routes = () => [
    ['GET', '/v1/status-pages', undefined, 'status-pages:read'],
    ['POST', '/v1/status-pages', { name: 'x', slug: slug('auth') }, 'status-pages:write'],
    ['GET', `/v1/status-pages/${sp}`, undefined, 'status-pages:read'],
    ['PATCH', `/v1/status-pages/${sp}`, { name: 'y' }, 'status-pages:write'],
    ['DELETE', `/v1/status-pages/${sp}`, undefined, 'status-pages:write'],
    ['PUT', `/v1/status-pages/${sp}/components`, { components: [] }, 'status-pages:write'],
    ['POST', `/v1/status-pages/${sp}/verify-domain`, undefined, 'status-pages:write'],
    ['POST', `/v1/status-pages/${sp}/incidents`, { title: 't', message: 'm' }, 'status-pages:write'],
    ['GET', '/v1/incidents', undefined, 'status-pages:read'],
    ['GET', `/v1/incidents/${inc}`, undefined, 'status-pages:read'],
    ['PATCH', `/v1/incidents/${inc}`, { title: 't2' }, 'status-pages:write'],
    ['DELETE', `/v1/incidents/${inc}`, undefined, 'status-pages:write'],
    ['POST', `/v1/incidents/${inc}/updates`, { message: 'm' }, 'status-pages:write'],
  ];

  it('no key: 401 on every API route, nothing changes (negative)', async () => {
    for (const [m, p, body] of routes()) {
      const res = await assertNoChange(srv, () => api(m, p, { body }), { authFailure: true });
      assertUnauthorized(res, 'missing_credentials', { presented: false });
    }
  });

  it('a malformed key: 401 invalid_key (negative)', async () => {
    for (const [m, p, body] of routes()) {
      const res = await assertNoChange(srv, () => api(m, p, { key: 'uptime_nope', body }), { authFailure: true });
      assertUnauthorized(res, 'invalid_key');
    }
  });

  it('the wrong scope: 403 naming the scope; :write does not imply :read (negative)', async () => {
    for (const [m, p, body, scope] of routes()) {
      let res = await assertNoChange(srv, () => api(m, p, { key: monOnly, body }), { authFailure: true });
      assertForbidden(res, scope);
      const narrow = scope.endsWith(':read') ? writer : reader;
      res = await assertNoChange(srv, () => api(m, p, { key: narrow, body }), { authFailure: true });
      assertForbidden(res, scope);
    }
  });

  it('status-pages:read reads, status-pages:write writes', async () => {
    assertOk(await api('GET', `/v1/status-pages/${sp}`, { key: reader }));
    assertOk(await api('GET', `/v1/incidents/${inc}`, { key: reader }));
    assertOk(await api('PATCH', `/v1/status-pages/${sp}`, { key: writer, body: { title: 'By writer' } }));
    assertOk(await api('POST', `/v1/incidents/${inc}/updates`, { key: writer, body: { message: 'By writer' } }), 201);
  });

  it('writes are audited with their action and target', async () => {
    const d = await mkPage();
    const i = await mkIncident(d.id);
    const rows = srv.sql(`SELECT action, target_id, status FROM audit_events WHERE target_id IN ('${d.id}', '${i.id}') ORDER BY at`);
    assert.deepEqual(rows.map((r) => [r.action, r.target_id, r.status]),
      [['status_page.created', d.id, 201], ['incident.created', i.id, 201]]);
  });

  it('/v1/status still belongs to monitors.fcgi', async () => {
    const d = assertOk(await api('GET', '/v1/status', { key: admin }));
    assert.ok('state' in d && 'counts' in d, JSON.stringify(d));
  });
});

// ---------------------------------------------------------------------------

describe('the public pages', () => {
  let upMon, downMon, pendMon;
  let page;   // a public page with every user string hostile
  let incOpen, incPast;

  before(async () => {
    upMon = await monitor('up');
    downMon = await monitor('down');
    pendMon = await monitor('pending');
    await check(upMon.id);
    await check(downMon.id, '/fail');
    page = await mkPage({
      slug: slug('public'), title: `Title ${H}`, description: `Desc ${H}`,
      components: [
        { monitorId: upMon.id, displayName: `Up ${H}`, group: `Group ${H}` },
        { monitorId: downMon.id, displayName: 'Down service' },
        { monitorId: pendMon.id, displayName: 'Pending service', group: `Group ${H}` },
      ],
    });
    incOpen = await mkIncident(page.id, { title: `Open ${H}`, impact: 'minor', message: `First ${H}`,
      componentIds: [page.components[0].id] });
    assertOk(await api('POST', `/v1/incidents/${incOpen.id}/updates`, { key: admin, body: { status: 'identified', message: `Second ${H}` } }), 201);
    incPast = await mkIncident(page.id, { title: 'Past trouble', impact: 'major', message: 'It broke',
      startedAt: new Date(Date.now() - 2 * DAY).toISOString() });
    assertOk(await api('POST', `/v1/incidents/${incPast.id}/updates`, { key: admin, body: { status: 'resolved', message: 'Fixed it' } }), 201);
  });

  it('the HTML page: states, components in groups, incidents, every user string escaped, no script', async () => {
    const res = await pub(`/status/${page.slug}`);
    const html = assertPublic(res, 'text/html');
    assert.match(res.headers.get('content-type'), /charset=utf-8/i);
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    assert.match(html, /<meta name="viewport" content="width=device-width,initial-scale=1">/);
    assert.doesNotMatch(html, /<script/i, 'no script at all, hostile or not');
    assert.ok(!html.includes(H), 'a hostile string appears unescaped');
    // Title (twice: <title> and <h1>), description (twice), component,
    // group, incident title, two updates.
    const n = html.split(H_ESC).length - 1;
    assert.ok(n >= 8, `escaped hostile strings: ${n}`);
    for (const s of [`Title ${H_ESC}`, `Desc ${H_ESC}`, `Up ${H_ESC}`, `Group ${H_ESC}`, `Open ${H_ESC}`, `First ${H_ESC}`,
      `Second ${H_ESC}`, 'Down service', 'Pending service', 'Past trouble', 'Fixed it'])
      assert.ok(html.includes(s), `missing ${s}`);
    // The group holds both of its components, in the page's order.
    const comps = html.slice(html.indexOf('<h2 id="h-comp">'));
    const g = comps.indexOf(`Group ${H_ESC}`);
    assert.ok(g !== -1 && g < comps.indexOf(`Up ${H_ESC}`) && comps.indexOf(`Up ${H_ESC}`) < comps.indexOf('Down service'),
      'the group comes where its first component is');
    assert.ok(comps.indexOf(`Up ${H_ESC}`) < comps.indexOf('Pending service') &&
      comps.indexOf('Pending service') < comps.indexOf('Down service'), 'the group holds both of its components');
    // States: up with a minor incident is degraded, down is a major
    // outage, never checked has no data; the page: partial outage.
    const stateOf = (id) => new RegExp(`id="${id}"><div class="row"><span class="name">[^<]*</span><span class="st st-([a-z_]+)">([^<]+)<`).exec(html)?.slice(1);
    assert.deepEqual(stateOf(page.components[0].id), ['degraded', 'Degraded performance']);
    assert.deepEqual(stateOf(page.components[1].id), ['major_outage', 'Major outage']);
    assert.deepEqual(stateOf(page.components[2].id), ['unknown', 'No data']);
    assert.match(html, /class="banner b-partial_outage"[^>]*><span class="ic"><\/span><div>Partial outage/);
    // The open incident lists its updates newest first; the past one is
    // under "Past incidents".
    assert.ok(html.indexOf(`Second ${H_ESC}`) < html.indexOf(`First ${H_ESC}`));
    assert.ok(html.indexOf('Current incidents') < html.indexOf(`Open ${H_ESC}`));
    assert.ok(html.indexOf('Past incidents') < html.indexOf('Past trouble'));
    // One bar a day.
    assert.equal(barsOf(html, page.components[0].id).length, 90);
    // Links to the feed and the JSON, absolute from UPTIME_PUBLIC_URL.
    assert.ok(html.includes(`href="${srv.baseUrl}/status/${page.slug}/feed.atom"`));
    assert.ok(html.includes(`href="${srv.baseUrl}/status/${page.slug}/summary.json"`));
    // Only its own style sheet may apply.
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'.*style-src 'sha256-/);
  });

  it('the API gives each component the state the public page shows, public page or not', async () => {
    const summary = (await pub(`/status/${page.slug}/summary.json`)).json.data;
    const want = summary.components.map((c) => c.state);
    assert.deepEqual(want, ['degraded', 'major_outage', 'unknown']);
    const got = await getPage(page.id);
    assert.deepEqual(got.components.map((c) => c.state), want);
    // The list, PATCH and PUT answers carry the same states.
    const listed = assertOk(await api('GET', '/v1/status-pages?perPage=200', { key: admin })).find((p) => p.id === page.id);
    assert.deepEqual(listed.components.map((c) => c.state), want);
    const patched = assertOk(await api('PATCH', `/v1/status-pages/${page.id}`, { key: admin, body: {} }));
    assert.deepEqual(patched.components.map((c) => c.state), want);
    // A critical incident on the down one, and a private page with the
    // same components: the same rule.
    const priv = await mkPage({ isPublic: false, components: page.components.map(({ monitorId }) => ({ monitorId })) });
    const inc = await mkIncident(priv.id, { impact: 'major', componentIds: [priv.components[0].id, priv.components[2].id] });
    assert.deepEqual((await getPage(priv.id)).components.map((c) => c.state), ['partial_outage', 'major_outage', 'partial_outage']);
    const put = assertOk(await api('PUT', `/v1/status-pages/${priv.id}/components`,
      { key: admin, body: { components: priv.components.slice(0, 2).map(({ id, monitorId }) => ({ id, monitorId })) } }));
    assert.deepEqual(put.components.map((c) => c.state), ['partial_outage', 'major_outage']);
    assertOk(await api('POST', `/v1/incidents/${inc.id}/updates`, { key: admin, body: { status: 'resolved', message: 'ok' } }), 201);
    assert.deepEqual((await getPage(priv.id)).components.map((c) => c.state), ['operational', 'major_outage']);
  });

  it('logoUrl in the header (escaped, no referrer); showOverallStatus false hides the banner', async () => {
    const logo = 'https://cdn.example.com/logo.svg?a=1&b="2"<x>';
    const p = await mkPage({ title: 'Branded', logoUrl: logo, components: [{ monitorId: upMon.id }] });
    const res = await pub(`/status/${p.slug}`);
    const html = assertPublic(res, 'text/html');
    const img = /<header>.*?<img ([^>]*)>.*?<h1>Branded<\/h1>/.exec(html);
    assert.ok(img, 'the logo is in the header, before the title');
    assert.match(img[1], /^class="logo" src="https:\/\/cdn\.example\.com\/logo\.svg\?a=1&amp;b=&quot;2&quot;&lt;x&gt;" alt="" referrerpolicy="no-referrer"$/);
    // The policy lets the browser load an https image and nothing else new.
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /img-src data: https:;/);
    assert.doesNotMatch(csp, /script-src|img-src[^;]*http:/);
    assert.match(html, /class="banner b-operational"/);
    // Hidden banner; no logo: no img at all.
    const q = assertOk(await api('PATCH', `/v1/status-pages/${p.id}`,
      { key: admin, body: { showOverallStatus: false, logoUrl: null } }));
    assert.equal(q.showOverallStatus, false);
    assert.equal(q.logoUrl, null);
    const html2 = assertPublic(await pub(`/status/${p.slug}`), 'text/html');
    assert.doesNotMatch(html2, /class="banner|aria-label="Overall status"|<img/);
    assert.match(html2, /<h2 id="h-comp">Components<\/h2>/, 'the rest of the page is there');
    // summary.json keeps the overall state: it is data, not the banner.
    assert.equal((await pub(`/status/${p.slug}/summary.json`)).json.data.status.state, 'operational');
    // Negative: a private or http logo is refused by PATCH and nothing changes.
    for (const bad of ['https://127.0.0.1/l.png', 'http://cdn.example.com/l.png', 'https://[::1]/l.png']) {
      const r = await assertNoChange(srv, () => api('PATCH', `/v1/status-pages/${p.id}`, { key: admin, body: { logoUrl: bad } }));
      assertProblem(r, 400, 'validation_error', { pointers: ['/logoUrl'] });
    }
  });

  it('summary.json: the same facts as data, strings exactly as written', async () => {
    const res = await pub(`/status/${page.slug}/summary.json`);
    assertPublic(res, 'application/json');
    assert.match(res.headers.get('etag'), /^W\/"/, 'the envelope\'s meta changes each time: a weak ETag over data');
    const d = res.json.data;
    assert.equal(d.page.title, `Title ${H}`);
    assert.equal(d.page.description, `Desc ${H}`);
    assert.equal(d.page.url, `${srv.baseUrl}/status/${page.slug}`);
    assert.equal(d.page.historyDays, 90);
    assert.equal(d.status.state, 'partial_outage');
    assert.deepEqual(d.components.map((c) => [c.id, c.name, c.group, c.state]), [
      [page.components[0].id, `Up ${H}`, `Group ${H}`, 'degraded'],
      [page.components[1].id, 'Down service', null, 'major_outage'],
      [page.components[2].id, 'Pending service', `Group ${H}`, 'unknown'],
    ]);
    assert.equal(d.incidents.length, 1, 'only open incidents');
    assert.equal(d.incidents[0].title, `Open ${H}`);
    assert.deepEqual(d.incidents[0].updates.map((u) => u.message), [`Second ${H}`, `First ${H}`]);
    assert.ok(!JSON.stringify(d).includes(upMon.id), 'monitor ids are not public');
    assert.equal(res.json.meta.requestId, res.headers.get('x-request-id'));
  });

  it('the Atom feed is well-formed XML listing the incidents, strings escaped', async () => {
    const res = await pub(`/status/${page.slug}/feed.atom`);
    const text = assertPublic(res, 'application/atom+xml');
    assert.ok(!text.includes(H));
    const feed = parseXml(text);
    assert.equal(feed.tag, `${ATOM}feed`);
    assert.equal(kid(feed, `${ATOM}title`).text, `Title ${H} incidents`);
    assert.equal(kid(feed, `${ATOM}id`).text, `${srv.baseUrl}/status/${page.slug}`);
    assert.match(kid(feed, `${ATOM}updated`).text, TIME_RE);
    const self = kids(feed, `${ATOM}link`).find((l) => l.attrib.rel === 'self');
    assert.equal(self.attrib.href, `${srv.baseUrl}/status/${page.slug}/feed.atom`);
    const entries = kids(feed, `${ATOM}entry`);
    assert.deepEqual(entries.map((e) => kid(e, `${ATOM}title`).text), ['Past trouble (Resolved)', `Open ${H} (Identified)`]);
    const open = entries[1];
    assert.equal(kid(open, `${ATOM}id`).text, `${srv.baseUrl}/status/${page.slug}#${incOpen.id}`);
    const content = kid(open, `${ATOM}content`);
    assert.equal(content.attrib.type, 'html');
    // The content is HTML in which the messages are escaped.
    assert.ok(content.text.includes(`First ${H_ESC}`) && content.text.includes(`Second ${H_ESC}`), content.text);
    assert.doesNotMatch(content.text, /<script/i);
  });

  it('badges are SVG with the component\'s state, and its uptime over a window', async () => {
    const titles = (texts) => parseXml(texts).map((svg) => {
      assert.equal(svg.tag, `${SVG}svg`);
      return kid(svg, `${SVG}title`).text;
    });
    const states = [];
    for (const c of page.components)
      states.push(assertPublic(await pub(`/status/${page.slug}/badge/${c.id}.svg`), 'image/svg+xml'));

    // Uptime: a monitor two days old with 2.4 h of downtime yesterday.
    const m = await monitor('uptime');
    const now = Date.now();
    srv.sqlWrite(`UPDATE monitors SET created_at = ${now - 2 * DAY} WHERE id = '${m.id}';
      INSERT INTO outages (id, monitor_id, started_at, ended_at) VALUES ('out_uptimebadge00000001', '${m.id}', ${now - 12 * HOUR}, ${now - 12 * HOUR + 2.4 * HOUR});`);
    const p = await mkPage({ components: [{ monitorId: m.id, displayName: 'Edge' }] });
    const c = p.components[0];
    const ups = [];
    for (const q of ['?window=24h', '?window=7d', '', '?window=90d'])
      ups.push(assertPublic(await pub(`/status/${p.slug}/badge/${c.id}/uptime.svg${q}`), 'image/svg+xml'));
    const fresh = await mkPage({ components: [{ monitorId: (await monitor('new')).id, displayName: 'New' }] });
    ups.push(assertPublic(await pub(`/status/${fresh.slug}/badge/${fresh.components[0].id}/uptime.svg`), 'image/svg+xml'));
    assert.deepEqual(titles([...states, ...ups]), [
      `Up ${H}: degraded`, 'Down service: major outage', 'Pending service: no data',
      'Edge 24h: 90.00%', 'Edge 7d: 95.00%', 'Edge 30d: 95.00%', 'Edge 90d: 95.00%', 'New 30d: no data',
    ]);
    // Negative: a bad window, an unknown parameter, another page's
    // component, a missing one, another suffix.
    for (const q of ['?window=1y', '?window=', '?w=7d', '?window=7d&window=7d'])
      assertProblem(await pub(`/status/${p.slug}/badge/${c.id}/uptime.svg${q}`), 400, 'bad_query');
    assertProblem(await pub(`/status/${page.slug}/badge/${c.id}.svg`), 404, 'not_found');
    assertProblem(await pub(`/status/${p.slug}/badge/cmp_${'A'.repeat(20)}.svg`), 404, 'not_found');
    assertProblem(await pub(`/status/${p.slug}/badge/${c.id}.png`), 404, 'not_found');
  });

  it('the response time badge: the mean response time of the window\'s checks, from the rollups', async () => {
    const title = (text) => kid(parseXml(text), `${SVG}title`).text;
    const m = await monitor('latency');
    const now = Date.now();
    const hour = (t) => Math.floor(t / HOUR) * HOUR;
    // 4 samples of 100 ms on average 2 h ago, 2 of 500 ms 30 h ago.
    const zeros = PG ? "decode(repeat('00', 192), 'hex')" : 'zeroblob(192)';
    srv.sqlWrite(`UPDATE monitors SET created_at = ${now - 2 * DAY} WHERE id = '${m.id}';
      INSERT INTO rollups_hourly (monitor_id, bucket, total, up, samples, sum_ms, min_ms, max_ms, hist)
        VALUES ('${m.id}', ${hour(now - 2 * HOUR)}, 4, 4, 4, 400, 80, 120, ${zeros}),
               ('${m.id}', ${hour(now - 30 * HOUR)}, 2, 2, 2, 1000, 400, 600, ${zeros});`);
    const p = await mkPage({ components: [{ monitorId: m.id, displayName: `Edge ${H}` }] });
    const c = p.components[0];
    const got = [];
    for (const q of ['?window=24h', '?window=7d', '', '?window=90d']) {
      const res = await pub(`/status/${p.slug}/badge/${c.id}/response-time.svg${q}`);
      const text = assertPublic(res, 'image/svg+xml');
      assert.ok(!text.includes(H), 'the name is escaped');
      assert.match(res.headers.get('content-security-policy'), /default-src 'none'/);
      got.push(title(text));
    }
    const fresh = await mkPage({ components: [{ monitorId: (await monitor('quiet')).id, displayName: 'Quiet' }] });
    got.push(title(assertPublic(await pub(`/status/${fresh.slug}/badge/${fresh.components[0].id}/response-time.svg`),
      'image/svg+xml')));
    assert.deepEqual(got, [`Edge ${H} response 24h: 100 ms`, `Edge ${H} response 7d: 233 ms`,
      `Edge ${H} response 30d: 233 ms`, `Edge ${H} response 90d: 233 ms`, 'Quiet response 30d: no data']);
    // Negative: a bad window, an unknown parameter, another page's component.
    for (const q of ['?window=1y', '?window=', '?w=7d', '?window=7d&window=7d']) {
      const res = await pub(`/status/${p.slug}/badge/${c.id}/response-time.svg${q}`);
      assertProblem(res, 400, 'bad_query');
    }
    assertProblem(await pub(`/status/${page.slug}/badge/${c.id}/response-time.svg`), 404, 'not_found');
    assertProblem(await pub(`/status/${p.slug}/badge/${c.id}/latency.svg`), 404, 'not_found');
  });

  it('a long or hostile component name is cut in the badge and stays well-formed', async () => {
    const m = await monitor('long');
    const p = await mkPage({ components: [{ monitorId: m.id, displayName: `${'W'.repeat(50)}${H}` }] });
    const res = await pub(`/status/${p.slug}/badge/${p.components[0].id}.svg`);
    const svg = parseXml(assertPublic(res, 'image/svg+xml'));
    assert.equal(kid(svg, `${SVG}title`).text, `${'W'.repeat(40)}…: no data`);
    assert.ok(Number(svg.attrib.width) > 300, `width ${svg.attrib.width} for a long label`);
  });

  it('ETag and If-None-Match: 304 with no body; a change makes a new ETag', async () => {
    // A page whose answers do not move with the clock (no open outage).
    const st = await mkPage({ components: [{ monitorId: upMon.id, displayName: 'Steady' }] });
    const si = await mkIncident(st.id, { impact: 'minor', componentIds: [st.components[0].id] });
    const c = st.components[0].id;
    for (const p of [`/status/${st.slug}`, `/status/${st.slug}/summary.json`, `/status/${st.slug}/feed.atom`,
      `/status/${st.slug}/badge/${c}.svg`, `/status/${st.slug}/badge/${c}/uptime.svg`,
      `/status/${st.slug}/badge/${c}/response-time.svg`]) {
      const a = await pub(p);
      const tag = a.headers.get('etag');
      assert.ok(tag, `${p}: no ETag`);
      const bare = tag.replace(/^W\//, '');
      for (const inm of [tag, bare, `W/${bare}`, `"nope", ${bare}`, '*']) {
        const b = await pub(p, { headers: { 'If-None-Match': inm } });
        assert.equal(b.status, 304, `${p} with If-None-Match ${inm}\n${show(b)}`);
        assert.equal(b.text, '');
        assert.equal(b.headers.get('etag'), tag);
        assert.match(b.headers.get('cache-control'), /public/);
      }
      // Negative: another tag is a full answer.
      const c = await pub(p, { headers: { 'If-None-Match': '"0123456789abcdef0123456789abcdef"' } });
      assert.equal(c.status, 200, show(c));
      assert.equal(c.headers.get('etag'), tag);
      // HEAD: same headers, no body.
      const h = await pub(p, { method: 'HEAD' });
      assert.equal(h.status, 200);
      assert.equal(h.text, '');
      assert.equal(h.headers.get('etag'), tag);
      assert.equal(Number(h.headers.get('content-length')), Buffer.byteLength(a.text));
    }
    const before = await pub(`/status/${st.slug}/feed.atom`);
    assertOk(await api('POST', `/v1/incidents/${si.id}/updates`, { key: admin, body: { message: 'News' } }), 201);
    const after = await pub(`/status/${st.slug}/feed.atom`, { headers: { 'If-None-Match': before.headers.get('etag') } });
    assert.equal(after.status, 200);
    assert.notEqual(after.headers.get('etag'), before.headers.get('etag'));
  });

  it('the ETag moves with the clock where the answers do: nothing written, the old ETag gets 200', async () => {
    // Nothing is written between the two reads, yet the answers change:
    // an open outage's downtime grows, and an uptime figure over a period
    // that grows with the clock moves once there is any downtime in it
    // (here 1 min down in a monitor's first 2 min: about 0.4 % a
    // second).  An ETag from data versions and the day alone would
    // answer these with a stale 304.
    const now = Date.now();
    const open = await monitor('open outage');
    const closed = await monitor('closed outage');
    srv.sqlWrite(`UPDATE monitors SET created_at = ${now - 2 * MIN} WHERE id IN ('${open.id}', '${closed.id}');
      INSERT INTO outages (id, monitor_id, started_at) VALUES ('out_clockopen0000000001', '${open.id}', ${now - 30e3});
      INSERT INTO outages (id, monitor_id, started_at, ended_at) VALUES ('out_clockclosed00000001', '${closed.id}', ${now - 2 * MIN}, ${now - MIN});`);
    const paths = [];
    for (const m of [open, closed]) {
      const p = await mkPage({ components: [{ monitorId: m.id, displayName: m.name }] });
      paths.push(`/status/${p.slug}`, `/status/${p.slug}/summary.json`,
        `/status/${p.slug}/badge/${p.components[0].id}/uptime.svg`);
    }
    const first = [];
    for (const p of paths) first.push(await pub(p));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (const [i, p] of paths.entries()) {
      const a = first[i];
      assert.equal(a.status, 200, show(a));
      const b = await pub(p, { headers: { 'If-None-Match': a.headers.get('etag') } });
      assert.equal(b.status, 200, `${p}: a stale 304\n${show(b)}`);
      assert.notEqual(b.headers.get('etag'), a.headers.get('etag'), p);
      const body = (r) => (p.endsWith('.json') ? JSON.stringify(r.json.data) : r.text);
      assert.notEqual(body(b), body(a), p);
    }
  });

  it('every write that changes what a page shows moves its data version in the same transaction, and no kept answer outlives one', async () => {
    // The public answers are kept by each worker with the page's data
    // version (schema/024_status_page_versions.sql) and answered again
    // until the version moves or the clock changes them.  Each write
    // below, through the API or straight in the database, must move the
    // version; the answers read after it must be what a fresh process
    // renders (plain CGI, which keeps nothing) byte for byte.  No figure
    // here moves with the clock within the test (no open outage, no
    // downtime today, monitors created days ago), so the two readings,
    // some milliseconds apart, must agree.
    const m = await monitor('versioned');
    const gone = await monitor('deleted later');
    const hb = assertOk(await api('POST', '/v1/monitors', { key: admin, body: { name: 'beat', type: 'heartbeat' } }), 201);
    srv.sqlWrite(`UPDATE monitors SET created_at = ${Date.now() - 10 * DAY} WHERE id IN ('${m.id}', '${gone.id}', '${hb.id}');`);
    const yesterday = Date.now() - Date.now() % DAY - DAY;
    const p = await mkPage({ components: [{ monitorId: m.id, displayName: 'Versioned' },
      { monitorId: gone.id }, { monitorId: hb.id }] });
    const cmp = p.components[0].id;
    const ver = () => Number(srv.sql(`SELECT data_version AS v FROM status_pages WHERE id = '${p.id}'`)[0].v);
    const urls = [`/status/${p.slug}`, `/status/${p.slug}/summary.json`, `/status/${p.slug}/feed.atom`,
      `/status/${p.slug}/badge/${cmp}.svg`];
    const read = async () => {
      for (const u of urls) {
        const a = await pub(u);
        assert.equal(a.status, 200, `${u}\n${show(a)}`);
        const b = cgi(u);
        const body = (r) => (u.endsWith('.json') ? JSON.stringify(r.json.data) : r.text);
        assert.equal(body(a), body(b), `${u}: a kept answer differs from a fresh rendering`);
        assert.equal(a.headers.get('etag'), b.headers.get('etag'), u);
      }
    };
    let inc, mw;
    const writes = [
      ['page edited', async () => assertOk(await api('PATCH', `/v1/status-pages/${p.id}`, { key: admin, body: { title: 'Edited' } }))],
      ['a check result', async () => check(m.id)],
      ['monitor paused', async () => assertOk(await api('PATCH', `/v1/monitors/${m.id}`, { key: admin, body: { paused: true } }))],
      ['monitor resumed', async () => assertOk(await api('PATCH', `/v1/monitors/${m.id}`, { key: admin, body: { paused: false } }))],
      ['a ping', async () => assert.equal((await pub(`/v1/ping/${hb.pingUrl.slice(hb.pingUrl.lastIndexOf('/') + 1)}`)).status, 200)],
      ['incident opened', async () => { inc = await mkIncident(p.id, { componentIds: [cmp], impact: 'major' }); }],
      ['incident edited', async () => assertOk(await api('PATCH', `/v1/incidents/${inc.id}`, { key: admin, body: { title: 'Renamed' } }))],
      ['incident update', async () => assertOk(await api('POST', `/v1/incidents/${inc.id}/updates`,
        { key: admin, body: { status: 'resolved', message: 'Fixed' } }), 201)],
      ['incident deleted', async () => assert.equal((await api('DELETE', `/v1/incidents/${inc.id}`, { key: admin })).status, 204)],
      ['maintenance scheduled', async () => {
        mw = assertOk(await api('POST', '/v1/maintenance-windows', { key: admin, body: {
          title: 'Upgrade', startsAt: new Date(Date.now() - MIN).toISOString(),
          endsAt: new Date(Date.now() + HOUR).toISOString(), monitorIds: [m.id], showOnStatusPage: true } }), 201);
      }],
      ['maintenance edited', async () => assertOk(await api('PATCH', `/v1/maintenance-windows/${mw.id}`, { key: admin, body: { title: 'Bigger upgrade' } }))],
      ['maintenance ended', async () => assertOk(await api('POST', `/v1/maintenance-windows/${mw.id}/end`, { key: admin }))],
      ['maintenance deleted', async () => assert.equal((await api('DELETE', `/v1/maintenance-windows/${mw.id}`, { key: admin })).status, 204)],
      ['an outage written', async () => srv.sqlWrite(`INSERT INTO outages (id, monitor_id, started_at, ended_at) VALUES ('out_versioned00000000001', '${m.id}', ${yesterday + HOUR}, ${yesterday + 2 * HOUR});`)],
      ['an outage edited', async () => srv.sqlWrite(`UPDATE outages SET ended_at = ${yesterday + 3 * HOUR} WHERE id = 'out_versioned00000000001';`)],
      ['a daily rollup', async () => srv.sqlWrite(`INSERT INTO rollups_daily (monitor_id, bucket, total, up) VALUES ('${m.id}', ${Date.now() - Date.now() % DAY - 2 * DAY}, 10, 10);`)],
      ['hourly rollups pruned', async () => srv.sqlWrite(`DELETE FROM rollups_hourly WHERE monitor_id = '${m.id}';`)],
      ['components replaced', async () => assertOk(await api('PUT', `/v1/status-pages/${p.id}/components`,
        { key: admin, body: { components: [{ id: cmp, monitorId: m.id, displayName: 'Renamed' }, { monitorId: gone.id }, { monitorId: hb.id }] } }))],
      ['a monitor on it deleted', async () => assert.equal((await api('DELETE', `/v1/monitors/${gone.id}`, { key: admin })).status, 204)],
    ];
    await read();
    for (const [what, write] of writes) {
      const before = ver();
      await write();
      assert.ok(ver() > before, `${what}: the data version did not move`);
      await read();
      await read();	// the second time from what was kept
    }
  });

  it('a private page answers 404 exactly like a page that does not exist (negative)', async () => {
    const m = await monitor('secret');
    const priv = await mkPage({ isPublic: false, customDomain: 'status.private.example.com', components: [{ monitorId: m.id }] });
    await verifyDomain(priv);
    const c = priv.components[0].id;
    const norm = (r) => ({
      status: r.status,
      type: r.headers.get('content-type'),
      cache: r.headers.get('cache-control'),
      etag: r.headers.get('etag'),
      headers: [...r.headers].map(([k]) => k).filter((k) => !['date', 'x-request-id'].includes(k)).sort(),
      body: r.json && { ...r.json, requestId: 'x' },
    });
    const ghost = 'no-such-page-here';
    for (const [a, b] of [
      [`/status/${priv.slug}`, `/status/${ghost}`],
      [`/status/${priv.slug}/summary.json`, `/status/${ghost}/summary.json`],
      [`/status/${priv.slug}/feed.atom`, `/status/${ghost}/feed.atom`],
      [`/status/${priv.slug}/badge/${c}.svg`, `/status/${ghost}/badge/${c}.svg`],
      [`/status/${priv.slug}/badge/${c}/uptime.svg`, `/status/${ghost}/badge/${c}/uptime.svg`],
      [`/status/${priv.slug}/badge/${c}/response-time.svg`, `/status/${ghost}/badge/${c}/response-time.svg`],
    ]) {
      const ra = await pub(a);
      const rb = await pub(b);
      assertProblem(ra, 404, 'not_found');
      assert.deepEqual(norm(ra), norm(rb), `${a} and ${b} differ`);
      assert.match(ra.headers.get('cache-control'), /no-store/);
    }
    const ra = await pub('/', { headers: { Host: 'status.private.example.com' } });
    const rb = await pub('/', { headers: { Host: 'status.nowhere.example.com' } });
    assertProblem(ra, 404, 'not_found');
    assert.deepEqual(norm(ra), norm(rb));
    // Made public, it answers; private again, 404 again.
    assertOk(await api('PATCH', `/v1/status-pages/${priv.id}`, { key: admin, body: { isPublic: true } }));
    assertPublic(await pub(`/status/${priv.slug}`), 'text/html');
    assertOk(await api('PATCH', `/v1/status-pages/${priv.id}`, { key: admin, body: { isPublic: false } }));
    assertProblem(await pub(`/status/${priv.slug}`), 404, 'not_found');
    // Slugs of the wrong shape are 404 too.
    for (const p of ['/status/-bad', '/status/UPPER', '/status/a', `/status/${'a'.repeat(64)}`, '/status/a.b', '/status/'])
      assert.equal((await pub(p)).status, 404, p);
  });

  it('a custom domain shows its page at / and /status through the Host header', async () => {
    const d = await verifyDomain(await mkPage({ title: 'Custom', customDomain: 'status.custom.example.com',
      components: [{ monitorId: upMon.id, displayName: 'Custom component' }] }));
    for (const [p, host] of [['/', 'status.custom.example.com'], ['/status', 'status.custom.example.com'],
      ['/', 'STATUS.Custom.Example.com:8443'], ['/', 'status.custom.example.com.']]) {
      const res = await pub(p, { headers: { Host: host } });
      const html = assertPublic(res, 'text/html');
      assert.ok(html.includes('<h1>Custom</h1>'), `${host}${p}`);
      assert.ok(html.includes('Custom component'));
      // Links lead to the slug's pages at UPTIME_PUBLIC_URL.
      assert.ok(html.includes(`href="${srv.baseUrl}/status/${d.slug}/feed.atom"`));
    }
    // The same page by slug is the same bytes.
    const bySlug = await pub(`/status/${d.slug}`);
    const byHost = await pub('/', { headers: { Host: 'status.custom.example.com' } });
    assert.equal(bySlug.text, byHost.text);
    assert.equal(bySlug.headers.get('etag'), byHost.headers.get('etag'));
    // Negative: the service's own host, an unknown one, a hostile one.
    for (const host of [`127.0.0.1:${srv.port}`, 'other.example.com', 'status.custom.example.com.evil',
      'custom.example.com']) {
      const res = await pub('/', { headers: { Host: host } });
      assertProblem(res, 404, 'not_found');
    }
    // Only GET (and HEAD) there; query parameters are refused.
    assert.equal((await pub('/', { method: 'POST', headers: { Host: 'status.custom.example.com' } })).status, 405);
    assertProblem(await pub('/?x=1', { headers: { Host: 'status.custom.example.com' } }), 400, 'bad_query');
  });

  it('the service\'s own host (UPTIME_PUBLIC_URL) cannot be a customDomain (negative)', async () => {
    const env = { UPTIME_PUBLIC_URL: 'https://Status.Acme-Own.example:8443/uptime' };
    for (const customDomain of ['status.acme-own.example', 'STATUS.acme-own.EXAMPLE']) {
      const r = await assertNoChange(srv, async () => cgi('/v1/status-pages', { method: 'POST', key: admin, env,
        body: { name: 'own', slug: slug('own'), customDomain } }));
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.code, 'validation_error');
      assert.deepEqual(r.json.errors.map((x) => x.pointer), ['/customDomain']);
    }
    // Another host under the same domain is fine (checked, not stored).
    const r = cgi('/v1/status-pages', { method: 'POST', key: admin, env,
      body: { name: 'own', slug: 'Bad Slug', customDomain: 'other.acme-own.example' } });
    assert.deepEqual(r.json.errors.map((x) => x.pointer), ['/slug']);
  });

  it('links keep a clean mount prefix, or are absolute from UPTIME_PUBLIC_URL (run as CGI)', async () => {
    // No UPTIME_PUBLIC_URL (no configuration file; the database and the
    // secret from the environment): links keep the prefix received.
    const r = cgi(`/uptime/status/${page.slug}`, { env: { UPTIME_CONFIG: '' } });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.ok(r.text.includes(`href="/uptime/status/${page.slug}/feed.atom"`), 'the prefix');
    const env = { UPTIME_PUBLIC_URL: 'https://status.example.com/uptime' };
    const a = cgi(`/other/status/${page.slug}`, { env });
    assert.equal(a.status, 200, a.text.slice(0, 300));
    assert.ok(a.text.includes(`href="https://status.example.com/uptime/status/${page.slug}/feed.atom"`), 'absolute');
    assert.ok(!a.text.includes('/other/'), 'the prefix used is not reflected');
    const s = cgi(`/uptime/status/${page.slug}/summary.json`);
    assert.equal(s.status, 200);
    assert.equal(s.json.data.page.title, `Title ${H}`);
  });

  it('negative: a mount prefix that is not clean is 404, never a public page that links elsewhere (run as CGI)', async () => {
    for (const uri of [`/up"<x>/status/${page.slug}`, `//evil.example/../status/${page.slug}`,
      `/x/./status/${page.slug}/feed.atom`, `//evil.example/status/${page.slug}/summary.json`]) {
      for (const env of [{}, { UPTIME_PUBLIC_URL: 'https://status.example.com' }]) {
        const r = cgi(uri, { env });
        assert.equal(r.status, 404, `${uri}: ${r.text.slice(0, 300)}`);
        assert.equal(r.json?.code, 'not_found');
        assert.match(r.headers.get('cache-control') ?? '', /no-store/, 'a 404 is not kept by caches');
        assert.ok(!r.text.includes('evil') && !r.text.includes('<x>'), r.text);
      }
    }
  });

  it('public routes need no key and ignore one; unknown query parameters are 400 (negative)', async () => {
    assertPublic(await pub(`/status/${page.slug}`, { headers: { Authorization: 'Bearer uptime_garbage' } }), 'text/html');
    for (const p of [`/status/${page.slug}?x=1`, `/status/${page.slug}/summary.json?callback=f`, `/status/${page.slug}/feed.atom?page=2`])
      assertProblem(await pub(p), 400, 'bad_query');
    assert.equal((await pub(`/status/${page.slug}`, { method: 'POST' })).status, 405);
    assert.equal(srv.sql("SELECT count(*) AS n FROM audit_events WHERE path LIKE '/status/%'")[0].n, 0, 'reads are not audited');
  });

  it('daily bars: colour-coded from rollups and outages, maintenance shown as such', async () => {
    // A monitor 100 days old on a 30-day page: daily rollup rows for
    // days 1..29 back except day 5; outages of 2 h on day 3 (91.7 %),
    // 10 min on day 10 (99.3 %), 50 min on day 20 (96.5 %), 23:00-01:00
    // across days 15 and 14 (95.8 % each); a maintenance window 00:00-
    // 06:00 on day 2 with an hour's outage inside it.
    const m = await monitor('history');
    const now = Date.now();
    const today = now - (now % DAY);
    const day = (d) => today - d * DAY;
    let sql = `BEGIN; UPDATE monitors SET created_at = ${today - 100 * DAY} WHERE id = '${m.id}';`;
    for (let d = 1; d < 30; d++) if (d !== 5)
      sql += `INSERT INTO rollups_daily (monitor_id, bucket, total, up) VALUES ('${m.id}', ${day(d)}, 1440, 1440);`;
    const outages = [[day(3) + HOUR, day(3) + 3 * HOUR], [day(10) + HOUR, day(10) + HOUR + 10 * MIN],
      [day(20) + 5 * HOUR, day(20) + 5 * HOUR + 50 * MIN], [day(15) + 23 * HOUR, day(14) + HOUR],
      [day(2) + HOUR, day(2) + 2 * HOUR]];
    outages.forEach(([s, e], i) => {
      sql += `INSERT INTO outages (id, monitor_id, started_at, ended_at) VALUES ('out_bars${String(i).padStart(16, '0')}', '${m.id}', ${s}, ${e});`;
    });
    srv.sqlWrite(sql + 'COMMIT;');
    assertOk(await api('POST', '/v1/maintenance-windows', { key: admin, body: {
      title: 'Database upgrade', startsAt: new Date(day(2)).toISOString(), endsAt: new Date(day(2) + 6 * HOUR).toISOString(),
      monitorIds: [m.id], showOnStatusPage: true } }), 201);
    const p = await mkPage({ historyDays: 30, components: [{ monitorId: m.id, displayName: 'History' }] });
    const t0 = Date.now();
    const html = assertPublic(await pub(`/status/${p.slug}`), 'text/html');
    const t1 = Date.now();
    const bars = barsOf(html, p.components[0].id);
    assert.equal(bars.length, 30);
    const want = Array(30).fill('up');
    const at = (d) => 29 - d;
    want[at(0)] = 'nd';        // today: no rollups yet
    want[at(5)] = 'nd';
    want[at(3)] = 'ma';
    want[at(10)] = 'mi';
    want[at(20)] = 'pa';
    want[at(15)] = 'pa';
    want[at(14)] = 'pa';
    want[at(2)] = 'mt';
    assert.deepEqual(bars.map((b) => b.cls), want);
    for (let d = 0; d < 30; d++) assert.ok(bars[at(d)].title.startsWith(`${fmtDay(day(d))}: `), bars[at(d)].title);
    assert.equal(bars[at(3)].title, `${fmtDay(day(3))}: 91.66 % uptime, 2 h 0 min down`);
    assert.equal(bars[at(10)].title, `${fmtDay(day(10))}: 99.30 % uptime, 10 min down`);
    assert.equal(bars[at(2)].title, `${fmtDay(day(2))}: maintenance (6 h 0 min), no downtime`);
    assert.equal(bars[at(5)].title, `${fmtDay(day(5))}: no data`);
    // The period's uptime: 5 h down (the hour in maintenance does not
    // count) over 29 days and today, less the 6 h of maintenance.
    const pct = (t) => 100 * (1 - (5 * HOUR) / (29 * DAY + (t - today) - 6 * HOUR));
    const shown = /(\d+(?:\.\d+)?) % uptime<\/span>/.exec(html.slice(html.indexOf(`id="${p.components[0].id}"`)))?.[1];
    assert.ok([pctText(pct(t0)), pctText(pct(t1))].includes(shown), `uptime ${shown}, want ${pctText(pct(t0))}`);
  });

  it('active and upcoming maintenance is listed with the components it affects', async () => {
    const m = await monitor('maint-target');
    const other = await monitor('maint-elsewhere');
    const p = await mkPage({ components: [{ monitorId: m.id, displayName: 'Maintained' }] });
    const now = Date.now();
    assertOk(await api('POST', '/v1/maintenance-windows', { key: admin, body: {
      title: `Now ${H}`, description: `Because ${H}`, startsAt: new Date(now - HOUR).toISOString(),
      endsAt: new Date(now + HOUR).toISOString(), monitorIds: [m.id] } }), 201);
    assertOk(await api('POST', '/v1/maintenance-windows', { key: admin, body: {
      title: 'Later', startsAt: new Date(now + DAY).toISOString(), endsAt: new Date(now + DAY + HOUR).toISOString(),
      monitorIds: [m.id] } }), 201);
    assertOk(await api('POST', '/v1/maintenance-windows', { key: admin, body: {
      title: 'Hidden', startsAt: new Date(now - HOUR).toISOString(), endsAt: new Date(now + HOUR).toISOString(),
      monitorIds: [m.id], showOnStatusPage: false } }), 201);
    assertOk(await api('POST', '/v1/maintenance-windows', { key: admin, body: {
      title: 'Elsewhere', startsAt: new Date(now - HOUR).toISOString(), endsAt: new Date(now + HOUR).toISOString(),
      monitorIds: [other.id] } }), 201);
    const html = assertPublic(await pub(`/status/${p.slug}`), 'text/html');
    assert.ok(html.includes(`Now ${H_ESC}`) && html.includes(`Because ${H_ESC}`));
    assert.ok(!html.includes(H));
    assert.ok(html.includes('Later'));
    assert.ok(!html.includes('Hidden') && !html.includes('Elsewhere'));
    assert.ok(html.indexOf('In progress') < html.indexOf('Scheduled'));
    const s = (await pub(`/status/${p.slug}/summary.json`)).json.data;
    assert.deepEqual(s.maintenance.map((x) => [x.title, x.active, x.componentIds]),
      [[`Now ${H}`, true, [p.components[0].id]], ['Later', false, [p.components[0].id]]]);
    assert.equal(s.maintenance[0].description, `Because ${H}`);
    // The component is in maintenance, and so is the page.
    assert.equal(s.components[0].state, 'maintenance');
    assert.equal(s.status.state, 'maintenance');
  });
});

describe('custom domains: served only once the team proves it holds the domain (DNS TXT)', () => {
  const verify = (id, key = admin) => api('POST', `/v1/status-pages/${id}/verify-domain`, { key });
  const served = async (host) => (await pub('/', { headers: { Host: host } })).status;

  it('a new customDomain is pending, with the TXT record to publish; a team-specific value', async () => {
    const d = await mkPage({ customDomain: 'Status.Pending.Example.com' });
    assert.equal(d.customDomainStatus, 'pending');
    sameKeys(d.customDomainVerification, ['recordName', 'recordValue', 'checkedAt', 'error']);
    assert.equal(d.customDomainVerification.recordName, '_uptime-challenge.status.pending.example.com');
    assert.match(d.customDomainVerification.recordValue, /^uptime-verify=[0-9a-f]{32}$/);
    assert.equal(d.customDomainVerification.checkedAt, null);
    assert.equal(d.customDomainVerification.error, null);
    // Stable for the team and the domain, another for another team or domain.
    const same = await mkPage({ customDomain: 'status.pending.example.com' });
    assert.equal(same.customDomainVerification.recordValue, d.customDomainVerification.recordValue);
    const theirs = await mkPage({ customDomain: 'status.pending.example.com' }, otherKey);
    assert.notEqual(theirs.customDomainVerification.recordValue, d.customDomainVerification.recordValue);
    const other = await mkPage({ customDomain: 'status2.pending.example.com' });
    assert.notEqual(other.customDomainVerification.recordValue, d.customDomainVerification.recordValue);
    // Cleared: no status, no record.
    const cleared = assertOk(await api('PATCH', `/v1/status-pages/${d.id}`, { key: admin, body: { customDomain: null } }));
    assert.equal(cleared.customDomainStatus, null);
    assert.equal(cleared.customDomainVerification, null);
  });

  it('another team\'s claimed but unverified domain does not serve its page (negative)', async () => {
    const host = 'status.victim.example.com';
    // Another team asks for the domain first, with a public page.
    const squat = await mkPage({ title: 'Squatter', customDomain: host }, otherKey);
    assert.equal(squat.customDomainStatus, 'pending');
    assert.equal(await served(host), 404);
    // The owner may still ask for it: both are pending, neither is served.
    const mine = await mkPage({ title: 'Victim', customDomain: host });
    assert.equal(mine.customDomainStatus, 'pending');
    assert.equal(await served(host), 404);
    // Only the owner can publish its record: the page served is the owner's.
    await verifyDomain(mine);
    const res = await pub('/', { headers: { Host: host } });
    assert.ok(assertPublic(res, 'text/html').includes('<h1>Victim</h1>'));
  });

  it('a missing or wrong TXT record fails with a clear 422, recorded; the page is not served (negative)', async () => {
    const host = 'status.unproved.example.com';
    const d = await mkPage({ customDomain: host });
    const { recordName, recordValue } = d.customDomainVerification;
    const theirs = await mkPage({ customDomain: host }, otherKey);
    for (const [records, detail] of [
      [undefined, new RegExp(`^No TXT record found at ${recordName.replace(/\./g, '\\.')} \\(no such domain \\(NXDOMAIN\\)\\); add one with the value ${recordValue}\\.$`)],
      [{ A: ['192.0.2.1'] }, /^No TXT record found at .* \(no TXT record\); add one with the value uptime-verify=/],
      [{ TXT: ['uptime-verify=0123456789abcdef0123456789abcdef', 'v=spf1 -all'] },
        new RegExp(`^The TXT records at ${recordName.replace(/\./g, '\\.')} \\(2\\) do not include the value ${recordValue}\\.$`)],
      // Another team's value for the same domain does not prove this team's claim.
      [{ TXT: [theirs.customDomainVerification.recordValue] }, /\(1\) do not include the value/],
    ]) {
      if (records) zone[recordName] = records; else delete zone[recordName];
      const p = assertProblem(await verify(d.id), 422, 'domain_not_verified');
      assert.match(p.detail, detail);
      const now = await getPage(d.id);
      assert.equal(now.customDomainStatus, 'failed');
      assert.equal(now.customDomainVerification.error, p.detail);
      assert.ok(near(now.customDomainVerification.checkedAt));
      assert.equal(await served(host), 404);
    }
    delete zone[recordName];
  });

  it('with the right TXT record the page is verified and served on that Host; a second team cannot verify it (409)', async () => {
    const host = 'status.proved.example.com';
    const d = await mkPage({ title: 'Proved', customDomain: host });
    const theirs = await mkPage({ title: 'Late', customDomain: host }, otherKey);
    // The right value among others at the name.
    zone[d.customDomainVerification.recordName] = { TXT: ['something else', d.customDomainVerification.recordValue] };
    const v = assertOk(await verify(d.id));
    assert.equal(v.customDomainStatus, 'verified');
    assert.equal(v.customDomainVerification.error, null);
    assert.ok(near(v.customDomainVerification.checkedAt));
    assert.deepEqual(await getPage(d.id), v);
    for (const p of ['/', '/status'])
      assert.ok(assertPublic(await pub(p, { headers: { Host: host } }), 'text/html').includes('<h1>Proved</h1>'));
    // The other team, even with its own record published, gets 409 and changes nothing.
    zone[d.customDomainVerification.recordName].TXT.push(theirs.customDomainVerification.recordValue);
    const res = await assertNoChange(srv, () => verify(theirs.id, otherKey));
    assert.equal(assertProblem(res, 409, 'conflict').field, 'customDomain');
    assert.equal((await getPage(theirs.id, otherKey)).customDomainStatus, 'pending');
    // A new page asking for it now is refused too.
    assertProblem(await api('POST', '/v1/status-pages', { key: otherKey, body: { name: 'x', slug: slug(), customDomain: host } }),
      409, 'conflict');
    // Once the first team lets the domain go, the second can verify it.
    const moved = assertOk(await api('PATCH', `/v1/status-pages/${d.id}`, { key: admin, body: { customDomain: 'status.moved.example.com' } }));
    assert.equal(moved.customDomainStatus, 'pending');
    assert.equal(await served(host), 404);
    assert.equal(assertOk(await verify(theirs.id, otherKey)).customDomainStatus, 'verified');
    assert.ok(assertPublic(await pub('/', { headers: { Host: host } }), 'text/html').includes('<h1>Late</h1>'));
  });

  it('a failed re-verification takes a verified domain off; a page without a domain, another team\'s page and a reader are refused (negative)', async () => {
    const host = 'status.lapsed.example.com';
    const d = await verifyDomain(await mkPage({ customDomain: host }));
    assert.equal(await served(host), 200);
    delete zone[d.customDomainVerification.recordName];
    assertProblem(await verify(d.id), 422, 'domain_not_verified');
    assert.equal((await getPage(d.id)).customDomainStatus, 'failed');
    assert.equal(await served(host), 404);
    const bare = await mkPage();
    assertProblem(await assertNoChange(srv, () => verify(bare.id)), 409, 'conflict');
    assertProblem(await assertNoChange(srv, () => verify(d.id, otherKey)), 404, 'not_found');
    assertForbidden(await assertNoChange(srv, () => verify(d.id, reader), { authFailure: true }), 'status-pages:write');
  });

  it('verifying is audited as status_page.domain_verified', async () => {
    const d = await verifyDomain(await mkPage({ customDomain: 'status.audited.example.com' }));
    const rows = srv.sql(`SELECT action, status FROM audit_events WHERE target_id = '${d.id}' ORDER BY at`);
    assert.deepEqual(rows.map((r) => [r.action, r.status]), [['status_page.created', 201], ['status_page.domain_verified', 200]]);
  });
});

describe('verify-domain holds a worker briefly: a short lookup and a per-team limit (docs/reliability.md "Custom-domain lookups")', () => {
  // An instance of its own: a resolver that never answers, and a limit of 2.
  let own;
  let silent;
  let ownAdmin;
  let ownOther;
  const LIMIT = 2;
  const verify = (id, key) => own.api('POST', `/v1/status-pages/${id}/verify-domain`, { key });
  const page = async (key, customDomain) => assertOk(await own.api('POST', '/v1/status-pages',
    { key, body: { name: 'Page', slug: slug('vd'), customDomain } }), 201);

  before(async () => {
    silent = dgram.createSocket('udp4');
    silent.on('message', () => { /* never answers */ });
    await new Promise((resolve) => silent.bind(0, '127.0.0.1', resolve));
    own = await startServer({
      allowPrivate: true,
      env: { UPTIME_RATE_LIMIT: '1000000', UPTIME_DOMAIN_VERIFY_LIMIT: String(LIMIT), UPTIME_DNS_SERVERS: `127.0.0.1:${silent.address().port}` },
    });
    ownAdmin = await own.createKey(await own.createTeam('Verify team'), { name: 'admin' });
    ownOther = await own.createKey(await own.createTeam('Verify other'), { name: 'other' });
  });
  after(async () => {
    await own?.stop();
    silent?.close();
  });

  it('negative: a resolver that never answers is given up on within 2 s (422), and past the team\'s lookups of the minute it is 429 verify_domain_limited at once', async () => {
    // The counts are per calendar minute: start with at least 20 s left.
    const left = MIN - (Date.now() % MIN);
    if (left < 20e3) await new Promise((resolve) => setTimeout(resolve, left + 200));
    const d = await page(ownAdmin, 'status.silent.example.com');
    for (let i = 0; i < LIMIT; i++) {
      const t0 = performance.now();
      const p = assertProblem(await verify(d.id, ownAdmin), 422, 'domain_not_verified');
      const took = performance.now() - t0;
      assert.match(p.detail, /no DNS answer within 2000 ms/, p.detail);
      assert.ok(took >= 1500 && took < 3000, `the lookup took ${Math.round(took)} ms`);
    }
    const t0 = performance.now();
    const res = await assertNoChange(own, () => verify(d.id, ownAdmin));
    const p = assertProblem(res, 429, 'verify_domain_limited');
    assert.ok(performance.now() - t0 < 1000, 'the refusal waited for a lookup');
    assert.equal(p.limit, LIMIT);
    assert.equal(p.setting, 'UPTIME_DOMAIN_VERIFY_LIMIT');
    const retry = Number(res.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After ${res.headers.get('retry-after')}`);
    // Per team: another team still looks up.
    const theirs = await page(ownOther, 'status.silent2.example.com');
    assertProblem(await verify(theirs.id, ownOther), 422, 'domain_not_verified');
  });
});

describe('limits (many rows: last, so that the snapshots above stay small)', () => {
  it('takes up to 100 components, in order; 101 are refused', async () => {
    const ids = [];
    for (let i = 0; i < 100; i++) ids.push((await monitor(`m${i}`)).id);
    const d = await mkPage({ components: ids.map((monitorId) => ({ monitorId })) });
    assert.deepEqual(d.components.map((c) => c.monitorId), ids);
    assert.deepEqual(d.components.map((c) => c.displayName), ids.map((_, i) => `m${i}`));
    const res = await assertNoChange(srv, () => api('POST', '/v1/status-pages', {
      key: admin, body: { name: 'x', slug: slug(), components: [...ids, ids[0]].map((monitorId) => ({ monitorId })) },
    }));
    assertProblem(res, 400, 'validation_error', { pointers: ['/components'] });
  });

  it('an incident holds 100 updates; one more is 409 limit_exceeded (negative)', async () => {
    const m = await monitor('limit');
    const p = await mkPage({ components: [{ monitorId: m.id }] });
    const d = await mkIncident(p.id);
    for (let i = 1; i < 100; i++) assertOk(await api('POST', `/v1/incidents/${d.id}/updates`, { key: admin, body: { message: `u${i}` } }), 201);
    assert.equal((await getInc(d.id)).updates.length, 100);
    const res = await assertNoChange(srv, () => api('POST', `/v1/incidents/${d.id}/updates`, { key: admin, body: { message: 'one more' } }));
    assertProblem(res, 409, 'limit_exceeded');
  });
});

// ---------------------------------------------------------------------------

describe('in a real browser (headless Chromium)', () => {
  let browser, page, shots;

  before(async () => {
    shots = process.env.UPTIME_SCREENSHOTS || path.join(srv.dir, 'screenshots');
    fs.mkdirSync(shots, { recursive: true });
    const ms = [];
    for (const n of ['API', 'Dashboard', 'Website', 'Database']) ms.push(await monitor(n));
    for (const m of ms) await check(m.id);
    await check(ms[1].id, '/fail');
    page = await mkPage({ title: 'Acme Cloud', description: 'Live status of the Acme Cloud platform.',
      components: [{ monitorId: ms[0].id, displayName: 'Public API', group: 'Platform' },
        { monitorId: ms[1].id, displayName: 'Dashboard', group: 'Platform' },
        { monitorId: ms[2].id, displayName: `Website ${H}` },
        { monitorId: ms[3].id, displayName: 'Database cluster', group: 'Infrastructure' }] });
    const inc = await mkIncident(page.id, { title: 'Dashboard unavailable', impact: 'major',
      message: 'The dashboard is not loading for some customers.', componentIds: [page.components[1].id] });
    assertOk(await api('POST', `/v1/incidents/${inc.id}/updates`, { key: admin,
      body: { status: 'identified', message: 'A failed deploy; rolling back now.' } }), 201);
    browser = await startBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  const names = ['Acme Cloud', 'Public API', 'Dashboard', `Website ${H}`, 'Database cluster', 'Platform', 'Infrastructure'];

  for (const [label, width, height, mobile, visibleBars] of [['phone', 390, 844, true, 30], ['desktop', 1280, 800, false, 90]]) {
    it(`loads at ${label} width (${width}x${height}) with no console errors and shows every component`, async () => {
      const tab = await browser.open(`${srv.baseUrl}/status/${page.slug}`, { width, height, mobile });
      try {
        assert.deepEqual(tab.errors, [], 'the page reported errors');
        assert.equal(await tab.eval('window.innerWidth'), width, 'the viewport meta tag works');
        assert.ok(await tab.eval('document.documentElement.scrollWidth') <= width, 'no sideways scrolling');
        const text = await tab.eval('document.body.innerText');
        for (const n of names) assert.ok(text.includes(n), `"${n}" is not on the rendered page`);
        assert.ok(text.includes('Partial outage'), 'the overall state');
        assert.ok(text.includes('A failed deploy; rolling back now.'));
        assert.equal(await tab.eval('document.title'), 'Acme Cloud status');
        // The bars that show: the last 30 days on a phone, all 90 on a desktop.
        assert.equal(await tab.eval(`[...document.querySelector('.bars').children].filter((li) => li.offsetWidth > 0).length`),
          visibleBars);
        // The style sheet applied (the CSP let it): the banner is coloured.
        assert.notEqual(await tab.eval(`getComputedStyle(document.querySelector('.banner')).backgroundColor`), 'rgba(0, 0, 0, 0)');
        const file = path.join(shots, `status-page-${label}.png`);
        const png = await tab.screenshot(file);
        assert.deepEqual(pngSize(png), { width, height });
        assert.ok(png.length > 5000, 'a screenshot with something on it');
      } finally {
        await tab.close();
      }
    });
  }

  it('the error detector sees errors on a page that has them (negative control)', async () => {
    const bad = await startHttpTarget((req, res) => {
      if (req.url === '/') {
        res.setHeader('Content-Type', 'text/html');
        return res.end('<!doctype html><title>bad</title><script>console.error("boom"); undefinedCall();</script><img src="/missing.png">');
      }
      res.statusCode = 404;
      res.end();
    });
    try {
      const tab = await browser.open(bad.url('/'), { width: 390, height: 844, mobile: true });
      await tab.close();
      assert.ok(tab.errors.some((e) => e.includes('boom')), JSON.stringify(tab.errors));
      assert.ok(tab.errors.some((e) => /undefinedCall/.test(e)), JSON.stringify(tab.errors));
      assert.ok(tab.errors.some((e) => /404/.test(e)), JSON.stringify(tab.errors));
    } finally {
      await bad.close();
    }
  });
});
