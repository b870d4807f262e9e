// A real browser for the HTTP tests: headless Chromium (Debian's chromium
// package) driven through the DevTools protocol, with no npm package.
//
//   const b = await startBrowser();          // one Chromium, fresh profile
//   const page = await b.open(url, { width: 390, height: 844, mobile: true });
//   page.errors      // console errors, exceptions, failed loads, CSP reports
//   await page.eval('document.title')
//   await page.screenshot(file)              // PNG of the viewport
//   await page.close();
//   await b.close();                         // ends the process it started
//
// Node 20 has no WebSocket client, so a minimal one (RFC 6455: text
// frames, masking, fragments, ping, close) is written here over the HTTP
// upgrade of node:http.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function chromiumBinary() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const d of (process.env.PATH || '').split(':').concat(['/usr/bin'])) {
    const p = path.join(d || '.', 'chromium');
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* next */ }
  }
  return null;
}

// ---- WebSocket (client side) ---------------------------------------------

class WebSocketClient {
  constructor(socket, head) {
    this.socket = socket;
    this.buf = head && head.length ? Buffer.from(head) : Buffer.alloc(0);
    this.parts = [];
    this.onmessage = () => {};
    this.onclose = () => {};
    socket.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.parse(); });
    socket.on('close', () => this.onclose());
    socket.on('error', () => this.onclose());
    if (this.buf.length) setImmediate(() => this.parse());
  }

  frame(opcode, payload) {
    const mask = crypto.randomBytes(4);
    const n = payload.length;
    let header;
    if (n < 126) header = Buffer.from([0x80 | opcode, 0x80 | n]);
    else if (n < 65536) {
      header = Buffer.alloc(4);
      header[0] = 0x80 | opcode; header[1] = 0x80 | 126; header.writeUInt16BE(n, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | opcode; header[1] = 0x80 | 127; header.writeBigUInt64BE(BigInt(n), 2);
    }
    const body = Buffer.alloc(n);
    for (let i = 0; i < n; i++) body[i] = payload[i] ^ mask[i & 3];
    this.socket.write(Buffer.concat([header, mask, body]));
  }

  send(text) { this.frame(0x1, Buffer.from(text, 'utf8')); }

  parse() {
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0];
      const b1 = this.buf[1];
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2); off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2)); off = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const maskKey = masked ? this.buf.subarray(off, off + 4) : null;
      if (masked) off += 4;
      if (this.buf.length < off + len) return;
      let payload = this.buf.subarray(off, off + len);
      if (masked) payload = Buffer.from(payload.map((x, i) => x ^ maskKey[i & 3]));
      this.buf = this.buf.subarray(off + len);
      const op = b0 & 0x0f;
      if (op === 0x9) { this.frame(0xa, payload); continue; }       // ping
      if (op === 0xa) continue;                                       // pong
      if (op === 0x8) { this.socket.end(); continue; }                // close
      this.parts.push(payload);
      if (b0 & 0x80) {
        const text = Buffer.concat(this.parts).toString('utf8');
        this.parts = [];
        this.onmessage(text);
      }
    }
  }

  close() {
    try { this.frame(0x8, Buffer.alloc(0)); } catch { /* gone */ }
    this.socket.destroy();
  }
}

function wsConnect(url) {
  return new Promise((resolve, reject) => {
    const key = crypto.randomBytes(16).toString('base64');
    const req = http.request(url.replace(/^ws:/, 'http:'), {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
    });
    req.on('upgrade', (res, socket, head) => {
      const want = crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      if (res.headers['sec-websocket-accept'] !== want) {
        socket.destroy();
        reject(new Error('bad Sec-WebSocket-Accept from the browser'));
        return;
      }
      resolve(new WebSocketClient(socket, head));
    });
    req.on('response', (res) => reject(new Error(`no WebSocket upgrade: HTTP ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

// ---- DevTools protocol -----------------------------------------------------

class Session {
  constructor(ws) {
    this.ws = ws;
    this.next = 1;
    this.pending = new Map();
    this.listeners = [];
    ws.onmessage = (text) => {
      const m = JSON.parse(text);
      if (m.id && this.pending.has(m.id)) {
        const { resolve, reject, method } = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error) reject(new Error(`${method}: ${m.error.message}`));
        else resolve(m.result);
      } else if (m.method) {
        for (const l of this.listeners) l(m.method, m.params);
      }
    };
    ws.onclose = () => {
      for (const { reject, method } of this.pending.values()) reject(new Error(`${method}: the browser went away`));
      this.pending.clear();
    };
  }

  send(method, params = {}, timeout = 30000) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.pending.delete(id); reject(new Error(`${method}: no answer in ${timeout} ms`)); }, timeout);
      this.pending.set(id, {
        method,
        resolve: (v) => { clearTimeout(t); resolve(v); },
        reject: (e) => { clearTimeout(t); reject(e); },
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  on(fn) { this.listeners.push(fn); }

  waitFor(event, timeout = 30000) {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${event} in ${timeout} ms`)), timeout);
      this.on((m, p) => { if (m === event) { clearTimeout(t); resolve(p); } });
    });
  }
}

function getJson(port, p, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => {
        try { resolve(JSON.parse(body)); } catch (e) { reject(new Error(`${p}: ${body.slice(0, 200)}`)); }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// Start Chromium with a fresh profile; resolves with { open, close, stderr }.
export async function startBrowser() {
  const bin = chromiumBinary();
  if (!bin) throw new Error('chromium is not installed: make test-deps (Debian package chromium), or set CHROMIUM');
  const profile = await fsp.mkdtemp(path.join(os.tmpdir(), 'uptime-chromium-'));
  const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-default-apps', '--disable-extensions', '--hide-scrollbars', '--mute-audio',
    `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'];
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  let exited = null;
  child.stderr.on('data', (d) => { stderr += d; });
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  // Chromium writes the port it chose to DevToolsActivePort.
  const portFile = path.join(profile, 'DevToolsActivePort');
  let port = null;
  for (const deadline = Date.now() + 30000; Date.now() < deadline && !exited;) {
    try {
      const first = (await fsp.readFile(portFile, 'utf8')).split('\n')[0];
      if (/^\d+$/.test(first)) { port = Number(first); break; }
    } catch { /* not yet */ }
    await sleep(100);
  }
  const stop = async () => {
    if (!exited) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      if (!exited) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    await fsp.rm(profile, { recursive: true, force: true });
  };
  if (!port) {
    await stop();
    throw new Error(`chromium did not start (${JSON.stringify(exited)}):\n${stderr.slice(-2000)}`);
  }

  return {
    get stderr() { return stderr; },

    // Open url in a new tab sized width x height; errors collects what
    // the page reported as an error while it loaded and after.
    async open(url, { width = 1280, height = 800, mobile = false } = {}) {
      const target = await getJson(port, '/json/new?about:blank', 'PUT');
      const ws = await wsConnect(target.webSocketDebuggerUrl);
      const s = new Session(ws);
      const errors = [];
      s.on((method, p) => {
        if (method === 'Runtime.consoleAPICalled' && ['error', 'assert'].includes(p.type))
          errors.push(`console.${p.type}: ${p.args.map((a) => a.value ?? a.description).join(' ')}`);
        else if (method === 'Runtime.exceptionThrown')
          errors.push(`exception: ${p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text}`);
        else if (method === 'Log.entryAdded' && p.entry.level === 'error')
          errors.push(`log (${p.entry.source}): ${p.entry.text} ${p.entry.url ?? ''}`.trim());
        else if (method === 'Network.loadingFailed' && !p.canceled)
          errors.push(`load failed: ${p.errorText} ${p.blockedReason ?? ''}`.trim());
        else if (method === 'Network.responseReceived' && p.response.status >= 400)
          errors.push(`HTTP ${p.response.status}: ${p.response.url}`);
      });
      await s.send('Runtime.enable');
      await s.send('Log.enable');
      await s.send('Network.enable');
      await s.send('Page.enable');
      await s.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile });
      const loaded = s.waitFor('Page.loadEventFired');
      const nav = await s.send('Page.navigate', { url });
      if (nav.errorText) errors.push(`navigation: ${nav.errorText}`);
      await loaded;
      await sleep(300); // late console messages
      return {
        errors,
        async eval(expression) {
          const r = await s.send('Runtime.evaluate', { expression, returnByValue: true });
          if (r.exceptionDetails) throw new Error(`evaluate ${expression}: ${r.exceptionDetails.text}`);
          return r.result.value;
        },
        async screenshot(file) {
          const r = await s.send('Page.captureScreenshot', { format: 'png' });
          const png = Buffer.from(r.data, 'base64');
          if (file) await fsp.writeFile(file, png);
          return png;
        },
        async close() {
          try { await s.send('Page.close', {}, 5000); } catch { /* closed */ }
          ws.close();
        },
      };
    },

    close: stop,
  };
}

// Width and height of a PNG from its IHDR chunk.
export function pngSize(buf) {
  const sig = '89504e470d0a1a0a';
  if (buf.length < 24 || buf.subarray(0, 8).toString('hex') !== sig || buf.subarray(12, 16).toString('latin1') !== 'IHDR')
    throw new Error('not a PNG');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}
