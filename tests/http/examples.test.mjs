// The routing of every example configuration, read as each server reads
// it, against the contract's table (API.md section 1, lib/families.def):
// each prefix goes to the program that owns it, including programs not
// built yet (the live tests, deploy.test.mjs, can only reach the built
// ones), and a path that merely starts with the same letters (/v1/statusx,
// /v1/status-pages for /v1/status) does not.  The docs' tables say the same.  The settings are
// in examples/uptime.conf alone: every other example names only its path.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/harness.mjs';
import { CONTRACT_PREFIXES, DEF_FILE, ROOT_PROGRAM } from './lib/families.mjs';

const read = (f) => fs.readFileSync(path.join(ROOT, f), 'utf8');
const code = (text) => text.split('\n').filter((l) => !/^\s*#/.test(l));

// Each reader returns route(path) -> program name, or null when the
// example sends the path to no program.

// Apache's Alias: the first whose URL path is the request's path or a
// leading run of its segments.
// AliasMatch: the first whose pattern matches.  (Lines inside <IfDefine>
// count: the tests define what the example offers.)
function apacheAlias(text) {
  const rules = code(text).map((l) => /^\s*(Alias|AliasMatch)\s+(\S+)\s+"?[^"\s]*\/([a-z-]+)\.fcgi"?\s*$/.exec(l)).filter(Boolean)
    .map((m) => (m[1] === 'Alias' ? { url: m[2], program: m[3] } : { re: new RegExp(m[2]), program: m[3] }));
  assert.ok(rules.length > 0, 'no Alias lines');
  return (p) => rules.find((r) => (r.re ? r.re.test(p) : p === r.url || p.startsWith(`${r.url}/`)))?.program ?? null;
}

// <LocationMatch> sections with a SetHandler to a program's socket; more
// than one matching would be a configuration error here.
function apacheLocationMatch(text) {
  const rules = [];
  for (const m of text.matchAll(/<LocationMatch\s+"([^"]+)">([\s\S]*?)<\/LocationMatch>/g)) {
    const h = /SetHandler\s+"proxy:unix:[^"|]*\/([a-z-]+)\.sock\|/.exec(m[2]);
    if (h) rules.push({ re: new RegExp(m[1]), program: h[1] });
  }
  assert.ok(rules.length > 0, 'no LocationMatch with a SetHandler');
  return (p) => {
    const hits = rules.filter((r) => r.re.test(p));
    assert.ok(hits.length <= 1, `${p} matches ${hits.length} LocationMatch sections`);
    return hits[0]?.program ?? null;
  };
}

// nginx: the outer location, then the first nested regex location that
// matches, which names the program in $uptime_program.
function nginxLocations(text) {
  const lines = code(text);
  const outer = lines.map((l) => /^location\s+~\s+(\S+)\s*\{\s*$/.exec(l)).filter(Boolean);
  assert.equal(outer.length, 1, 'one outer location');
  const outerRe = new RegExp(outer[0][1]);
  const rules = lines.map((l) => /^\s+location\s+~\s+(\S+)\s*\{\s*set \$uptime_program\s+([a-z-]+);\s*fastcgi_pass\s+\S+;\s*\}\s*$/.exec(l))
    .filter(Boolean).map((m) => ({ re: new RegExp(m[1]), program: m[2] }));
  assert.ok(rules.length > 0, 'no nested locations');
  return (p) => (outerRe.test(p) ? rules.find((r) => r.re.test(p))?.program ?? null : null);
}

// mod_rewrite in .htaccess: patterns see the path below the folder, with
// no leading slash; the first rule that matches decides.
function htaccessRewrites(mount) {
  return (text) => {
    const rules = code(text).map((l) => /^\s*RewriteRule\s+(\S+)\s+(\S+)\s+\[([A-Z=0-9,]+)\]\s*$/.exec(l)).filter(Boolean)
      .map((m) => ({ re: new RegExp(m[1]), target: m[2] }));
    assert.ok(rules.length > 1, 'no RewriteRule lines');
    return (p) => {
      if (!p.startsWith(`${mount}/`)) return null;
      const rel = p.slice(mount.length + 1);
      const r = rules.find((x) => x.re.test(rel));
      return r && r.target.endsWith('.fcgi') ? r.target.slice(0, -5) : null;
    };
  };
}

// lighttpd: $HTTP["url"] conditions with a fastcgi.server; one at most.
function lighttpdConditions(text) {
  const rules = [];
  for (const m of text.matchAll(/\$HTTP\["url"\]\s*=~\s*"([^"]+)"\s*\{([\s\S]*?)\n\}/g)) {
    const b = /"bin-path"\s*=>\s*"[^"]*\/([a-z-]+)\.fcgi"/.exec(m[2]);
    if (b) rules.push({ re: new RegExp(m[1]), program: b[1] });
  }
  assert.ok(rules.length > 0, 'no $HTTP["url"] blocks');
  return (p) => {
    const hits = rules.filter((r) => r.re.test(p));
    assert.ok(hits.length <= 1, `${p} matches ${hits.length} blocks`);
    return hits[0]?.program ?? null;
  };
}

const EXAMPLES = [
  { file: 'apache.conf.example', reader: apacheAlias, mount: '', root: ROOT_PROGRAM },
  { file: 'apache-proxy-fcgi.conf.example', reader: apacheLocationMatch, mount: '' },
  { file: 'nginx.conf.example', reader: nginxLocations, mount: '' },
  { file: 'examples/htaccess.example', reader: htaccessRewrites('/uptime'), mount: '/uptime' },
  // lighttpd, a whole server of its own, gives "/" to status pages with a
  // custom domain.
  { file: 'lighttpd.conf.example', reader: lighttpdConditions, mount: '', root: ROOT_PROGRAM },
];

describe('every example routes every prefix of the contract to its program', () => {
  for (const ex of EXAMPLES) {
    it(ex.file, () => {
      const route = ex.reader(read(ex.file));
      for (const { prefix, program, probe } of CONTRACT_PREFIXES) {
        for (const p of [prefix, `${prefix}/`, probe, `${probe}/x/y`, `${probe}?a=b`.split('?')[0]]) {
          assert.equal(route(ex.mount + p), program, `${ex.file}: ${ex.mount}${p} goes to ${route(ex.mount + p) ?? 'no program'}, ${DEF_FILE} says ${program}.fcgi`);
        }
      }
    });

    it(`negative: ${ex.file} sends near misses to no program, or to the right one`, () => {
      const route = ex.reader(read(ex.file));
      const owner = (p) => CONTRACT_PREFIXES.find((c) => p === c.prefix || p.startsWith(`${c.prefix}/`))?.program ?? null;
      const misses = ['/v1', '/v1/', '/v1/statusx', '/v1/api-keysx', '/v1/teams', '/statusx', '/v2/api-keys',
        '/v1/status-pages', '/v1/status-pages/sp_x', '/v1/invitesx/accept', '/index.html', '/'];
      for (const p of misses) {
        const want = p === '/' && ex.root ? ex.root : owner(p);
        const got = route(ex.mount + p);
        assert.equal(got, want, `${ex.file}: ${ex.mount}${p}`);
      }
    });
  }
});

describe('the docs agree with the contract', () => {
  // | `/v1/a`, `/v1/b` | `x.fcgi` | rows.
  const rows = (text) => [...text.matchAll(/^\|\s*((?:`\/[^`]*`[^|]*?)+)\|\s*`([a-z-]+)\.fcgi`\s*\|\s*$/gm)]
    .flatMap((m) => [...m[1].matchAll(/`(\/[^`]*)`/g)].map((p) => [p[1], m[2]]));
  // What a table says against lib/families.def, one line per prefix.
  // "/" of a status page's custom domain may go with /status.
  const disagree = (file, { extra }) => {
    const got = rows(read(file));
    const diffs = [];
    for (const [prefix, program] of got) {
      const want = prefix === '/' ? ROOT_PROGRAM : CONTRACT_PREFIXES.find((c) => c.prefix === prefix)?.program;
      if (want === undefined || (prefix === '/' && !extra)) diffs.push(`${file}: ${prefix} is no PREFIX of ${DEF_FILE}`);
      else if (program !== want) diffs.push(`${file}: ${prefix} goes to ${program}.fcgi, ${DEF_FILE} says ${want}.fcgi`);
    }
    const listed = new Set(got.map(([prefix]) => prefix));
    for (const c of CONTRACT_PREFIXES) {
      if (!listed.has(c.prefix)) diffs.push(`${file}: ${c.prefix} (${c.program}.fcgi) is missing`);
    }
    const seen = new Set();
    for (const [prefix] of got) {
      if (seen.has(prefix)) diffs.push(`${file}: ${prefix} twice`);
      seen.add(prefix);
    }
    return diffs;
  };

  it('docs/deploy.md maps every prefix, and no other', () => {
    const diffs = disagree('docs/deploy.md', { extra: false });
    assert.deepEqual(diffs, [], diffs.join('\n'));
  });

  it("README's table maps each prefix it lists to its program, and every one", () => {
    const diffs = disagree('README.md', { extra: true });
    assert.deepEqual(diffs, [], diffs.join('\n'));
  });
});

describe('the settings live in one file', () => {
  // Every example that starts or configures the programs.
  const USERS = ['lighttpd.conf.example', 'apache.conf.example', 'apache-proxy-fcgi.conf.example', 'nginx.conf.example',
    'examples/htaccess.example', 'examples/crontab',
    ...fs.readdirSync(path.join(ROOT, 'examples/systemd')).filter((f) => f.endsWith('.service')).map((f) => `examples/systemd/${f}`)];
  // The settings: the names of README's configuration table.
  const settings = new Set([...read('README.md').matchAll(/^\| `(UPTIME_[A-Z_]+)`(?:, `(UPTIME_[A-Z_]+)`)? \|/gm)]
    .flatMap((m) => [m[1], m[2]]).filter(Boolean));

  it('negative: no example but examples/uptime.conf sets a setting; those that start programs name UPTIME_CONFIG', () => {
    assert.ok(settings.has('UPTIME_DB') && settings.has('UPTIME_CONFIG'));
    for (const f of USERS) {
      const named = [...code(read(f)).join('\n').matchAll(/\bUPTIME_[A-Z_]+\b/g)].map((m) => m[0]);
      assert.deepEqual([...new Set(named)].filter((n) => n !== 'UPTIME_CONFIG' && settings.has(n)), [], f);
      // The proxy example's programs are started by the unit, not Apache.
      if (f !== 'apache-proxy-fcgi.conf.example') assert.ok(named.includes('UPTIME_CONFIG'), `${f} does not name UPTIME_CONFIG`);
    }
    assert.ok(!fs.existsSync(path.join(ROOT, 'examples/uptime.env')), 'examples/uptime.env is back');
  });

  it('examples/uptime.conf sets only settings of README\'s table, each once', () => {
    const lines = code(read('examples/uptime.conf')).filter((l) => l.trim() !== '');
    const names = lines.map((l) => /^(UPTIME_[A-Z_]+)=\S/.exec(l)?.[1]);
    assert.ok(names.every(Boolean), lines.join('\n'));
    assert.equal(new Set(names).size, names.length);
    for (const n of names) assert.ok(settings.has(n) && n !== 'UPTIME_CONFIG', `${n} is not a setting of README's table`);
  });
});
