// lib/families.def, read at run time: the programs, each URL prefix with
// its program and probe, and the scopes in bit order.  The lists the tests
// use come from here, so a family added there is tested everywhere;
// families.test.mjs checks the rest of the tree against it.
//
// The file is C (an X-macro list); this reads it as its header comment
// says: one macro a line, arguments "strings", identifiers and numbers.
// Any other line is an error that names it.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEF_FILE = 'lib/families.def';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// "/" of a status page's custom domain: not a prefix (it would take every
// path), the one path a program answers outside its prefixes.
export const ROOT_PROGRAM = 'status-pages';

export function parseFamilies(text) {
  const families = [];
  const prefixes = [];
  const scopes = [];
  const uses = [];
  // Comments out, line numbers kept.
  const lines = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, '')).split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const where = `${DEF_FILE}:${i + 1}`;
    if (line === '' || line.startsWith('#')) return;
    const m = /^(FAMILY|PREFIX|SCOPE|USES_SCOPES)\((.*)\)$/.exec(line);
    if (!m) throw new Error(`${where}: not a FAMILY, PREFIX, SCOPE or USES_SCOPES line: ${line}`);
    const args = m[2].split(',').map((a) => a.trim()).map((a) => {
      if (/^"[^"\\]*"$/.test(a)) return a.slice(1, -1);
      if (/^[0-9]+$/.test(a)) return Number(a);
      if (/^[A-Z][A-Z0-9_]*$/.test(a)) return a;
      throw new Error(`${where}: argument ${a} is no "string", number or identifier`);
    });
    const want = { FAMILY: 1, PREFIX: 3, SCOPE: 3, USES_SCOPES: 2 }[m[1]];
    if (args.length !== want) throw new Error(`${where}: ${m[1]} takes ${want} arguments, has ${args.length}`);
    if (m[1] === 'FAMILY') families.push({ program: args[0], line: i + 1 });
    else if (m[1] === 'PREFIX') prefixes.push({ program: args[0], prefix: args[1], probe: args[2], line: i + 1 });
    else if (m[1] === 'USES_SCOPES') uses.push({ program: args[0], family: args[1], line: i + 1 });
    else scopes.push({ id: args[0], name: args[1], bit: args[2], line: i + 1 });
  });
  return { families, prefixes, scopes, uses };
}

export const DEF = parseFamilies(fs.readFileSync(path.join(ROOT, DEF_FILE), 'utf8'));

// The programs, in the file's order.
export const PROGRAMS = DEF.families.map((f) => f.program);

// The contract's table (API.md section 1): each URL prefix, the program
// that owns it, and a path under it with a route there.  PUT is on none
// of those routes, so the owning program answers it 405 with Allow,
// before any key is looked at, where another program would answer 404.
export const CONTRACT_PREFIXES = DEF.prefixes.map(({ prefix, program, probe }) => ({ prefix, program, probe }));

// Every scope's name, in bit order (the order answers list them in).
export const ALL_SCOPES = [...DEF.scopes].sort((a, b) => a.bit - b.bit).map((s) => s.name);

// The program owning a path: the prefix is the path or a leading run of
// its segments.  null for none.
export function ownerOf(p) {
  if (p === '/') return ROOT_PROGRAM;
  return CONTRACT_PREFIXES.find((c) => p === c.prefix || p.startsWith(`${c.prefix}/`))?.program ?? null;
}
