// One client process of the concurrency and crash tests: a loop of writes
// across several families (monitors create, patch and delete; maintenance
// windows; alert channels and their test notifications; status page
// incidents; API keys), each through
// its own HTTP connection pool, that remembers what the server
// acknowledged so that the parent can check the database afterwards.
//
// Run as `node stress-client.mjs '<json>'` with
//   { baseUrl, key, writes, id, hookUrl, targetUrl, crash, stopFile }
// stopFile: keep writing until that file exists (writes is ignored).
// crash: true in the crash test, where a worker may die under a request;
// then an answer that is neither 2xx, 4xx nor the service's own 503 (with
// Retry-After) leaves the outcome of that write unknown, and the parent
// accepts either outcome.  Without crash such an answer is a failure.
//
// Prints one JSON object on stdout at the end (see `out` below).

import fs from 'node:fs';

const cfg = JSON.parse(process.argv[2]);
const { baseUrl, key, id, hookUrl, targetUrl, crash, stopFile } = cfg;
// With stopFile: write until that file exists.
const writes = stopFile ? Infinity : cfg.writes;

const out = {
  id,
  writes: 0,
  statuses: {},           // status (or 'fetch_error') -> count
  refused: 0,             // 503 with Retry-After
  locked: 0,              // answers that mention a locked database
  bad: [],                // answers the test must fail on (first 20)
  // What the server acknowledged, per table: id -> name (or title).
  monitors: {},           // live monitors and their last acknowledged name
  monitorMaybe: {},       // id -> names it may also hold (unknown patches)
  maybeDeleted: [],       // monitors an unknown DELETE may have removed
  deleted: [],            // acknowledged deletes
  windows: {},
  channels: {},
  incidents: {},
  keys: {},
  notes: {},              // acknowledged test notifications: id -> channel
  page: null,
  refusedNames: [],       // [table, name] of refused creates: must be absent
  unknown: 0,             // writes of unknown outcome (crash test)
};

function note(status) {
  out.statuses[status] = (out.statuses[status] || 0) + 1;
}

function problem(what) {
  if (out.bad.length < 20) out.bad.push(what);
}

// One request; { kind: 'ok' | 'refused' | 'unknown' | 'rejected', json }.
async function call(method, path, body) {
  let res, text;
  try {
    res = await fetch(baseUrl + path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    text = await res.text();
  } catch (e) {
    note('fetch_error');
    if (!crash) problem(`${method} ${path}: ${e.message}`);
    return { kind: 'unknown' };
  }
  note(res.status);
  if (/locked/i.test(text)) {
    out.locked++;
    problem(`${method} ${path}: ${res.status} mentions a lock: ${text.slice(0, 200)}`);
  }
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  if (res.status >= 200 && res.status < 300) return { kind: 'ok', json };
  if (res.status === 503 && res.headers.get('retry-after') && json?.type) {
    out.refused++;
    return { kind: 'refused' };
  }
  if (res.status >= 400 && res.status < 500 && res.status !== 408) {
    problem(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return { kind: 'rejected' };
  }
  if (!crash) problem(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return { kind: 'unknown' };
}

const DAY = 86400e3;
const iso = (ms) => new Date(ms).toISOString();
let seq = 0;
const fresh = (what) => `c${id}-${what}-${++seq}`;

// A create: remembers the id on success, the name on a refusal.
async function create(table, path, name, body) {
  const r = await call('POST', path, body);
  if (r.kind === 'ok') out[table][r.json.data.id] = name;
  else if (r.kind === 'refused') out.refusedNames.push([table, name]);
  else if (r.kind === 'unknown') out.unknown++;
  return r;
}

const live = () => Object.keys(out.monitors);
const pick = (list) => list[Math.floor(Math.random() * list.length)];

const ops = {
  async monitorCreate() {
    const name = fresh('mon');
    await create('monitors', '/v1/monitors', name,
      { name, url: `${targetUrl}/c${id}`, paused: true, timeoutSeconds: 5 });
  },
  async monitorPatch() {
    if (live().length === 0) return ops.monitorCreate();
    const m = pick(live());
    const name = fresh('ren');
    const r = await call('PATCH', `/v1/monitors/${m}`, { name });
    if (r.kind === 'ok') out.monitors[m] = name;
    else if (r.kind === 'unknown') {
      // It may hold either name: leave it alone from now on.
      out.unknown++;
      out.monitorMaybe[m] = [out.monitors[m], name];
      delete out.monitors[m];
    }
  },
  async monitorDelete() {
    if (live().length < 3) return ops.monitorCreate();
    const m = pick(live());
    const r = await call('DELETE', `/v1/monitors/${m}`);
    if (r.kind === 'ok') {
      out.deleted.push(m);
      delete out.monitors[m];
    } else if (r.kind === 'unknown') {
      out.unknown++;
      out.maybeDeleted.push(m);
      out.monitorMaybe[m] = [out.monitors[m]];
      delete out.monitors[m];
    }
  },
  async windowCreate() {
    const name = fresh('mw');
    const t = Date.now() + DAY;
    await create('windows', '/v1/maintenance-windows', name,
      { title: name, startsAt: iso(t), endsAt: iso(t + 3600e3) });
  },
  async channelCreate() {
    const name = fresh('ch');
    await create('channels', '/v1/alert-channels', name,
      { name, type: 'webhook', config: { url: hookUrl } });
  },
  async channelTest() {
    const chs = Object.keys(out.channels);
    if (chs.length === 0) return ops.channelCreate();
    const ch = pick(chs);
    const r = await call('POST', `/v1/alert-channels/${ch}/test`);
    if (r.kind === 'ok') out.notes[r.json.data.id] = ch;
    else if (r.kind === 'unknown') out.unknown++;
  },
  async incidentCreate() {
    if (out.page === null) return ops.monitorCreate();
    const name = fresh('inc');
    await create('incidents', `/v1/status-pages/${out.page}/incidents`, name,
      { title: name, message: 'Looking into it' });
  },
  async keyCreate() {
    const name = fresh('key');
    await create('keys', '/v1/api-keys', name, { name, scopes: ['monitors:read'] });
  },
};

const cycle = ['monitorCreate', 'monitorPatch', 'windowCreate', 'channelCreate',
  'monitorPatch', 'incidentCreate', 'keyCreate', 'channelTest', 'monitorDelete'];

// The status page the incidents go on: retried until made (a write too).
for (let tries = 0; out.page === null && tries < 50; tries++) {
  const r = await call('POST', '/v1/status-pages', { name: `Page ${id}`, slug: `stress-${id}-${process.pid}-${tries}` });
  out.writes++;
  if (r.kind === 'ok') out.page = r.json.data.id;
}
for (let i = out.writes; i < writes && !(stopFile && fs.existsSync(stopFile)); i++) {
  await ops[cycle[(i + id) % cycle.length]]();
  out.writes++;
}
process.stdout.write(JSON.stringify(out));
