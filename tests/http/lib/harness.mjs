// Black-box harness for the HTTP tests: a real web server on a loopback
// port, configured from one of the example configurations (lighttpd by
// default; see servers.mjs for the others), over the sanitizer build.
//
// Every test file calls startServer() in a before() hook and stop() in an
// after() hook, so files share nothing and may run in parallel.
//
// Environment:
//   UPTIME_BUILD   build folder, relative to the repository root or absolute
//                  (default build/san)
//   UPTIME_KEEP=1  keep the temporary folders (their path is printed)
//   UPTIME_DETECT_LEAKS=0  LeakSanitizer off (on by default)
//   LIGHTTPD       the lighttpd binary (default: lighttpd on PATH, then
//                  /usr/sbin/lighttpd)
//   UPTIME_CONF_TEMPLATE  another template than lighttpd.conf.example (for
//                  debugging only: the suite is meant to test the real one)
//   UPTIME_SERVER  the server kind: lighttpd (default), apache-fcgid,
//                  apache-cgi (plain CGI under /uptime), apache-proxy-fcgi,
//                  nginx (servers.mjs)

import { auditTrailProblem } from './audit-invariant.mjs';
import { SERVER, KIND, handOver, renderTemplate, renderFile } from './servers.mjs';
import { validateAnswer } from './openapi-validate.mjs';
import { spawn, execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BUILD = path.resolve(ROOT, process.env.UPTIME_BUILD || 'build/san');
export const ADMIN = path.join(BUILD, 'bin', 'uptime-admin');
export const BINDIR = path.join(BUILD, 'cgi-bin');
export const CRONDIR = path.join(BUILD, 'cron');
export { SERVER };
export const CONF_TEMPLATE = process.env.UPTIME_CONF_TEMPLATE
  ? path.resolve(process.env.UPTIME_CONF_TEMPLATE)
  : path.join(ROOT, KIND.template);
// The path the API is mounted under ('' or '/uptime'): every request of
// api() and raw() gets it, and Location and Link headers carry it.
export const MOUNT = KIND.mount;

// LeakSanitizer is on: a program that leaks fails its test (the FastCGI
// workers exit through main() on SIGTERM, so it runs in them too).
// UPTIME_DETECT_LEAKS=0 turns it off.  No suppression is needed (libcurl,
// c-ares, libfcgi, SQLite report nothing); should a third-party leak
// appear, add LSAN_OPTIONS=suppressions=... here and to sanEnv below,
// in a file the web servers' user can read.
const DETECT_LEAKS = process.env.UPTIME_DETECT_LEAKS === '0' ? '0' : '1';
export const SANITIZER_ENV = {
  ASAN_OPTIONS: `detect_leaks=${DETECT_LEAKS}:abort_on_error=0`,
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
};

// Every scope's name in bit order, from lib/families.def.
export { ALL_SCOPES } from './families.mjs';

export const SECRET_RE = /uptime_[0-9A-Za-z]{38}/g;
export const FULL_SECRET_RE = /^uptime_[0-9A-Za-z]{38}$/;
export const SANITIZER_RE = /AddressSanitizer|runtime error:|LeakSanitizer|UndefinedBehaviorSanitizer/;

// Every secret this process ever saw: made by uptime-admin or returned in
// an API answer.  The leak test looks for each of them on disk.
export const seenSecrets = new Set();

export function noteSecret(s) {
  if (typeof s === 'string' && FULL_SECRET_RE.test(s)) seenSecrets.add(s);
}

function noteSecretsIn(value) {
  if (typeof value === 'string') {
    for (const m of value.matchAll(SECRET_RE)) seenSecrets.add(m[0]);
  } else if (Array.isArray(value)) {
    value.forEach(noteSecretsIn);
  } else if (value && typeof value === 'object') {
    Object.values(value).forEach(noteSecretsIn);
  }
}

// ---- key format (API.md section 2) ---------------------------------------

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

// CRC-32 (IEEE 802.3), the same as zlib's crc32().
export function crc32(input) {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// The checksum of a key's random part: CRC-32 as a 6-digit base62 number,
// most significant digit first.
export function keyChecksum(random) {
  let n = crc32(random);
  let out = '';
  for (let i = 0; i < 6; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function randomBase62(n) {
  let s = '';
  for (let i = 0; i < n; i++) s += BASE62[Math.floor(Math.random() * 62)];
  return s;
}

// A well-formed key with a valid checksum that no server ever issued.
export function makeKey(random = randomBase62(32)) {
  return 'uptime_' + random + keyChecksum(random);
}

// ---- small helpers ---------------------------------------------------------

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

function run(file, args, { env, input, timeout = 30000 } = {}) {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env, timeout, maxBuffer: 64 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        let code = 0;
        if (err) code = typeof err.code === 'number' ? err.code : (err.signal ? 128 : -1);
        resolve({ code, stdout, stderr, signal: err?.signal ?? null });
      });
    if (input !== undefined) child.stdin.end(input);
  });
}

// ---- processes left behind -------------------------------------------------

const live = new Set();   // ChildProcess objects of running servers and backends

function killLive(signal) {
  for (const child of live) {
    // Each leads a process group of its own (a backend's workers with it).
    try { process.kill(-child.pid, signal); } catch { /* gone */ }
  }
}

process.on('exit', () => killLive('SIGTERM'));
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => { killLive('SIGTERM'); process.exit(128 + os.constants.signals[sig]); });
}

// Pids of processes whose environment names this instance's database or
// its configuration file: the FastCGI workers or CGI processes started
// for it.
function pidsUsing(db, configFile) {
  const needles = [Buffer.from(`UPTIME_CONFIG=${configFile}\0`)];
  // A database given to the instance (opts.db) may be other nodes' too.
  if (db) needles.push(Buffer.from(`UPTIME_DB=${db}\0`));
  const pids = [];
  for (const ent of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(ent) || Number(ent) === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${ent}/environ`);
      if (needles.some((n) => env.includes(n))) pids.push(Number(ent));
    } catch { /* gone or not ours */ }
  }
  return pids;
}

// ---- an instance: a folder with a database and a secret -------------------

// The instance's configuration file: examples/uptime.conf rendered
// (without its UPTIME_PUBLIC_URL line when publicUrl is null: links stay
// relative), then settings ({ UPTIME_RATE_LIMIT: '7' }) as more lines.
export async function writeSettings(file, { db, secret, publicUrl = null, allowPrivate, settings = {} }) {
  let text = await renderFile(ROOT, 'examples/uptime.conf', {
    DB: db, SECRET: secret, PUBLIC_URL: publicUrl ?? '', ALLOW_PRIVATE: allowPrivate ? '1' : '0',
  });
  if (publicUrl === null) text = text.replace(/^UPTIME_PUBLIC_URL=.*\n/m, '');
  await fsp.writeFile(file, text + Object.entries(settings).map(([k, v]) => `${k}=${v}\n`).join(''));
}

// ---- the engine: SQLite files, or databases in a PostgreSQL cluster ----------

// UPTIME_TEST_PG (set by `make http` for its PostgreSQL run) is the URI of
// a throwaway cluster's maintenance database; each instance then gets a
// database of its own in it, dropped by cleanup().
export const PG = process.env.UPTIME_TEST_PG || null;

// psql with no ~/.psqlrc, stopping at the first error; its stdout.
export function psqlRun(uri, args) {
  return execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', uri, ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
}

// One statement's rows, unaligned, no header.
function psql(uri, sql) {
  return psqlRun(uri, ['-At', '-c', sql]);
}

// The URI of the database name on the cluster of PG.
function pgDatabase(name) {
  const u = new URL(PG);
  u.pathname = `/${name}`;
  return u.toString();
}

// The rows of a query as objects, on either engine (db a path or a URI).
function queryRows(db, query) {
  if (!db.includes('://')) {
    return JSON.parse(execFileSync('sqlite3', ['-readonly', '-json', db, query],
      { encoding: 'utf8', maxBuffer: 256 << 20 }) || '[]');
  }
  const q = query.trim().replace(/;$/, '');
  return JSON.parse(psql(db, `SELECT coalesce(json_agg(q), '[]') FROM (${q}) q`));
}

// snapshot() on PostgreSQL: each table's rows as JSON text, sorted.  The
// rate limits' counters are left out, as SQLite's live outside the file.
function pgTableRows(db, { exclude, keepLastUsed }) {
  const drop = (row) => {
    if (!keepLastUsed) for (const k of Object.keys(row)) if (/^last_used/i.test(k)) delete row[k];
    return JSON.stringify(row);
  };
  const out = {};
  const tables = queryRows(db, "SELECT table_name AS t FROM information_schema.tables " +
    "WHERE table_schema = 'public' ORDER BY 1").map((r) => r.t).filter((t) => t !== 'rate_counters' && !exclude.includes(t));
  const lines = psql(db, tables.map((t) =>
    `SELECT coalesce(jsonb_agg(x), '[]') FROM ${sqlName(t)} x;`).join('\n')).split('\n').filter(Boolean);
  tables.forEach((t, i) => { out[t] = JSON.parse(lines[i]).map(drop).sort(); });
  return out;
}

// Make a temporary folder with a configuration file, run "uptime-admin
// init" in it.  Used alone by the CGI tests, and by startServer().  The
// environment given to uptime-admin, the cron programs and the CGI tests
// has UPTIME_CONFIG, and UPTIME_DB and UPTIME_SECRET_FILE too (other
// tests find their processes by them).
export async function createInstance(opts = {}) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'uptime-http-'));
  await fsp.mkdir(path.join(dir, 'empty'));
  // opts.db: a database to use as it is (a node joining another's
  // PostgreSQL database); opts.secret: a secret file to copy (the same
  // server secret on every node).
  let db = opts.db ?? path.join(dir, 'uptime.db');
  const ownPg = PG && !opts.db;
  if (ownPg) {
    const name = `u_${path.basename(dir).replace(/[^0-9A-Za-z]/g, '_').toLowerCase()}`;
    psql(PG, `CREATE DATABASE ${name}`);
    db = pgDatabase(name);
  }
  const onPg = db.includes('://');
  const secret = path.join(dir, 'secret');
  if (opts.secret) await fsp.copyFile(opts.secret, secret);
  const configFile = path.join(dir, 'uptime.conf');
  await writeSettings(configFile, {
    db, secret, allowPrivate: opts.allowPrivate, settings: opts.settings,
  });
  const env = {
    ...process.env,
    ...SANITIZER_ENV,
    UPTIME_CONFIG: configFile,
    UPTIME_DB: db,
    UPTIME_SECRET_FILE: secret,
    ...(opts.env || {}),
  };

  const inst = {
    dir, db, secret, env, configFile,
    // A database given (opts.db): other nodes write to it too, or it was
    // filled by a copy; the per-instance checks on it are left out.
    shared: !!opts.db,

    // Run uptime-admin with the instance's environment.
    async admin(...args) {
      const r = await run(ADMIN, args, { env });
      if (SANITIZER_RE.test(r.stderr)) {
        throw new Error(`sanitizer report from uptime-admin ${args.join(' ')}:\n${r.stderr}`);
      }
      noteSecretsIn(r.stdout);
      return r;
    },

    async createTeam(name = 'Test team') {
      const r = await inst.admin('team', 'create', name);
      if (r.code !== 0) throw new Error(`team create failed (${r.code}): ${r.stderr}`);
      const id = r.stdout.trim();
      if (!/^team_[0-9A-Za-z]{20}$/.test(id)) throw new Error(`team create printed ${JSON.stringify(r.stdout)}`);
      return id;
    },

    // Create a key with uptime-admin; returns the secret.
    async createKey(teamId, { name = 'test key', scopes = 'all', expires } = {}) {
      const list = Array.isArray(scopes) ? scopes.join(',') : scopes;
      const args = ['key', 'create', '--team', teamId, '--name', name, '--scopes', list];
      if (expires) args.push('--expires', expires instanceof Date ? rfc3339Seconds(expires) : expires);
      const r = await inst.admin(...args);
      if (r.code !== 0) throw new Error(`key create failed (${r.code}): ${r.stderr}`);
      const key = r.stdout.trim();
      if (!FULL_SECRET_RE.test(key)) throw new Error(`key create printed ${JSON.stringify(r.stdout)}`);
      noteSecret(key);
      return key;
    },

    // A per-table picture of the data, for "nothing changed" checks.
    // exclude: table names left out.  Columns named last_used* are left
    // out: they record use, at most once a minute, by design.
    snapshot({ exclude = [], keepLastUsed = false } = {}) {
      if (onPg) return pgTableRows(db, { exclude, keepLastUsed });
      const sq = (sql) => execFileSync('sqlite3', ['-readonly', '-json', db, sql], { encoding: 'utf8', maxBuffer: 256 << 20 });
      const cols = JSON.parse(sq("SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p " +
        "WHERE m.type = 'table' ORDER BY m.name, p.cid") || '[]');
      const byTable = new Map();
      for (const { t, c } of cols) {
        if (exclude.includes(t)) continue;
        if (!byTable.has(t)) byTable.set(t, []);
        if (!keepLastUsed && /^last_used/i.test(c)) continue;
        // Blobs as hex, so that the comparison is exact.
        byTable.get(t).push(`CASE typeof(${sqlName(c)}) WHEN 'blob' THEN 'blob:' || hex(${sqlName(c)}) ELSE ${sqlName(c)} END AS ${sqlName(c)}`);
      }
      const tables = [...byTable.keys()];
      // One sqlite3 run for every table: a marker row names the table whose
      // rows follow (an empty table prints nothing).
      const script = tables.map((t) => `SELECT ${sqlString(t)} AS "__table__"; ` +
        `SELECT ${byTable.get(t).join(', ') || '1'} FROM ${sqlName(t)};`).join('\n');
      const out = {};
      for (const t of tables) out[t] = [];
      let current = null;
      let acc = '';
      for (const line of (tables.length ? sq(script) : '').split('\n')) {
        if (!line) continue;
        acc += line;
        if (!/\]\s*$/.test(line)) { acc += '\n'; continue; }
        const rows = JSON.parse(acc);
        acc = '';
        if (rows.length === 1 && Object.keys(rows[0]).length === 1 && '__table__' in rows[0]) {
          current = rows[0].__table__;
          continue;
        }
        for (const row of rows) out[current].push(JSON.stringify(row));
      }
      for (const t of tables) out[t].sort();
      return out;
    },

    sql(query) {
      return queryRows(db, query);
    },

    // Write as the checker or the maintainer would (waits for the lock).
    sqlWrite(query) {
      if (onPg) psql(db, query);
      else execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, query], { encoding: 'utf8' });
    },

    async cleanup() {
      if (process.env.UPTIME_KEEP) {
        process.stderr.write(`# kept ${dir}\n`);
        return;
      }
      await fsp.rm(dir, { recursive: true, force: true });
      if (ownPg) {
        try {
          psql(PG, `DROP DATABASE IF EXISTS ${new URL(db).pathname.slice(1)} WITH (FORCE)`);
        } catch { /* the cluster goes with the run */ }
      }
    },
  };

  if (opts.init !== false) {
    const r = await inst.admin('init');
    if (r.code !== 0) {
      await fsp.rm(dir, { recursive: true, force: true });
      throw new Error(`uptime-admin init failed (${r.code}): ${r.stderr}`);
    }
  }
  return inst;
}

const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;
const sqlName = (s) => `"${s.replaceAll('"', '""')}"`;

export function rfc3339Seconds(d) {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

// ---- the server ---------------------------------------------------------------

// The server's template (CONF_TEMPLATE) with the placeholders replaced
// for a server of the current kind on port, as startServer() writes it.
export async function renderConfig({ port, dir, configFile }) {
  return renderTemplate(await fsp.readFile(CONF_TEMPLATE, 'utf8'), {
    PORT: String(port),
    BINDIR: BINDIR,
    VARDIR: dir,
    CONFIG: configFile,
  }, path.basename(CONF_TEMPLATE));
}

// opts.allowPrivate: UPTIME_ALLOW_PRIVATE_TARGETS
// opts.settings: more lines of the configuration file (e.g.
//           { UPTIME_RATE_LIMIT: '7' }), which every program reads
// opts.env: more environment for the programs (e.g. { UPTIME_MAX_KEYS: '5' }),
//           which overrides the file: lighttpd's environment, which it
//           hands on; for the other kinds the way each passes variables
//           (FcgidInitialEnv, SetEnv, the backends' environment)
export async function startServer(opts = {}) {
  for (const f of [ADMIN, path.join(BINDIR, 'api-keys.fcgi')]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: build first (make BUILD=build/san SAN=1) or set UPTIME_BUILD`);
  }
  const inst = await createInstance(opts);
  try {
    return await launch(inst, opts);
  } catch (e) {
    await inst.cleanup();
    throw e;
  }
}

// Start a process that must outlive this call, in a process group of its
// own: Apache's prefork signals its whole group when it stops.  group:
// stop the whole group, not only the leader (a backend and its workers).
function startProcess(file, args, { env, uid, gid, group = false }) {
  const child = spawn(file, args, {
    env, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    ...(uid !== undefined ? { uid, gid } : {}),
  });
  live.add(child);
  const p = { child, output: '', exited: null, group };
  child.stdout.on('data', (d) => { p.output += d; });
  child.stderr.on('data', (d) => {
    p.output += d;
    // UPTIME_TEST_STDERR: a file that gathers every server's stderr.
    if (process.env.UPTIME_TEST_STDERR) fs.appendFileSync(process.env.UPTIME_TEST_STDERR, d);
  });
  p.exitPromise = new Promise((resolve) => {
    child.on('error', (e) => { p.output += `${e}\n`; });
    child.on('exit', (code, signal) => {
      p.exited = { code, signal };
      live.delete(child);
      resolve(p.exited);
    });
  });
  return p;
}

async function stopProcess(p, wait = 10000) {
  if (p.exited) return;
  const kill = (sig) => {
    try { process.kill(p.group ? -p.child.pid : p.child.pid, sig); } catch { /* gone */ }
  };
  kill('SIGTERM');
  const t = setTimeout(() => kill('SIGKILL'), wait);
  await p.exitPromise;
  clearTimeout(t);
  // The workers of a group may outlive its leader by a moment.
  if (p.group) kill('SIGKILL');
}

async function launch(inst, opts) {
  const { dir, db, secret, configFile } = inst;
  const port = await freePort();
  // The configuration file, now with the address of this server.
  await writeSettings(configFile, {
    db, secret, publicUrl: `http://127.0.0.1:${port}${MOUNT}`, allowPrivate: opts.allowPrivate, settings: opts.settings,
  });
  const sanDir = path.join(dir, 'sanitizer');
  await fsp.mkdir(sanDir);
  const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(UPTIME_|ASAN_|UBSAN_)/.test(k)));
  const spec = await KIND.setup({
    root: ROOT, dir, db, secret, port, mount: MOUNT, allowPrivate: !!opts.allowPrivate,
    configFile,
    template: CONF_TEMPLATE,
    buildBindir: BINDIR,
    // Reports also go to files, in case the programs' stderr is not the
    // error log.
    sanEnv: {
      ASAN_OPTIONS: `${SANITIZER_ENV.ASAN_OPTIONS}:log_path=${sanDir}/asan`,
      UBSAN_OPTIONS: `${SANITIZER_ENV.UBSAN_OPTIONS}:log_path=${sanDir}/ubsan`,
    },
    extraEnv: opts.env || {},
    baseEnv,
  });
  const conf = spec.conf;
  await handOver(dir);

  let backends = [];
  let server;
  // Processes of a start before a restart: their output is still read
  // for sanitizer reports.
  const retired = [];
  const stopAll = async () => {
    if (server) await stopProcess(server);
    for (const b of backends) await stopProcess(b);
  };
  const startFailed = async (why) => {
    await stopAll();
    const log = await readIf(path.join(dir, KIND.errorLog));
    const outs = backends.map((b) => `--- ${b.name}\n${b.output}`).join('\n');
    throw new Error(`${why}:\n${server?.output ?? ''}\n${log}\n${outs}`);
  };

  const startAll = async () => {
    // The FastCGI backends first: their sockets must be there.
    for (const b of spec.backends) {
      const p = startProcess(b.file, b.args, { env: b.env, uid: b.uid, gid: b.gid, group: true });
      p.name = b.name;
      backends.push(p);
      const until = Date.now() + 15000;
      while (!fs.existsSync(b.socket)) {
        if (p.exited) await startFailed(`backend ${b.name} (${b.file} ${b.args.join(' ')}) exited at start (${JSON.stringify(p.exited)})`);
        if (Date.now() > until) await startFailed(`backend ${b.name} made no socket ${b.socket} within 15 s`);
        await sleep(20);
      }
    }

    server = startProcess(spec.file, spec.args, { env: spec.env });
    const deadline = Date.now() + 15000;
    for (;;) {
      if (server.exited) await startFailed(`${SERVER} exited at start (${JSON.stringify(server.exited)})`);
      if (await canConnect(port)) break;
      if (Date.now() > deadline) await startFailed(`${SERVER} did not listen on ${port} within 15 s`);
      await sleep(50);
    }
  };
  await startAll();

  const origin = `http://127.0.0.1:${port}`;
  const baseUrl = origin + MOUNT;
  let stopped = false;

  const srv = {
    ...inst,
    // origin: the server; baseUrl: where the API is (origin + mount).
    baseUrl,
    origin,
    mount: MOUNT,
    server: SERVER,
    port,
    conf,
    allowPrivate: !!opts.allowPrivate,
    pid: server.child.pid,
    // The logs' file names in the instance folder.
    errorLogFile: KIND.errorLog,
    accessLogFile: KIND.accessLog,
    get output() { return server?.output ?? ''; },
    // Every answer received through api(), as text (status line left out).
    transcript: [],

    // One API request.  body is sent as JSON (Content-Type
    // application/json unless headers say otherwise); rawBody is sent as
    // is (a string gets Content-Type application/json unless headers give
    // one; pass a Buffer/Uint8Array to send no Content-Type at all).
    async api(method, urlPath, { key, body, rawBody, headers = {}, ...fetchOpts } = {}) {
      const h = {};
      for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = v;
      if (key !== undefined) h.authorization = `Bearer ${key}`;
      let payload;
      if (rawBody !== undefined) {
        payload = rawBody;
        if (typeof rawBody === 'string' && !('content-type' in h)) h['content-type'] = 'application/json';
      } else if (body !== undefined) {
        payload = JSON.stringify(body);
        if (!('content-type' in h)) h['content-type'] = 'application/json';
      }
      for (const k of Object.keys(h)) if (h[k] === null) delete h[k];
      // An API path ('/v1/...') gets the mount; a path that has it
      // already (from a Location or Link header) is taken as it is.
      const mounted = MOUNT !== '' && (urlPath === MOUNT || urlPath.startsWith(`${MOUNT}/`));
      const url = /^https?:/.test(urlPath) ? urlPath : origin + (mounted ? urlPath : MOUNT + urlPath);
      const res = await fetch(url, { method, headers: h, body: payload, redirect: 'manual', ...fetchOpts });
      const text = await res.text();
      let json;
      try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
      noteSecretsIn(json);
      srv.transcript.push(`${method} ${urlPath}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}`);
      // Every answer must be what docs/openapi.yaml says (UPTIME_OPENAPI_VALIDATE=0: off).
      validateAnswer({ method, path: mounted ? urlPath.slice(MOUNT.length) : urlPath, status: res.status, headers: res.headers, text, json });
      return { status: res.status, headers: res.headers, json, text };
    },

    // Send bytes on a fresh connection; resolve with everything the server
    // sent until it closed the connection (or timeout ms passed).  A
    // request line's target starting /v1 or /status gets the mount.
    raw(data, { timeout = 10000 } = {}) {
      if (MOUNT && typeof data === 'string') data = data.replace(/^([A-Z]+ )(\/(?:v1|status)(?=[/?\s]))/gm, `$1${MOUNT}$2`);
      return new Promise((resolve, reject) => {
        const chunks = [];
        const s = net.connect({ host: '127.0.0.1', port });
        const timer = setTimeout(() => { s.destroy(); resolve(Buffer.concat(chunks).toString('latin1')); }, timeout);
        s.on('data', (d) => chunks.push(d));
        s.on('error', (e) => {
          // The server may close while we still write: keep what it said.
          if (chunks.length) { clearTimeout(timer); resolve(Buffer.concat(chunks).toString('latin1')); } else if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') { clearTimeout(timer); reject(e); }
        });
        s.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString('latin1')); });
        s.on('connect', () => { s.write(data); });
      });
    },

    // The calling key's own record (GET /v1/api-keys/current).
    async whoami(key) {
      const r = await srv.api('GET', '/v1/api-keys/current', { key });
      if (r.status !== 200) throw new Error(`/current answered ${r.status}: ${r.text}`);
      return r.json.data;
    },

    // Stop the server (and its workers) and the backends, then fail if a
    // sanitizer spoke.  With { cleanup: false } the folder stays for the
    // caller to inspect (call srv.cleanup() after).
    async stop({ cleanup = true } = {}) {
      if (stopped) return;
      stopped = true;
      await stopAll();
      const problems = [];
      // Workers the server started and did not end.  A loaded machine
      // can take a few seconds to reap them: wait up to 10 s.
      await sleep(50);
      for (let waited = 0; pidsUsing(inst.shared ? null : db, configFile).length && waited < 10000; waited += 100) await sleep(100);
      const left = pidsUsing(inst.shared ? null : db, configFile);
      if (left.length) {
        for (const pid of left) {
          problems.push(`process ${pid} (${readCmd(pid)}) still running after ${SERVER} stopped`);
          try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        }
      }
      const reports = await srv.sanitizerReports();
      if (reports) problems.push(`sanitizer reports:\n${reports}`);
      const trail = !inst.shared && auditTrailProblem(KIND.apiLog(await srv.accessLog()),
        inst.sql('SELECT count(*) AS n FROM audit_events')[0].n);
      if (trail) problems.push(trail);
      if (cleanup) await inst.cleanup();
      if (problems.length) throw new Error(problems.join('\n'));
    },

    // Stop the server and its backends as a crash or an upgrade would,
    // keeping the instance; restart() starts them again on the same port.
    async halt() {
      await stopAll();
      retired.push(server, ...backends);
      server = undefined;
      backends = [];
    },
    async restart() {
      await startAll();
      srv.pid = server.child.pid;
    },

    // Sanitizer output found so far ('' if none).
    async sanitizerReports() {
      let text = '';
      const log = await readIf(path.join(dir, KIND.errorLog));
      if (SANITIZER_RE.test(log)) text += `--- ${KIND.errorLog}\n${log}\n`;
      for (const p of [server, ...backends, ...retired].filter(Boolean)) {
        if (SANITIZER_RE.test(p.output)) text += `--- ${p.name ?? SERVER} stderr\n${p.output}\n`;
      }
      for (const f of await fsp.readdir(sanDir).catch(() => [])) {
        text += `--- ${f}\n${await readIf(path.join(sanDir, f))}\n`;
      }
      return text;
    },

    errorLog() { return readIf(path.join(dir, KIND.errorLog)); },
    accessLog() { return readIf(path.join(dir, KIND.accessLog)); },
  };
  return srv;
}

function readCmd(pid) {
  try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim(); } catch { return '?'; }
}

async function readIf(p) {
  try { return await fsp.readFile(p, 'utf8'); } catch { return ''; }
}

// Every regular file under dir, recursively.
export async function filesUnder(dir) {
  const out = [];
  for (const ent of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) out.push(...await filesUnder(p));
    else if (ent.isFile()) out.push(p);
  }
  return out;
}

// ---- cron programs ---------------------------------------------------------

// Run a cron program (build/.../cron/<name>, e.g. 'uptime-check') once with
// the instance's environment (its configuration file, which holds
// UPTIME_PUBLIC_URL and UPTIME_ALLOW_PRIVATE_TARGETS as the server has
// them, UPTIME_DB, UPTIME_SECRET_FILE, the sanitizer options and the
// startServer env), then opts.env on top.  Fails when a sanitizer
// reports.  Resolves with { code, stdout, stderr, signal, ms } (ms: wall
// time of the run).
export async function runCron(inst, name, args = [], { env = {}, timeout = 60000 } = {}) {
  const file = path.join(CRONDIR, name);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: build first (make BUILD=build/san SAN=1)`);
  const fullEnv = { ...inst.env, ...env };
  const t0 = performance.now();
  const r = await run(file, args, { env: fullEnv, timeout });
  r.ms = performance.now() - t0;
  if (SANITIZER_RE.test(r.stderr)) {
    throw new Error(`sanitizer report from ${name} ${args.join(' ')}:\n${r.stderr}`);
  }
  return r;
}
