// Local targets for the monitor and checker tests: HTTP(S), TCP and DNS
// servers on 127.0.0.1 ephemeral ports, built on node:http, node:https,
// node:net and node:dgram only.  Each counts what it sees, so a test can
// tell "checked once", "never connected" and so on.
//
// Every start* function resolves with an object that has close(); call it
// in the test's cleanup (or use targetSet() and close them all at once).

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import dgram from 'node:dgram';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';

// A set of targets closed together: const t = targetSet(); t.add(await ...);
// await t.closeAll().
export function targetSet() {
  const items = [];
  return {
    add(x) { items.push(x); return x; },
    async closeAll() {
      const all = items.splice(0);
      await Promise.allSettled(all.map((x) => x.close()));
    },
  };
}

// Track sockets so close() ends kept-alive and hanging connections too.
function tracked(server) {
  const sockets = new Set();
  const stats = { connections: 0, requests: 0, paths: new Map(), log: [] };
  server.on('connection', (s) => {
    stats.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const close = () => new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  return { sockets, stats, close };
}

function countRequest(stats, req) {
  stats.requests++;
  const p = req.url;
  stats.paths.set(p, (stats.paths.get(p) || 0) + 1);
  stats.log.push({ method: req.method, url: req.url, headers: req.headers, at: Date.now() });
}

// An HTTP (or, with tls: {key, cert}, HTTPS) server.  handler(req, res) is
// the usual node handler; it may be async.  host defaults to 127.0.0.1
// ('0.0.0.0' to accept on every local address).
export async function startHttpTarget(handler, { tls, host = '127.0.0.1' } = {}) {
  const wrapped = (req, res) => {
    countRequest(t.stats, req);
    Promise.resolve(handler(req, res)).catch((e) => {
      try { res.statusCode = 599; res.end(String(e)); } catch { /* gone */ }
    });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, wrapped) : http.createServer(wrapped);
  // Connections that never finish the TLS handshake still count.
  const { stats, close } = tracked(server);
  if (tls) server.on('tlsClientError', () => {});
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address();
  const scheme = tls ? 'https' : 'http';
  const t = {
    server, port, stats, close,
    url: (p = '/') => `${scheme}://127.0.0.1:${port}${p}`,
    hits: (p) => stats.paths.get(p) || 0,
    reset() { stats.connections = 0; stats.requests = 0; stats.paths.clear(); stats.log.length = 0; },
  };
  return t;
}

// A TCP server that accepts and then closes (or, with hold, keeps) each
// connection.
export async function startTcpTarget({ hold = false, host = '127.0.0.1' } = {}) {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    if (!hold) s.end();
  });
  const { stats, close } = tracked(server);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return { server, port: server.address().port, stats, close };
}

// A port on 127.0.0.1 that nothing listens on (bound, then released; good
// enough for a test run).
export async function closedPort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// A self-signed certificate for localhost and 127.0.0.1, valid for `days`,
// written into a fresh temporary folder.  Resolves with { dir, keyFile,
// certFile, key, cert, cleanup() }.
export async function selfSignedCert({ days = 5 } = {}) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'uptime-cert-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  await new Promise((resolve, reject) => {
    execFile('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', String(days),
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', keyFile, '-out', certFile], { timeout: 30000 }, (err, _out, stderr) => {
      if (err) reject(new Error(`openssl failed: ${err.message}\n${stderr}`));
      else resolve();
    });
  });
  return {
    dir, keyFile, certFile,
    key: await fsp.readFile(keyFile),
    cert: await fsp.readFile(certFile),
    cleanup: () => fsp.rm(dir, { recursive: true, force: true }),
  };
}

// ---- DNS -------------------------------------------------------------------

export const RR = { A: 1, NS: 2, CNAME: 5, MX: 15, TXT: 16, AAAA: 28 };

function encodeName(name) {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  const bufs = parts.map((p) => {
    const b = Buffer.from(p, 'ascii');
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
  return Buffer.concat([...bufs, Buffer.from([0])]);
}

function encodeIPv6(addr) {
  // Expand "::" and return 16 bytes.
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, null];
  const h = head ? head.split(':') : [];
  const t = tail !== null && tail ? tail.split(':') : [];
  const fill = tail !== null ? Array(8 - h.length - t.length).fill('0') : [];
  const groups = [...h, ...fill, ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function rdata(type, value) {
  switch (type) {
    case 'A': return Buffer.from(value.split('.').map(Number));
    case 'AAAA': return encodeIPv6(value);
    case 'CNAME':
    case 'NS': return encodeName(value);
    case 'MX': {
      const pref = Buffer.alloc(2);
      pref.writeUInt16BE(value.preference);
      return Buffer.concat([pref, encodeName(value.exchange)]);
    }
    case 'TXT': {
      const strings = Array.isArray(value) ? value : [value];
      return Buffer.concat(strings.map((s) => {
        const b = Buffer.from(s, 'utf8');
        return Buffer.concat([Buffer.from([b.length]), b]);
      }));
    }
    default: throw new Error(`no encoder for ${type}`);
  }
}

// Parse the question of a query: { id, flags, name, qtype, qclass, end }
// (end: offset after the question), or null when it is not one.
function parseQuestion(msg) {
  if (msg.length < 12) return null;
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  const qd = msg.readUInt16BE(4);
  if (qd !== 1 || flags & 0x8000) return null;
  let off = 12;
  const labels = [];
  for (;;) {
    if (off >= msg.length) return null;
    const len = msg[off++];
    if (len === 0) break;
    if (len & 0xc0 || off + len > msg.length) return null;
    labels.push(msg.subarray(off, off + len).toString('ascii'));
    off += len;
  }
  if (off + 4 > msg.length) return null;
  return { id, flags, name: labels.join('.').toLowerCase(), qtype: msg.readUInt16BE(off), qclass: msg.readUInt16BE(off + 2), end: off + 4 };
}

// A minimal authoritative DNS server over UDP.  zone maps lower-case names
// to { A: [...], AAAA: [...], MX: [{preference, exchange}], TXT: [[strings]
// or string], CNAME: [...], NS: [...] }.  A name in the zone without
// records of the type asked answers NOERROR with no answer (NODATA); a
// name not in the zone answers NXDOMAIN.  queries records what was asked.
export async function startDnsServer(zone) {
  const sock = dgram.createSocket('udp4');
  const queries = [];
  sock.on('message', (msg, rinfo) => {
    const q = parseQuestion(msg);
    if (!q) return;
    const typeName = Object.keys(RR).find((k) => RR[k] === q.qtype) ?? String(q.qtype);
    queries.push({ name: q.name, type: typeName });
    const entry = zone[q.name];
    const records = entry && q.qclass === 1 ? (entry[typeName] || []) : [];
    const rcode = entry ? 0 : 3;
    const header = Buffer.alloc(12);
    header.writeUInt16BE(q.id, 0);
    // QR, the query's opcode and RD, AA, RA, rcode.
    header.writeUInt16BE(0x8000 | (q.flags & 0x7900) | 0x0400 | 0x0080 | rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(records.length, 6);
    header.writeUInt16BE(0, 8);
    header.writeUInt16BE(0, 10);
    const answers = records.map((value) => {
      const data = rdata(typeName, value);
      const fixed = Buffer.alloc(12);
      fixed.writeUInt16BE(0xc00c, 0);        // the question's name
      fixed.writeUInt16BE(q.qtype, 2);
      fixed.writeUInt16BE(1, 4);             // IN
      fixed.writeUInt32BE(60, 6);            // TTL
      fixed.writeUInt16BE(data.length, 10);
      return Buffer.concat([fixed, data]);
    });
    const reply = Buffer.concat([header, msg.subarray(12, q.end), ...answers]);
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', resolve);
  });
  const { port } = sock.address();
  return {
    port,
    queries,
    servers: `127.0.0.1:${port}`,
    close: () => new Promise((resolve) => sock.close(() => resolve())),
  };
}
