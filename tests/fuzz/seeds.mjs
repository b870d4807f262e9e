// Write the fuzz corpus seeds that come from the HTTP tests: every bad
// (and good) body, header, query, path, URL, cron expression, time zone
// and recurrence rule that tests/http/*.test.mjs sends, each as a seed
// file of the fuzz target that parses it.  The seeds are committed; run
// this again after adding HTTP tests:
//
//   node tests/fuzz/seeds.mjs
//
// It reads the test files as text: string literals (template literals
// with ${...} filled in with a plausible id), and object literals that
// evaluate on their own (no variables), which is how the tests write
// their bodies.  Literals are picked by what the lines around them talk
// about (schedule, authorization, perPage, url, recurrence ...), so a
// few seeds are not bad inputs at all: harmless for a corpus.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const httpDir = join(here, '..', 'http');
const corpus = join(here, 'corpus');

// The world's key (tests/fuzz/fuzz.h): "uptime_" + FUZZ_KEYRAND + CRC32
// checksum in 6 base62 characters.
const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function crc32(s) {
  let c = ~0;
  for (const b of Buffer.from(s)) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
const RAND = 'fuzzFUZZfuzzFUZZfuzzFUZZfuzzFUZZ';
let crc = crc32(RAND);
let sum = '';
for (let i = 0; i < 6; i++) { sum = B62[crc % 62] + sum; crc = Math.floor(crc / 62); }
export const KEY = `uptime_${RAND}${sum}`;
const MON = 'mon_AAAAAAAAAAAAAAAAAAAA';

const seeds = new Map();   // target -> Map(name -> Buffer)
function seed(target, bytes, any = false) {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  if (b.length > 66000 && !any) return;	// past make fuzz's -max_len
  if (!seeds.has(target)) seeds.set(target, new Map());
  seeds.get(target).set('t-' + createHash('sha1').update(b).digest('hex').slice(0, 16), b);
}
const sel = (n, rest) => Buffer.concat([Buffer.from([n]), Buffer.from(rest)]);

// String literals of a line: '...', "...", `...` (one line only).
function literals(line) {
  const out = [];
  const re = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g;
  for (const m of line.matchAll(re)) {
    let s = m[1] ?? m[2] ?? m[3];
    s = s.replace(/\$\{[^}]*\}/g, MON);
    try { s = JSON.parse('"' + s.replace(/\\'/g, "'").replace(/\\`/g, '`').replace(/"/g, '\\"') + '"'); } catch { /* as is */ }
    out.push(s);
  }
  return out;
}

// Object literals that evaluate without free variables.
function objects(text) {
  const out = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '{') continue;
    let depth = 0, j = i, q = null;
    for (; j < text.length && j - i < 20000; j++) {
      const c = text[j];
      if (q) { if (c === '\\') j++; else if (c === q) q = null; continue; }
      if (c === '\'' || c === '"' || c === '`') q = c;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') { if (--depth === 0) break; }
    }
    if (depth !== 0) continue;
    const src = text.slice(i, j + 1);
    if (/=>|\bfunction\b|\$\{|\bawait\b/.test(src)) continue;
    try {
      const v = new Function(`"use strict"; return (${src});`)();
      if (v && typeof v === 'object') out.push(v);
    } catch { /* not self-contained */ }
  }
  return out;
}

const KEYS = {
  0: ['name', 'type', 'url', 'method', 'intervalSeconds', 'timeoutSeconds', 'expectedStatus', 'headers',
    'body', 'keyword', 'host', 'port', 'confirmations', 'paused', 'tags', 'schedule', 'timezone',
    'gracePeriodSeconds', 'followRedirects', 'verifyTls', 'regions'],
  2: ['config', 'monitorIds', 'events', 'enabled', 'channelIds'],
  4: ['title', 'startsAt', 'endsAt', 'recurrence', 'suppressAlerts', 'showOnStatusPage', 'pauseChecks',
    'description'],
  6: ['slug', 'isPublic', 'historyDays', 'customDomain', 'components'],
  9: ['impact', 'message', 'componentIds', 'startedAt', 'status'],
  12: ['scopes', 'expiresAt'],
  14: ['role'],
  15: ['email', 'role', 'expiresAt'],
  16: ['token'],
};
function bodySeeds(text) {
  seed('fuzz_body', sel(0, text));
  let keys = [];
  try { const o = JSON.parse(text); if (o && typeof o === 'object') keys = Object.keys(o); } catch { /* raw */ }
  let any = false;
  for (const [s, ks] of Object.entries(KEYS)) {
    if (!keys.some(k => ks.includes(k))) continue;
    any = true;
    const n = Number(s);
    // create and patch (and the neighbours) of that family
    for (const d of [0, 1]) seed('fuzz_body', sel(n + d, text));
  }
  if (!any) for (const n of [1, 12]) seed('fuzz_body', sel(n, text));
}

function cgi(method, uri, { body = '', auth = `Bearer ${KEY}`, extra = '' } = {}) {
  const len = Buffer.byteLength(body);
  return `REQUEST_METHOD=${method}\nREQUEST_URI=${uri}\n` +
    (auth ? `HTTP_AUTHORIZATION=${auth}\n` : '') +
    (body ? `CONTENT_TYPE=application/json\nCONTENT_LENGTH=${len}\n` : '') +
    `REMOTE_ADDR=127.0.0.1\n${extra}\n${body}`;
}

const files = readdirSync(httpDir).filter(f => f.endsWith('.test.mjs')).sort();
for (const f of files) {
  const text = readFileSync(join(httpDir, f), 'utf8');
  const lines = text.split('\n');
  const near = (i, re) => lines.slice(Math.max(0, i - 3), i + 4).some(l => re.test(l));
  lines.forEach((line, i) => {
    for (const s of literals(line)) {
      if (s.length > 5000) continue;
      if (/^\/(v1|status|uptime)(\/|\?|$)/.test(s)) {
        for (const m of [0, 2]) seed('fuzz_router', sel(m, s));
        const q = s.indexOf('?');
        if (q >= 0) for (const a of [0, 6]) seed('fuzz_query', sel(a, s.slice(q + 1)));
        for (const m of ['GET', 'POST']) {
          const path = s.replace(/^\/v1\/[a-z-]+/, '/v1/things');
          seed('fuzz_cgi', cgi(m, path));
        }
      }
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || near(i, /\burl\b|Url|URL|target/)) {
        if (s.length > 0 && s.length < 3000 && !s.startsWith('/v1')) seed('fuzz_target', s);
      }
      if (near(i, /schedule|cron/i) && s.length < 200) {
        for (const z of [0, 9]) seed('fuzz_cronexpr', sel(z, s));
      }
      if (near(i, /timezone/i) && s.length < 200) seed('fuzz_cronexpr', sel(1, s));
      if (near(i, /authorization|bearer|basic/i) && s.length < 500) {
        for (const sc of [0, 13]) seed('fuzz_auth', sel(sc, s));
      }
      if (near(i, /perPage|cursor|query|[?&]\w+=/) && s.length < 500 && !s.startsWith('/')) {
        seed('fuzz_query', sel(3, `perPage=${encodeURIComponent(s)}`));
        seed('fuzz_query', sel(3, `cursor=${encodeURIComponent(s)}`));
        seed('fuzz_query', sel(1, `from=${encodeURIComponent(s)}`));
      }
      if (/^\s*[{[]/.test(s)) {
        bodySeeds(s);
        seed('fuzz_cgi', cgi('POST', '/v1/things', { body: s }));
      }
    }
  });
  for (const o of objects(text)) {
    const j = JSON.stringify(o);
    if (j === '{}' || j.length > 1100000) continue;
    bodySeeds(j);
    if ('frequency' in o || 'recurrence' in o) {
      const r = JSON.stringify('recurrence' in o ? o.recurrence ?? null : o);
      for (const z of [0, 1, 9, 10, 17, 26]) seed('fuzz_recurrence', sel(z, r));
    }
    if (j.length < 20000) seed('fuzz_cgi', cgi('PATCH', `/v1/things/${MON}`, { body: j }));
  }
}

// What the HTTP tests cannot write as a literal: the world's key, lying
// and odd Content-Lengths, chunked bodies, mount prefixes, request ids.
const big = '[' .repeat(2000);
const hand = {
  fuzz_auth: [sel(0, `Bearer ${KEY}`), sel(5, `bearer   ${KEY}`), sel(1, `Bearer ${KEY.slice(0, -1)}x`),
    sel(0, `Bearer ${KEY} `), sel(0, 'Bearer '), sel(0, ''), sel(0, `Basic ${KEY}`)],
  fuzz_cgi: [
    cgi('GET', '/v1/things?perPage=2&status=x'),
    cgi('GET', '/uptime/v1/things?cursor=MS4xNzcyMzY2NDAwMDAwLm1vbl9B'),
    cgi('POST', '/v1/things', { body: '{"name":"a","url":"https://a.example"}' }),
    cgi('POST', '/v1/things', { body: '{"name":"a"}', extra: 'HTTP_IDEMPOTENCY_KEY=k1\n' }),
    'REQUEST_METHOD=POST\nREQUEST_URI=/v1/things\nHTTP_AUTHORIZATION=Bearer ' + KEY +
      '\nCONTENT_TYPE=application/json\nCONTENT_LENGTH=5\n\n{"name":"abc"}',
    'REQUEST_METHOD=POST\nREQUEST_URI=/v1/things\nHTTP_AUTHORIZATION=Bearer ' + KEY +
      '\nCONTENT_TYPE=application/json\nCONTENT_LENGTH=500\n\n{"name":"abc"}',
    'REQUEST_METHOD=POST\nREQUEST_URI=/v1/things\nHTTP_AUTHORIZATION=Bearer ' + KEY +
      '\nCONTENT_TYPE=application/json\nCONTENT_LENGTH=-1\n\n{}',
    'REQUEST_METHOD=POST\nREQUEST_URI=/v1/things\nHTTP_AUTHORIZATION=Bearer ' + KEY +
      '\nCONTENT_TYPE=application/json\nCONTENT_LENGTH=99999999999999999999\n\n{}',
    'REQUEST_METHOD=POST\nREQUEST_URI=/v1/things\nHTTP_AUTHORIZATION=Bearer ' + KEY +
      '\nCONTENT_TYPE=application/json\nHTTP_TRANSFER_ENCODING=chunked\n\n{"name":"x"}',
    cgi('POST', '/v1/things', { body: big }),
    cgi('DELETE', `/v1/things/${MON}`, { body: '{"a":1}' }),
    cgi('PUT', `/v1/things/${MON}/fail`, { body: '{}' }),
    cgi('POST', `/v1/things/${MON}/pause`),
    cgi('OPTIONS', '/v1/things', { auth: '', extra: 'HTTP_ORIGIN=https://a.example\n' }),
    cgi('POST', '/v1/ping/abc-DEF_1', { auth: '', body: 'hello' }),
    cgi('GET', '/status/fuzz?perPage=3', { auth: '' }),
    cgi('GET', '/v1/things', { extra: 'HTTP_X_REQUEST_ID=abc-123.x:y\n' }),
    cgi('GET', '/v1/things', { auth: 'Bearer nope' }),
    cgi('GET', '/v1/things?' + 'a=1&'.repeat(40)),
    cgi('GET', '/v1/things?perPage=100000'),
  ],
  fuzz_cronexpr: [sel(0, '*/5 * * * *'), sel(1, '0 0 29 2 *'), sel(2, '30 2 * * 0'), sel(3, '0 0 31 * MON-FRI'),
    sel(4, 'Europe/Berlin'), sel(5, '../../etc/passwd'), sel(6, '59 23 31 12 *'), sel(7, '0 12 1-7 * 1')],
  fuzz_recurrence: [sel(0, 'null'), sel(9, '{"frequency":"monthly"}'),
    sel(17, '{"frequency":"weekly","interval":2,"byWeekday":["SU","MO"]}'),
    sel(26, '{"frequency":"daily","until":"2027-01-01T00:00:00Z"}'), sel(1, '{"frequency":"daily","interval":365}')],
  fuzz_query: [sel(0, 'perPage=100000'), sel(0, 'a=1&'.repeat(1000)), sel(3, 'cursor=MS4xNzcyMzY2NDAwMDAwLm1vbl9B'),
    sel(3, 'perPage=%35&cursor='), sel(1, 'from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00%2B01:00')],
  fuzz_router: [sel(0, '/v1/monitors'), sel(0, `/uptime/v1/monitors/${MON}/results?x`), sel(6, '/v1/monitors'),
    sel(0, '/status/fuzz/badge.svg'), sel(2, '/v1/ping/' + 'a'.repeat(70)), sel(0, '/' + 'v1/'.repeat(600))],
  fuzz_target: ['https://shop.example.com/health', 'http://127.0.0.1/', 'http://[::ffff:10.0.0.1]/',
    'https://user:pass@example.com/', 'http://0x7f.1/', 'http://localhost./', 'ftp://example.com/',
    'https://' + 'a'.repeat(3000) + '.com/'],
  fuzz_body: [sel(0, '{"name":"x","url":"https://a.example","tags":["a","b"]}'),
    sel(0, '['.repeat(100000)), sel(4, JSON.stringify(Object.fromEntries(Array.from({ length: 10000 }, (_, i) => [`f${i}`, i])))),
    sel(0, JSON.stringify({ name: 'x'.repeat(100000) })), sel(2, '{"a":1}\u0000'), sel(5, '{"name":"\\u0000"}'),
    sel(12, '{"name":"k","scopes":["monitors:read"]}')],
};
for (const [t, list] of Object.entries(hand)) for (const s of list) seed(t, s, true);

for (const [t, m] of seeds) {
  const dir = join(corpus, t);
  mkdirSync(dir, { recursive: true });
  for (const [name, b] of m) writeFileSync(join(dir, name), b);
  console.log(`${t}: ${m.size} seeds`);
}
