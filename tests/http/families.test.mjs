// lib/families.def against the tree: its families are the programs of
// cgi-bin/, each program's routes lie under its own prefixes and need its
// own scopes, the OpenAPI file's paths and scope list agree, and the file
// itself is well formed.  Each failure names the file and what disagrees.
// (The web server examples and the docs' prefix tables are checked against
// the same file by examples.test.mjs; the C side by tests/unit/test_auth.c.)

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ROOT } from './lib/harness.mjs';
import { DEF, DEF_FILE, PROGRAMS, CONTRACT_PREFIXES, ALL_SCOPES, ROOT_PROGRAM, ownerOf, parseFamilies } from './lib/families.mjs';

const read = (f) => fs.readFileSync(path.join(ROOT, f), 'utf8');
const noDiffs = (diffs) => assert.deepEqual(diffs, [], `\n${diffs.join('\n')}`);

// Each program's route table: method, pattern and scope symbol.
function routesOf(program) {
  const file = path.join(ROOT, `cgi-bin/${program}.c`);
  if (!fs.existsSync(file)) return [];
  return [...fs.readFileSync(file, 'utf8').matchAll(/\{\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"(\/[^"]*)",\s*(SCOPE_[A-Z_]+)/g)]
    .map((m) => ({ method: m[1], pattern: m[2], scope: m[3] }));
}
// A route pattern or an OpenAPI path with its parameters made alike.
const shape = (p) => p.replace(/\{[^}]*\}/g, '{}');
const scopeId = (name) => name.toUpperCase().replace(/[-:]/g, '_');

describe(`${DEF_FILE} is well formed`, () => {
  it('each program, prefix, scope id, name and bit once; the bits run from 0 without a gap', () => {
    const diffs = [];
    const once = (what, list) => {
      const seen = new Map();
      for (const [v, line] of list) {
        if (seen.has(v)) diffs.push(`${DEF_FILE}:${line}: ${what} ${v} again (line ${seen.get(v)})`);
        else seen.set(v, line);
      }
    };
    once('program', DEF.families.map((f) => [f.program, f.line]));
    once('prefix', DEF.prefixes.map((p) => [p.prefix, p.line]));
    once('scope', DEF.scopes.map((s) => [s.id, s.line]));
    once('scope name', DEF.scopes.map((s) => [s.name, s.line]));
    once('bit', DEF.scopes.map((s) => [s.bit, s.line]));
    for (const s of DEF.scopes) {
      if (s.bit >= DEF.scopes.length) diffs.push(`${DEF_FILE}:${s.line}: ${s.name} has bit ${s.bit}, past the ${DEF.scopes.length} scopes`);
    }
    assert.ok(DEF.scopes.length < 32, 'a key holds its scopes in an unsigned bit set');
    noDiffs(diffs);
  });

  it("each prefix and scope belongs to a family; a scope's name and id say which", () => {
    const diffs = [];
    for (const p of DEF.prefixes) {
      if (!PROGRAMS.includes(p.program)) diffs.push(`${DEF_FILE}:${p.line}: ${p.prefix} names no FAMILY ${p.program}`);
      if (!/^\/[a-z0-9/-]*[a-z0-9]$/.test(p.prefix)) diffs.push(`${DEF_FILE}:${p.line}: ${p.prefix} is no path prefix`);
      if (!p.probe.startsWith(p.prefix) || ownerOf(p.probe) !== p.program) diffs.push(`${DEF_FILE}:${p.line}: the probe ${p.probe} is not under ${p.prefix}`);
    }
    for (const f of DEF.families) {
      if (!DEF.prefixes.some((p) => p.program === f.program)) diffs.push(`${DEF_FILE}:${f.line}: ${f.program} has no PREFIX`);
    }
    for (const u of DEF.uses) {
      if (!PROGRAMS.includes(u.program) || !PROGRAMS.includes(u.family)) diffs.push(`${DEF_FILE}:${u.line}: USES_SCOPES names no FAMILY ${u.program} or ${u.family}`);
      if (DEF.scopes.some((s) => s.name.startsWith(`${u.program}:`))) diffs.push(`${DEF_FILE}:${u.line}: ${u.program} has scopes of its own and USES_SCOPES`);
    }
    for (const s of DEF.scopes) {
      const m = /^([a-z-]+):(read|write)$/.exec(s.name);
      if (!m || !PROGRAMS.includes(m[1])) diffs.push(`${DEF_FILE}:${s.line}: ${s.name} is not <family>:read or :write`);
      if (s.id !== scopeId(s.name)) diffs.push(`${DEF_FILE}:${s.line}: ${s.name} is SCOPE_${s.id}, want SCOPE_${scopeId(s.name)}`);
    }
    noDiffs(diffs);
  });

  it('negative: a line that is no FAMILY, PREFIX, SCOPE or USES_SCOPES is refused with its number', () => {
    assert.throws(() => parseFamilies('/* x */\nFAMILY("a")\nFAMILY("b", "c")\n'), /families\.def:3: FAMILY takes 1 arguments/);
    assert.throws(() => parseFamilies('FAMILY("a")\n\nSCOPES(A, "a:read", 0)\n'), /families\.def:3: not a FAMILY, PREFIX, SCOPE or USES_SCOPES line/);
    assert.throws(() => parseFamilies('USES_SCOPES("a")\n'), /families\.def:1: USES_SCOPES takes 2 arguments/);
    assert.throws(() => parseFamilies('SCOPE(A, a:read, 0)\n'), /families\.def:1: argument a:read/);
    assert.deepEqual(parseFamilies('/*\n * FAMILY("x")\n */\n#ifndef A\nFAMILY("y")\n').families, [{ program: 'y', line: 5 }]);
  });
});

describe(`cgi-bin/ and ${DEF_FILE} agree`, () => {
  it('each program of cgi-bin/ is a FAMILY, and each FAMILY a program', () => {
    const files = fs.readdirSync(path.join(ROOT, 'cgi-bin')).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2));
    noDiffs([
      ...files.filter((f) => !PROGRAMS.includes(f)).map((f) => `cgi-bin/${f}.c: no FAMILY("${f}") in ${DEF_FILE}`),
      ...PROGRAMS.filter((p) => !files.includes(p)).map((p) => `${DEF_FILE}: FAMILY("${p}") has no cgi-bin/${p}.c`),
    ]);
  });

  it("each route lies under its program's prefixes and needs one of its family's scopes", () => {
    const diffs = [];
    for (const program of PROGRAMS) {
      const routes = routesOf(program);
      if (routes.length === 0) diffs.push(`cgi-bin/${program}.c: no route table read`);
      const families = [program, ...DEF.uses.filter((u) => u.program === program).map((u) => u.family)];
      const own = new Set(DEF.scopes.filter((s) => families.some((f) => s.name.startsWith(`${f}:`))).map((s) => `SCOPE_${s.id}`));
      for (const r of routes) {
        const owner = ownerOf(r.pattern);
        if (owner !== program) diffs.push(`cgi-bin/${program}.c: ${r.method} ${r.pattern} is ${owner ? `${owner}'s prefix` : 'under no PREFIX'} in ${DEF_FILE}`);
        if (!own.has(r.scope) && r.scope !== 'SCOPE_PUBLIC' && r.scope !== 'SCOPE_ANYKEY') diffs.push(`cgi-bin/${program}.c: ${r.method} ${r.pattern} needs ${r.scope}, not a scope of ${program}`);
      }
    }
    noDiffs(diffs);
  });

  it('each prefix has a route of its program at its probe', () => {
    const diffs = [];
    for (const p of CONTRACT_PREFIXES) {
      const hit = routesOf(p.program).some((r) => new RegExp(`^${r.pattern.replace(/\{[^}]*\}/g, '[^/]+')}$`).test(p.probe));
      if (!hit) diffs.push(`${DEF_FILE}: ${p.prefix}: cgi-bin/${p.program}.c has no route at the probe ${p.probe}`);
    }
    noDiffs(diffs);
  });
});

describe(`docs/openapi.yaml and ${DEF_FILE} agree`, () => {
  const doc = YAML.parse(read('docs/openapi.yaml'));

  it("each path is under a family's prefix, and that program routes it", () => {
    const diffs = [];
    for (const p of Object.keys(doc.paths)) {
      const owner = ownerOf(p);
      if (owner === null) { diffs.push(`docs/openapi.yaml: ${p} is under no PREFIX of ${DEF_FILE}`); continue; }
      if (!routesOf(owner).some((r) => shape(r.pattern) === shape(p))) diffs.push(`docs/openapi.yaml: ${p} is ${owner}'s, and cgi-bin/${owner}.c has no such route`);
    }
    assert.equal(ownerOf('/'), ROOT_PROGRAM);
    noDiffs(diffs);
  });

  it('the Scope schema lists the scopes in bit order', () => {
    assert.deepEqual(doc.components.schemas.Scope.enum, ALL_SCOPES, `docs/openapi.yaml: Scope's enum against ${DEF_FILE}`);
  });
});
