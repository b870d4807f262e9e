// A small SMTP sink on 127.0.0.1 for the HTTP tests (node:net, node:tls).
//
// It speaks enough of RFC 5321 for libcurl to deliver to it: the greeting,
// EHLO/HELO, MAIL FROM, RCPT TO, DATA (with dot-unstuffing), RSET, NOOP,
// QUIT and, when started with a certificate, STARTTLS (RFC 3207).  Each
// message it accepts is kept, with its raw text, whether it came over
// TLS, and a parsed view: unfolded headers, the Subject decoded from
// RFC 2047, and the body decoded from its Content-Transfer-Encoding.
//
//   const sink = await startSmtpSink();
//   sink.url                    'smtp://127.0.0.1:<port>'
//   sink.messages               every accepted message, oldest first
//                               ({ tls: true } when sent after STARTTLS)
//   sink.commands               every command verb it was sent, in order
//   await sink.waitFor(n)       until n messages are kept (or throws)
//   sink.refuse('rcpt')         answer RCPT TO with 550; 'data': DATA with
//                               554; 'connect': greet with 554 and close;
//                               null: accept again
//   sink.sessions               how many connections it has seen
//   sink.hold(true)             greet no new connection until hold(false),
//                               which greets those waiting (a slow server)
//   await sink.close()
//
//   const tlsSink = await startSmtpSink({ tls: { key, cert } });
//   tlsSink.strip(true)         answer as a network attacker who removed
//                               STARTTLS would: not offered, and refused
//                               (502); strip(false) offers it again

import net from 'node:net';
import tls from 'node:tls';

// "=?UTF-8?B?...?=" and "=?UTF-8?Q?...?=" words, joined as RFC 2047 says
// (whitespace between adjacent encoded words is dropped).
export function decodeRfc2047(value) {
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  const joined = value.replace(/(\?=)\s+(=\?)/g, '$1$2');
  return joined.replace(word, (_, charset, enc, text) => {
    let bytes;
    if (enc.toUpperCase() === 'B') bytes = Buffer.from(text, 'base64');
    else {
      bytes = Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g,
        (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    }
    return new TextDecoder(charset).decode(bytes);
  });
}

// Quoted-printable (RFC 2045) to text: soft breaks removed, =XX decoded,
// the bytes read as UTF-8.
export function decodeQuotedPrintable(text) {
  const soft = text.replace(/=\r\n/g, '');
  const bytes = [];
  for (let i = 0; i < soft.length; i++) {
    const m = /^=([0-9A-F]{2})/.exec(soft.slice(i, i + 3));
    if (m) {
      bytes.push(parseInt(m[1], 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], 'utf8'));
    }
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(bytes));
}

// Split a raw message (CRLF lines) into headers and body.
export function parseMessage(raw) {
  const cut = raw.indexOf('\r\n\r\n');
  const head = cut === -1 ? raw : raw.slice(0, cut);
  const rawBody = cut === -1 ? '' : raw.slice(cut + 4);
  const headers = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1].value += line;
    else {
      const i = line.indexOf(':');
      headers.push({ name: line.slice(0, i), value: line.slice(i + 1).trim(), line });
    }
  }
  const all = (name) => headers.filter((h) => h.name.toLowerCase() === name.toLowerCase()).map((h) => h.value);
  const header = (name) => all(name)[0];
  const cte = (header('Content-Transfer-Encoding') ?? '7bit').toLowerCase();
  let body;
  if (cte === 'quoted-printable') body = decodeQuotedPrintable(rawBody);
  else body = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(rawBody, 'latin1'));
  return {
    headers, all, header, rawBody, body,
    subject: header('Subject') === undefined ? undefined : decodeRfc2047(header('Subject')),
  };
}

export async function startSmtpSink({ tls: cred = null } = {}) {
  const messages = [];
  const commands = [];
  const sockets = new Set();
  let mode = null;
  let stripped = false;
  let sessions = 0;
  let held = null;    // the greetings of connections waiting, while held
  const waiters = [];

  function settle() {
    for (const w of [...waiters]) {
      if (messages.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(messages.slice(0, w.n));
      }
    }
  }

  const server = net.createServer((sock) => {
    sessions++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let io = sock;      // the TLS socket over sock after STARTTLS
    const say = (s) => { if (!io.destroyed) io.write(`${s}\r\n`); };
    if (mode === 'connect') {
      say('554 5.3.2 no service here');
      sock.end();
      return;
    }
    let buf = Buffer.alloc(0);
    let inData = false;
    let dataLines = [];
    let env = { from: null, rcpt: [] };
    const greet = () => say('220 sink.test ESMTP test sink');
    if (held) held.push(greet);
    else greet();

    function command(line) {
      const verb = line.split(' ')[0].toUpperCase();
      commands.push(verb);
      const offer = cred && !stripped && io === sock;
      if (verb === 'EHLO') {
        say('250-sink.test greets you');
        if (offer) say('250-STARTTLS');
        say('250 8BITMIME');
        return;
      }
      if (verb === 'STARTTLS') {
        if (!offer) { say('502 5.5.1 not implemented'); return; }
        say('220 2.0.0 ready to start TLS');
        // RFC 3207: the client starts over with EHLO on the new channel.
        sock.removeListener('data', onData);
        buf = Buffer.alloc(0);
        env = { from: null, rcpt: [] };
        io = new tls.TLSSocket(sock, { isServer: true, key: cred.key, cert: cred.cert });
        io.on('error', () => {});
        io.on('data', onData);
        return;
      }
      if (verb === 'HELO') { say('250 sink.test'); return; }
      if (/^MAIL FROM:/i.test(line)) {
        const m = /^MAIL FROM:\s*<([^>]*)>/i.exec(line);
        if (!m) { say('501 5.5.4 syntax: MAIL FROM:<address>'); return; }
        env = { from: m[1], rcpt: [] };
        say('250 2.1.0 ok');
        return;
      }
      if (/^RCPT TO:/i.test(line)) {
        const m = /^RCPT TO:\s*<([^>]*)>/i.exec(line);
        if (!m) { say('501 5.5.4 syntax: RCPT TO:<address>'); return; }
        if (env.from === null) { say('503 5.5.1 MAIL first'); return; }
        if (mode === 'rcpt') { say('550 5.1.1 no such mailbox here'); return; }
        env.rcpt.push(m[1]);
        say('250 2.1.5 ok');
        return;
      }
      if (verb === 'DATA') {
        if (env.rcpt.length === 0) { say('503 5.5.1 RCPT first'); return; }
        if (mode === 'data') { say('554 5.7.1 message refused'); return; }
        inData = true;
        dataLines = [];
        say('354 end with <CRLF>.<CRLF>');
        return;
      }
      if (verb === 'RSET') { env = { from: null, rcpt: [] }; say('250 2.0.0 ok'); return; }
      if (verb === 'NOOP') { say('250 2.0.0 ok'); return; }
      if (verb === 'QUIT') { say('221 2.0.0 bye'); io.end(); return; }
      say('502 5.5.2 not implemented');
    }

    function onData(chunk) {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const i = buf.indexOf('\r\n');
        if (i === -1) break;
        const line = buf.subarray(0, i).toString('latin1');
        buf = buf.subarray(i + 2);
        if (!inData) { command(line); continue; }
        if (line === '.') {
          inData = false;
          const raw = dataLines.map((l) => `${l}\r\n`).join('');
          messages.push({ from: env.from, rcpt: [...env.rcpt], tls: io !== sock, raw, bareLf: /(^|[^\r])\n/.test(raw), bareCr: /\r(?!\n)/.test(raw), ...parseMessage(raw) });
          env = { from: null, rcpt: [] };
          say('250 2.0.0 queued');
          settle();
          continue;
        }
        dataLines.push(line.startsWith('..') ? line.slice(1) : line);
      }
    }
    sock.on('data', onData);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    commands,
    get sessions() { return sessions; },
    strip(on) {
      if (!cred) throw new Error('strip(): this sink was started without a certificate');
      stripped = Boolean(on);
    },
    hold(on) {
      if (on) held ??= [];
      else {
        const waiting = held ?? [];
        held = null;
        for (const greet of waiting) greet();
      }
    },
    refuse(m) {
      if (![null, 'rcpt', 'data', 'connect'].includes(m)) throw new Error(`refuse(${m}): rcpt, data, connect or null`);
      mode = m;
    },
    waitFor(n, timeout = 10000) {
      return new Promise((resolve, reject) => {
        const w = { n, resolve, timer: setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`the SMTP sink holds ${messages.length} messages, not ${n}, after ${timeout} ms`));
        }, timeout) };
        waiters.push(w);
        settle();
      });
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
