// Helpers of the concurrency and crash tests: client processes
// (stress-client.mjs), cron programs running in a loop beside them, and
// the check that every acknowledged write is in the database.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRONDIR, SANITIZER_RE } from './harness.mjs';
import { startHttpTarget } from './targets.mjs';

const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stress-client.mjs');

// Children still running: ended with this process, whatever happens.
const children = new Set();
process.on('exit', () => {
  for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
});

function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

// A whole number from the environment, or def.
export function envInt(name, def) {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  if (!/^\d+$/.test(v)) throw new Error(`${name} must be a whole number, not ${JSON.stringify(v)}`);
  return Number(v);
}

// Start n client processes at once, one key each (keys[i]); resolves with
// their results (stress-client.mjs's output) once all have ended.
export async function runClients(srv, { keys, writes, hookUrl, targetUrl, crash = false, stopFile }) {
  const runs = keys.map((key, id) => new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, [CLIENT, JSON.stringify({
      baseUrl: srv.baseUrl, key, writes, id, hookUrl, targetUrl, crash, stopFile,
    })], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    // 'close', not 'exit': its output may still be unread at 'exit'.
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`client ${id} exited ${code}: ${stderr}`));
      else {
        try { resolve(JSON.parse(stdout)); } catch (e) { reject(new Error(`client ${id} printed ${stdout.slice(0, 200)}: ${e}`)); }
      }
    });
  }));
  return Promise.all(runs);
}

// The environment runCron() gives the cron programs of srv.
export function cronEnv(srv, env = {}) {
  return {
    ...srv.env,
    UPTIME_ALLOW_PRIVATE_TARGETS: srv.allowPrivate ? '1' : '0',
    UPTIME_PUBLIC_URL: srv.baseUrl,
    ...env,
  };
}

// A cron program (e.g. 'uptime-check') run with --loop in the background.
// Returns { child, output(), exited, stop() }; stop() ends it with SIGTERM
// and resolves with its exit.  A sanitizer report in its output is thrown
// by stop().
export function startLoop(srv, name, env = {}) {
  const child = track(spawn(path.join(CRONDIR, name), ['--loop'], {
    env: cronEnv(srv, env), stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const p = { child, text: '', exited: null };
  child.stdout.on('data', (d) => { p.text += d; });
  child.stderr.on('data', (d) => { p.text += d; });
  p.done = new Promise((resolve) => child.on('exit', (code, signal) => {
    p.exited = { code, signal };
    resolve(p.exited);
  }));
  p.stop = async () => {
    if (!p.exited) child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 30000);
    const r = await p.done;
    clearTimeout(t);
    if (SANITIZER_RE.test(p.text)) throw new Error(`sanitizer report from ${name}:\n${p.text}`);
    return r;
  };
  return p;
}

const TABLES = {
  monitors: ['monitors', 'name'],
  windows: ['maintenance_windows', 'title'],
  channels: ['channels', 'name'],
  incidents: ['incidents', 'title'],
  keys: ['api_keys', 'name'],
};

// Problems with the clients' acknowledged writes against the database
// ([] when every one is there as acknowledged).
export function ackProblems(srv, results) {
  const problems = [];
  const say = (s) => { if (problems.length < 30) problems.push(s); };
  const db = {};
  const byName = {};
  for (const [k, [table, col]] of Object.entries(TABLES)) {
    db[k] = new Map(srv.sql(`SELECT id, ${col} AS name FROM ${table}`).map((r) => [r.id, r.name]));
    byName[k] = new Set(db[k].values());
  }
  for (const r of results) {
    for (const k of Object.keys(TABLES)) {
      for (const [id, name] of Object.entries(r[k])) {
        if (!db[k].has(id)) say(`client ${r.id}: acknowledged ${k} ${id} (${name}) is missing`);
        else if (db[k].get(id) !== name) say(`client ${r.id}: ${k} ${id} is named ${db[k].get(id)}, acknowledged ${name}`);
      }
    }
    for (const id of r.deleted) {
      if (db.monitors.has(id)) say(`client ${r.id}: deleted monitor ${id} is still there`);
    }
    for (const [id, names] of Object.entries(r.monitorMaybe)) {
      if (!db.monitors.has(id)) {
        if (!r.maybeDeleted.includes(id)) say(`client ${r.id}: monitor ${id} vanished`);
      } else if (!names.includes(db.monitors.get(id))) {
        say(`client ${r.id}: monitor ${id} is named ${db.monitors.get(id)}, not one of ${names}`);
      }
    }
    for (const [k, name] of r.refusedNames) {
      if (byName[k].has(name)) say(`client ${r.id}: refused (503) ${k} ${name} was written anyway`);
    }
  }
  return problems;
}

// Problems with the acknowledged test notifications against what the
// receiver took (deliveries: notification id -> count): each delivered,
// and more than once only up to maxDuplicates in all.  Resolves with
// { problems, duplicates, delivered }.
export function noteProblems(results, deliveries, { maxDuplicates = 0 } = {}) {
  const problems = [];
  let duplicates = 0;
  let delivered = 0;
  for (const r of results) {
    for (const id of Object.keys(r.notes)) {
      const n = deliveries.get(id) ?? 0;
      if (n === 0 && problems.length < 30) problems.push(`client ${r.id}: test notification ${id} was never delivered`);
      if (n > 0) delivered++;
      if (n > 1) duplicates += n - 1;
    }
  }
  if (duplicates > maxDuplicates) problems.push(`${duplicates} duplicate deliveries (at most ${maxDuplicates} allowed)`);
  return { problems, duplicates, delivered };
}

// The clients' figures added up.
export function totals(results) {
  const t = { writes: 0, refused: 0, locked: 0, unknown: 0, statuses: {}, bad: [], acked: 0 };
  for (const r of results) {
    t.writes += r.writes;
    t.refused += r.refused;
    t.locked += r.locked;
    t.unknown += r.unknown;
    t.bad.push(...r.bad);
    for (const [s, n] of Object.entries(r.statuses)) t.statuses[s] = (t.statuses[s] || 0) + n;
  }
  for (const [s, n] of Object.entries(t.statuses)) if (/^2\d\d$/.test(s)) t.acked += n;
  return t;
}

// The FastCGI workers lighttpd started: its children running a .fcgi,
// sorted.
export function fcgiWorkers(srv) {
  const pids = [];
  for (const ent of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${ent}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== srv.pid) continue;
      if (fs.readFileSync(`/proc/${ent}/cmdline`, 'utf8').includes('.fcgi')) pids.push(Number(ent));
    } catch { /* gone */ }
  }
  return pids.sort((a, b) => a - b);
}

// A webhook receiver that counts the deliveries of each notification
// (by the payload's id) into the map deliveries.
export function startReceiver(deliveries) {
  return startHttpTarget(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    try {
      const id = JSON.parse(Buffer.concat(chunks).toString('utf8')).id;
      deliveries.set(id, (deliveries.get(id) || 0) + 1);
    } catch { /* not a notification */ }
    res.end('{"ok":true}');
  });
}
