// The web servers the HTTP suite runs through, one "kind" each, chosen
// with UPTIME_SERVER (default lighttpd).  Each kind renders the example
// configuration a user would install (the @NAME@ placeholders), wraps it
// in the least server configuration that can run it on a loopback port
// (port, logs, user: what a site already has), and says how to start the
// server and the FastCGI backends it needs.  harness.mjs starts them.
//
//   lighttpd           lighttpd.conf.example, lighttpd starts the programs
//   apache-fcgid       apache.conf.example, mod_fcgid starts the programs
//   apache-cgi         examples/htaccess.example in a folder /uptime of the
//                      document root, plain CGI through mod_cgi
//   apache-proxy-fcgi  apache-proxy-fcgi.conf.example, the programs started
//                      by examples/systemd/uptime-fcgi@.service's ExecStart
//   nginx              nginx.conf.example, the programs run by fcgiwrap
//
// The settings are the instance's configuration file (examples/uptime.conf
// rendered by harness.mjs); every example passes only its path,
// UPTIME_CONFIG.  Every kind but lighttpd runs the programs as www-data, as
// Debian would:
// the instance folder, database and secret are handed to that user (the
// secret stays 0600), and the programs are linked into the folder so that
// www-data can reach them wherever the build is.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export const SERVER = process.env.UPTIME_SERVER || 'lighttpd';

// The contract's table (API.md section 1), from lib/families.def.
export { CONTRACT_PREFIXES } from './families.mjs';

const APACHE_MODULES = '/usr/lib/apache2/modules';
// The access log of lighttpd.conf.example (audit-invariant.mjs reads it),
// then the answer's X-Request-Id: every answer of the API has one, so a
// line without one is the server's own answer (a path Apache cannot map
// to a file, say), which the audit trail does not cover.
const LOG_FORMAT = '"%h %t \\"%r\\" %>s %b \\"%{Idempotent-Replayed}o\\" \\"%{X-Request-Id}o\\""';
const NGINX_LOG_FORMAT = '\'$remote_addr [$time_local] "$request" $status $body_bytes_sent ' +
  '"$sent_http_idempotent_replayed" "$sent_http_x_request_id"\'';

// The lines of such a log that the API answered, in lighttpd's format.
function apiLines(text) {
  return text.split('\n').filter((l) => l !== '' && !/ "-"$/.test(l)).map((l) => l.replace(/ "[^"]*"$/, '')).join('\n');
}

// Replace the @NAME@ placeholders of a template; an unknown one outside a
// comment line is an error (the example and the harness disagree).
export function renderTemplate(text, values, name) {
  for (const [k, v] of Object.entries(values)) text = text.replaceAll(`@${k}@`, v);
  const left = text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n').match(/@[A-Z_]+@/);
  if (left) throw new Error(`${name} has a placeholder the harness does not know: ${left[0]}`);
  return text;
}

export async function renderFile(root, rel, values) {
  return renderTemplate(await fsp.readFile(path.resolve(root, rel), 'utf8'), values, path.basename(rel));
}

// KEY=VALUE lines (a configuration file or the head of a crontab).
export function parseEnvLines(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

// The ExecStart of a systemd unit as an argument list (the units here
// use no quoting), with the instance name put in for %i.
export function unitExecStart(text, instance = '') {
  const lines = text.split('\n').filter((l) => /^ExecStart=/.test(l));
  if (lines.length !== 1) throw new Error(`expected one ExecStart line, found ${lines.length}`);
  return lines[0].slice('ExecStart='.length).replaceAll('%i', instance).trim().split(/\s+/);
}

// The Environment= settings of a systemd unit (the units here use no
// quoting), as an object.
export function unitEnvironment(text) {
  return parseEnvLines(text.split('\n').filter((l) => /^Environment=/.test(l))
    .map((l) => l.slice('Environment='.length)).join('\n'));
}

// The uid and gid of a user of this machine.
export function userIds(name) {
  for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  throw new Error(`no user ${name} on this machine (apt-get install apache2 makes www-data)`);
}

// Hard links (same file system) or copies of the built programs, in a
// folder the service user can reach.
async function linkPrograms(bindir, dest) {
  await fsp.mkdir(dest, { recursive: true });
  const names = (await fsp.readdir(bindir)).filter((f) => f.endsWith('.fcgi')).sort();
  for (const f of names) {
    const to = path.join(dest, f);
    try { await fsp.link(path.join(bindir, f), to); } catch { await fsp.copyFile(path.join(bindir, f), to); await fsp.chmod(to, 0o755); }
  }
  return names.map((f) => f.slice(0, -'.fcgi'.length));
}

async function chownTree(p, uid, gid) {
  await fsp.lchown(p, uid, gid);
  const st = await fsp.lstat(p);
  if (!st.isDirectory()) return;
  for (const f of await fsp.readdir(p)) {
    const sub = path.join(p, f);
    // The linked programs keep their owner: they are the build's files.
    if (f.endsWith('.fcgi')) continue;
    await chownTree(sub, uid, gid);
  }
}

// An Apache directive's argument, quoted.
const aq = (s) => `"${String(s).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

// The server around a snippet, what a site's own configuration holds,
// written to apache.conf; the start of it, with the backends given.
async function apacheServer(c, { mpm, modules, body }, backends = []) {
  const mods = [mpm, 'authz_core', ...modules]
    .map((m) => `LoadModule ${m}_module ${APACHE_MODULES}/mod_${m}.so`);
  const conf = path.join(c.dir, 'apache.conf');
  await fsp.writeFile(conf, [
    '# Generated by tests/http/lib/servers.mjs: one test server.',
    `ServerRoot ${aq(c.dir)}`,
    `DefaultRuntimeDir ${aq(c.dir)}`,
    `PidFile ${aq(path.join(c.dir, 'apache.pid'))}`,
    `Mutex file:${c.dir} default`,
    'ServerName 127.0.0.1',
    `Listen 127.0.0.1:${c.port}`,
    ...mods,
    'User www-data',
    'Group www-data',
    `ErrorLog ${aq(path.join(c.dir, 'apache-error.log'))}`,
    'LogLevel warn',
    `LogFormat ${LOG_FORMAT} uptime`,
    `CustomLog ${aq(path.join(c.dir, 'apache-access.log'))} uptime`,
    'Timeout 60',
    // Idle connections stay open longer than the tests pause, so that a
    // client never reuses one the server is closing at that moment.
    'KeepAliveTimeout 30',
    '<Directory />',
    '\tAllowOverride None',
    '\tRequire all denied',
    '</Directory>',
    ...body,
    '',
  ].join('\n'));
  return { conf, file: process.env.APACHE2 || '/usr/sbin/apache2', args: ['-DFOREGROUND', '-f', conf], env: c.baseEnv, backends };
}

// What the Apache kinds share.
const apacheKind = (template, mount, extra, setup) => ({
  template,
  user: 'www-data',
  mount,
  perRequest: false,
  ...extra,
  errorLog: 'apache-error.log',
  accessLog: 'apache-access.log',
  apiLog: apiLines,
  setup,
});

function baseValues(c) {
  return {
    PORT: String(c.port),
    BINDIR: c.bindir,
    VARDIR: c.dir,
    CONFIG: c.configFile,
  };
}

// Each kind: template, user (who the programs run as), mount,
// perRequest (one process per request: CGI, fcgiwrap), the log
// files' names, apiLog(text) (the access log lines the API answered, in
// the format of lighttpd.conf.example's), and setup(c), which writes the
// configuration and returns
// { file, args, env, backends }, backends being the processes to start
// before the server: { name, file, args, env, uid?, gid?, socket }.
// c: { root, dir, db, secret, port, mount, allowPrivate, template,
//      configFile: the instance's configuration file (UPTIME_CONFIG),
//      buildBindir: the built programs,
//      sanEnv: the sanitizer options, extraEnv: startServer's opts.env,
//      baseEnv: this process's environment without UPTIME_* (the
//      programs must get their configuration from the example alone) }
export const KINDS = {
  lighttpd: {
    template: 'lighttpd.conf.example',
    perRequest: false,
    user: null,
    mount: '',
    errorLog: 'lighttpd-error.log',
    accessLog: 'lighttpd-access.log',
    apiLog: (text) => text,
    async setup(c) {
      c.bindir = c.buildBindir;
      const text = await renderFile(c.root, c.template, baseValues(c));
      const conf = path.join(c.dir, 'lighttpd.conf');
      await fsp.writeFile(conf, text);
      const missing = [...text.matchAll(/"bin-path"\s*=>\s*"([^"]+)"/g)].map((m) => m[1]).filter((p) => !fs.existsSync(p));
      if (missing.length) {
        throw new Error(`${c.template} names programs that are not built: ${missing.join(', ')}; ` +
          'build them (make BUILD=build/san SAN=1) or set UPTIME_BUILD');
      }
      const bin = process.env.LIGHTTPD || lighttpdBinary();
      // lighttpd hands its own environment to the programs it starts,
      // with the example's UPTIME_CONFIG: the sanitizer options and
      // opts.env, which override the file.
      return { conf, file: bin, args: ['-D', '-f', conf], env: { ...c.baseEnv, ...c.sanEnv, ...c.extraEnv }, backends: [] };
    },
  },

  'apache-fcgid': apacheKind('apache.conf.example', '', {}, async (c) => {
    c.bindir = path.join(c.dir, 'cgi-bin');
    await linkPrograms(c.buildBindir, c.bindir);
    await fsp.mkdir(path.join(c.dir, 'fcgid'));
    const snippet = path.join(c.dir, 'snippet.conf');
    await fsp.writeFile(snippet, await renderFile(c.root, c.template, baseValues(c)));
    const env = { ...c.sanEnv, ...c.extraEnv };
    return apacheServer(c, {
      mpm: 'mpm_event',
      modules: ['alias', 'fcgid'],
      body: [
        `DocumentRoot ${aq(path.join(c.dir, 'empty'))}`,
        // This instance's own table, not the machine's.
        `FcgidIPCDir ${aq(path.join(c.dir, 'fcgid'))}`,
        `FcgidProcessTableFile ${aq(path.join(c.dir, 'fcgid', 'table'))}`,
        // A server of its own: "/" may go to custom-domain status pages.
        'Define UPTIME_CUSTOM_DOMAINS',
        `Include ${aq(snippet)}`,
        // The tests' own additions (sanitizer logs, opts.env).
        ...Object.entries(env).map(([k, v]) => `FcgidInitialEnv ${k} ${aq(v)}`),
      ],
    });
  }),

  'apache-cgi': apacheKind('examples/htaccess.example', '/uptime', { perRequest: true }, async (c) => {
    const www = path.join(c.dir, 'www');
    c.bindir = path.join(www, c.mount.slice(1));
    await linkPrograms(c.buildBindir, c.bindir);
    await fsp.writeFile(path.join(c.bindir, '.htaccess'), await renderFile(c.root, c.template, baseValues(c)));
    const env = { ...c.sanEnv, ...c.extraEnv };
    return apacheServer(c, {
      mpm: 'mpm_prefork',
      modules: ['cgi', 'rewrite', 'env'],
      body: [
        // Workers ready for a burst, as on a site that is in use (prefork
        // starts more only one or a few a second).
        'StartServers 8',
        'MinSpareServers 8',
        'MaxSpareServers 16',
        `DocumentRoot ${aq(www)}`,
        // What the example says the host must allow, and no more.
        `<Directory ${aq(www)}>`,
        '\tAllowOverride AuthConfig FileInfo Options=ExecCGI,Indexes',
        '\tRequire all granted',
        '</Directory>',
        ...Object.entries(env).map(([k, v]) => `SetEnv ${k} ${aq(v)}`),
      ],
    });
  }),

  'apache-proxy-fcgi': apacheKind('apache-proxy-fcgi.conf.example', '', {}, async (c) => {
    c.bindir = path.join(c.dir, 'cgi-bin');
    const programs = await linkPrograms(c.buildBindir, c.bindir);
    const values = { ...baseValues(c), RUNDIR: c.dir };
    const snippet = path.join(c.dir, 'snippet.conf');
    await fsp.writeFile(snippet, await renderFile(c.root, c.template, values));
    // The backends as the unit starts them, with its Environment=.
    const unit = await renderFile(c.root, 'examples/systemd/uptime-fcgi@.service', values);
    const unitEnv = unitEnvironment(unit);
    const backends = programs.map((name) => {
      const [file, ...args] = unitExecStart(unit, name);
      return {
        name, file, args, socket: path.join(c.dir, `${name}.sock`),
        env: { ...c.baseEnv, ...unitEnv, ...c.sanEnv, ...c.extraEnv },
      };
    });
    return apacheServer(c, {
      mpm: 'mpm_event',
      modules: ['proxy', 'proxy_fcgi'],
      body: [`DocumentRoot ${aq(path.join(c.dir, 'empty'))}`, `Include ${aq(snippet)}`],
    }, backends);
  }),

  nginx: {
    template: 'nginx.conf.example',
    perRequest: true,
    user: 'www-data',
    mount: '',
    errorLog: 'nginx-error.log',
    accessLog: 'nginx-access.log',
    apiLog: apiLines,
    async setup(c) {
      c.bindir = path.join(c.dir, 'cgi-bin');
      await linkPrograms(c.buildBindir, c.bindir);
      const socket = path.join(c.dir, 'fcgiwrap.sock');
      const snippet = path.join(c.dir, 'snippet.conf');
      await fsp.writeFile(snippet, await renderFile(c.root, c.template, { ...baseValues(c), FCGIWRAP: socket }));
      // "include fastcgi_params" is relative to the configuration's folder.
      await fsp.copyFile('/etc/nginx/fastcgi_params', path.join(c.dir, 'fastcgi_params'));
      const tmp = path.join(c.dir, 'nginx-tmp');
      await fsp.mkdir(tmp);
      const conf = path.join(c.dir, 'nginx.conf');
      await fsp.writeFile(conf, [
        '# Generated by tests/http/lib/servers.mjs: one test server.',
        'daemon off;',
        'master_process on;',
        'user www-data www-data;',
        'worker_processes 2;',
        `pid ${path.join(c.dir, 'nginx.pid')};`,
        `error_log ${path.join(c.dir, 'nginx-error.log')} warn;`,
        'events { worker_connections 256; }',
        'http {',
        `\tlog_format uptime ${NGINX_LOG_FORMAT};`,
        `\taccess_log ${path.join(c.dir, 'nginx-access.log')} uptime;`,
        ...['client_body', 'fastcgi', 'proxy', 'scgi', 'uwsgi'].map((t) => `\t${t}_temp_path ${path.join(tmp, t)};`),
        '\tserver {',
        `\t\tlisten 127.0.0.1:${c.port};`,
        '\t\tserver_name 127.0.0.1;',
        `\t\troot ${path.join(c.dir, 'empty')};`,
        `\t\tinclude ${snippet};`,
        '\t}',
        '}',
        '',
      ].join('\n'));
      // fcgiwrap as Debian runs it (as www-data, -f: the programs' stderr
      // to nginx's error log) with the -c 4 docs/deploy.md asks for.  Its
      // own environment reaches the programs too (the sanitizer options,
      // opts.env); the example's fastcgi_param values come after and win.
      const ids = userIds('www-data');
      const backends = [{
        name: 'fcgiwrap', file: '/usr/sbin/fcgiwrap', args: ['-f', '-c', '4', '-s', `unix:${socket}`], socket,
        env: { ...c.baseEnv, ...c.sanEnv, ...c.extraEnv }, uid: ids.uid, gid: ids.gid,
      }];
      return {
        conf, file: process.env.NGINX || '/usr/sbin/nginx',
        args: ['-p', `${c.dir}/`, '-c', conf, '-e', path.join(c.dir, 'nginx-error.log')],
        env: c.baseEnv, backends,
      };
    },
  },
};

export const KIND = KINDS[SERVER];
if (!KIND) throw new Error(`UPTIME_SERVER=${SERVER}: not one of ${Object.keys(KINDS).join(', ')}`);

function lighttpdBinary() {
  for (const d of (process.env.PATH || '').split(':')) {
    const p = path.join(d || '.', 'lighttpd');
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* next */ }
  }
  return '/usr/sbin/lighttpd';
}

// Hand the instance folder to the kind's user (the database, its WAL and
// the secret with it; modes are kept, so the secret stays 0600).
export async function handOver(dir) {
  if (!KIND.user) return;
  const { uid, gid } = userIds(KIND.user);
  await chownTree(dir, uid, gid);
}
