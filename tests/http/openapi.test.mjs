// docs/openapi.yaml agrees with the route tables in cgi-bin/*.c.
//
// No server and no npm packages: the route tables are read from the C
// sources and the YAML with the small parser below, which accepts only the
// subset described at the top of openapi.yaml and throws (with the line)
// on anything else.  When python3 has PyYAML, its reading of the file must
// equal ours.
//
// Path rule: a route pattern's "{prefix}" segment (an id "<prefix>_" + 20
// base62 characters) is written in OpenAPI as "{id}" when it is the last
// capture of the pattern, and as "{<prefix>Id}" otherwise:
//   /v1/api-keys/{key}/rotate            -> /v1/api-keys/{id}/rotate
//   /v1/status-pages/{sp}/incidents/{inc} -> /v1/status-pages/{spId}/incidents/{id}
// Its path parameter is a required string with pattern ^<prefix>_[0-9A-Za-z]{20}$.
//
// Scope rule: SCOPE_API_KEYS_READ is security [{bearer: [api-keys:read]}]
// (SCOPE_<FAMILY>_<READ|WRITE> -> "<family, lower case, _ as ->:<read|write>"),
// SCOPE_ANYKEY is [{bearer: []}] (any valid key), SCOPE_PUBLIC is [] (none).
// The operation's description names the scope too.
//
// For each route the test also checks: the query parameters are exactly the
// route's allowed list; a request body is documented exactly on ROUTE_BODY
// routes, closed with additionalProperties: false (ROUTE_RAWBODY routes may
// document an optional body that is not JSON); the responses include
// every status of the handler's comment and the ones every route can give
// (400 bad_query, 401/403 when keyed, 404, 405, 429, 500, 503, and 413/415
// with a body), errors as application/problem+json ProblemDetails, with the
// headers that go with them.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const YAML_FILE = path.join(ROOT, 'docs/openapi.yaml');
const CGI_DIR = path.join(ROOT, 'cgi-bin');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// ---------------------------------------------------------------- YAML subset

function yamlError(no, msg) {
  return new Error(`docs/openapi.yaml:${no}: ${msg} (see the subset described at the top of the file)`);
}

function unquoteDouble(s, no) {
  try {
    return JSON.parse(s);
  } catch {
    throw yamlError(no, `cannot read the double-quoted scalar ${s}`);
  }
}

// A scalar written on one line: quoted, flow list, {} or plain.
function scalar(text, no) {
  const s = text.trim();
  if (s.startsWith('"')) return unquoteDouble(s, no);
  if (s.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(s)) throw yamlError(no, `bad single-quoted scalar ${s}`);
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (s === '{}') return {};
  if (s.startsWith('[')) return flowList(s, no);
  if (/^[&*!|>%@`{]/.test(s)) throw yamlError(no, `unsupported YAML syntax "${s}"`);
  if (/\s#/.test(s)) throw yamlError(no, 'comments after values are not supported');
  if (s === 'null' || s === '~' || s === '') return null;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^-?(0|[1-9][0-9]*)$/.test(s)) return Number(s);
  if (/^-?(0|[1-9][0-9]*)\.[0-9]+$/.test(s)) return Number(s);
  // Plain scalars that YAML 1.1 readers turn into something else.
  if (/^(y|n|yes|no|on|off|true|false|null)$/i.test(s) || /^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(s) ||
      /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+$/.test(s) || /^[-+]?([0-9][0-9_]*)?\.[0-9][0-9_]*([eE][-+]?[0-9]+)?$/.test(s) ||
      /^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$/.test(s) || /^[-+]?[0-9][0-9_]*$/.test(s) || /^[-+]/.test(s) && /^[-+][0-9.]/.test(s) ||
      /^[-+]?\.(inf|nan)$/i.test(s) || /^0[xob]/i.test(s))
    throw yamlError(no, `quote the ambiguous plain scalar "${s}"`);
  return s;
}

function flowList(s, no) {
  if (!s.endsWith(']')) throw yamlError(no, `unterminated flow list ${s}`);
  const inner = s.slice(1, -1).trim();
  const out = [];
  if (inner === '') return out;
  let i = 0;
  while (i < inner.length) {
    while (inner[i] === ' ') i++;
    let j;
    if (inner[i] === '"') {
      for (j = i + 1; j < inner.length && inner[j] !== '"'; j++) if (inner[j] === '\\') j++;
      j++;
    } else if (inner[i] === "'") {
      for (j = i + 1; j < inner.length; j++) {
        if (inner[j] === "'" && inner[j + 1] === "'") j++;
        else if (inner[j] === "'") break;
      }
      j++;
    } else {
      j = inner.indexOf(',', i);
      if (j === -1) j = inner.length;
    }
    const item = inner.slice(i, j).trim();
    if (/^[[{]/.test(item)) throw yamlError(no, 'nested flow collections are not supported');
    out.push(scalar(item, no));
    i = j;
    while (inner[i] === ' ') i++;
    if (i < inner.length && inner[i] !== ',') throw yamlError(no, `bad flow list ${s}`);
    i++;
  }
  return out;
}

// "key: rest" or "key:" -> [key, rest] (rest may be ''), else null.
const KEY_RE = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s"'#\-?:,[\]{}&*!|>%@`][^:]*?|-[^\s:][^:]*?)\s*:(?:\s+(.*))?$/;
function splitKey(text, no) {
  const m = KEY_RE.exec(text);
  if (!m) return null;
  let key = m[1];
  if (key.startsWith('"')) key = unquoteDouble(key, no);
  else if (key.startsWith("'")) key = key.slice(1, -1).replace(/''/g, "'");
  return [key, (m[2] ?? '').trim()];
}

export function parseYaml(text) {
  const raw = text.split(/\r?\n/);
  // Lines that carry content: [indent, text, lineNo].  Literal blocks are
  // read from raw directly.
  const lines = [];
  for (let i = 0; i < raw.length; i++) {
    const l = raw[i];
    if (/\t/.test(l.match(/^\s*/)[0])) throw yamlError(i + 1, 'tabs in indentation');
    if (/^\s*(#.*)?$/.test(l)) continue;
    if (/^(---|\.\.\.)\s*$/.test(l)) throw yamlError(i + 1, 'document markers are not supported');
    lines.push({ ind: l.length - l.trimStart().length, text: l.trim(), no: i + 1 });
  }
  let p = 0;

  function literal(parentInd, style, no) {
    // The block's lines are the raw lines after line `no` that are blank or
    // indented deeper than the parent.
    const body = [];
    let i = no; // raw index of the next line
    for (; i < raw.length; i++) {
      const l = raw[i];
      if (l.trim() !== '' && l.length - l.trimStart().length <= parentInd) break;
      body.push(l);
    }
    while (body.length && body[body.length - 1].trim() === '') body.pop();
    const first = body.find((l) => l.trim() !== '');
    const ind = first === undefined ? 0 : first.length - first.trimStart().length;
    const textOut = body.map((l) => (l.trim() === '' ? '' : l.slice(ind))).join('\n');
    // Skip the consumed content lines.
    while (p < lines.length && lines[p].no <= i) p++;
    if (style === '|-') return textOut;
    if (style === '|') return textOut === '' ? '' : textOut + '\n';
    throw yamlError(no, `block style ${style} is not supported`);
  }

  // The value after "key:" with nothing on the line, or after "- ".
  function nested(ind, no) {
    if (p < lines.length && lines[p].ind > ind) return node(lines[p].ind);
    if (p < lines.length && lines[p].ind === ind && /^-( |$)/.test(lines[p].text)) return seq(ind);
    return null;
  }

  function value(rest, ind, no) {
    if (/^[|>][-+]?$/.test(rest)) return literal(ind, rest, no);
    if (rest === '') return nested(ind, no);
    return scalar(rest, no);
  }

  function map(ind, firstText, firstNo) {
    const out = {};
    let text = firstText;
    let no = firstNo;
    for (;;) {
      const kv = splitKey(text, no);
      if (!kv) throw yamlError(no, `expected "key: value", got "${text}"`);
      const [k, rest] = kv;
      if (Object.prototype.hasOwnProperty.call(out, k)) throw yamlError(no, `duplicate key "${k}"`);
      out[k] = value(rest, ind, no);
      if (p >= lines.length || lines[p].ind < ind) return out;
      if (lines[p].ind > ind) throw yamlError(lines[p].no, 'unexpected indentation');
      if (/^-( |$)/.test(lines[p].text)) return out; // an indentless sequence's next item
      ({ text, no } = lines[p]);
      p++;
    }
  }

  function seq(ind) {
    const out = [];
    while (p < lines.length && lines[p].ind === ind && /^-( |$)/.test(lines[p].text)) {
      const { text, no } = lines[p];
      p++;
      const rest = text.slice(1).trim();
      if (rest === '') {
        out.push(nested(ind, no));
      } else if (splitKey(rest, no) && !/^["'[]/.test(rest) || /^"(?:[^"\\]|\\.)*"\s*:/.test(rest)) {
        // "- key: value": a mapping whose keys sit two columns in.
        out.push(map(ind + 2, rest, no));
      } else {
        out.push(scalar(rest, no));
      }
    }
    if (p < lines.length && lines[p].ind > ind) throw yamlError(lines[p].no, 'unexpected indentation');
    return out;
  }

  function node(ind) {
    const { text, no } = lines[p];
    if (/^-( |$)/.test(text)) return seq(ind);
    p++;
    return map(ind, text, no);
  }

  if (lines.length === 0) return null;
  if (lines[0].ind !== 0) throw yamlError(lines[0].no, 'the document must start at column 0');
  const doc = node(0);
  if (p < lines.length) throw yamlError(lines[p].no, 'unexpected content');
  return doc;
}

// ---------------------------------------------------------------- route tables

function scopeOf(sym) {
  if (sym === 'SCOPE_PUBLIC') return { kind: 'public' };
  if (sym === 'SCOPE_ANYKEY') return { kind: 'anykey' };
  const m = /^SCOPE_([A-Z_]+)_(READ|WRITE)$/.exec(sym);
  if (!m) return { kind: 'unknown', sym };
  return { kind: 'scope', name: `${m[1].toLowerCase().replace(/_/g, '-')}:${m[2].toLowerCase()}` };
}

// A "{*name}" segment (a slug or a token, not an id) keeps its name:
//   /status/{*slug}/badge/{cmp}.svg -> /status/{slug}/badge/{id}.svg
// and its path parameter is a required string with a pattern of its own.
function openapiPath(pattern) {
  const caps = [...pattern.matchAll(/\{([a-z0-9]+)\}/g)];
  const params = [];
  let i = 0;
  const p = pattern.replace(/\{(\*?)([a-zA-Z0-9]+)\}/g, (_, star, prefix) => {
    if (star) {
      params.push({ name: prefix, prefix: null });
      return `{${prefix}}`;
    }
    const name = ++i === caps.length ? 'id' : `${prefix}Id`;
    params.push({ name, prefix });
    return `{${name}}`;
  });
  return { path: p, params };
}

// The C text of a file with comments and strings kept (needed), split into
// the entries of "static const struct route routes[] = { ... };".
function routeEntries(src, file) {
  const start = src.search(/static\s+const\s+struct\s+route\s+\w+\s*\[\s*\]\s*=\s*\{/);
  if (start === -1) return null;
  let i = src.indexOf('{', src.indexOf('=', start)) + 1;
  const entries = [];
  let depth = 0;
  let cur = '';
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === '"') {
      const j = src.indexOf('"', i + 1);
      cur += src.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === '{') {
      depth++;
      if (depth === 1) { cur = ''; continue; }
    } else if (c === '}') {
      if (depth === 0) break;
      depth--;
      if (depth === 0) { entries.push(cur); continue; }
    }
    if (depth > 0) cur += c;
  }
  return entries.map((e) => e.replace(/\/\*[\s*\S]*?\*\//g, ' ').replace(/"\s+"/g, '').replace(/\s+/g, ' ').trim())
    .map((e) => ({ file, text: e }));
}

const ENTRY_RE = /^"([A-Z]+)"\s*,\s*"([^"]*)"\s*,\s*(SCOPE_[A-Z_]+)\s*,\s*(\w+)\s*,\s*(NULL|"[^"]*")\s*,\s*(NULL|\w+)\s*,\s*(.+)$/;

// The name tables of lib/: "const char *const name[...] = { "a", "b" }".
const NAME_TABLES = (() => {
  const tables = new Map();
  const libDir = path.join(ROOT, 'lib');
  for (const f of fs.readdirSync(libDir).filter((x) => x.endsWith('.c'))) {
    const src = fs.readFileSync(path.join(libDir, f), 'utf8');
    for (const m of src.matchAll(/const char \*const (\w+)\[[^\]]*\]\s*=\s*\{([^}]*)\}/g))
      tables.set(m[1], [...m[2].matchAll(/"([^"]*)"/g)].map((x) => x[1]));
  }
  return tables;
})();

// A route's query declaration (req.h): its parameters, in order, and for
// each Q_ENUM/Q_ENUM_DEF the names its table gives.
function querySpec(src, name) {
  if (name === 'NULL') return [];
  if (name === 'q_page') return [{ name: 'perPage' }, { name: 'cursor' }];
  const m = new RegExp(`static const struct qspec ${name}\\[\\]\\s*=\\s*\\{([\\s\\S]*?)\\};`).exec(src);
  if (!m) return null;
  const out = [];
  for (const e of m[1].matchAll(/Q_(ENUM_DEF|ENUM_SOME|ENUM|TEXT_OPT|TEXT|ID_OR|ID)\(\s*"(\w+)"\s*,\s*(\w+|"\w*")|Q_(WINDOW|PAGE)|Q_BOOL\(\s*"(\w+)"/g)) {
    if (e[5]) out.push({ name: e[5] });
    else if (e[4] === 'WINDOW') out.push({ name: 'from' }, { name: 'to' });
    else if (e[4] === 'PAGE') out.push({ name: 'perPage' }, { name: 'cursor' });
    else out.push({ name: e[2], names: e[1] === 'ENUM' || e[1] === 'ENUM_DEF' ? NAME_TABLES.get(e[3]) : undefined });
  }
  return out;
}

function loadRoutes() {
  const routes = [];
  const problems = [];
  const files = fs.readdirSync(CGI_DIR).filter((f) => f.endsWith('.c')).sort();
  for (const f of files) {
    const src = fs.readFileSync(path.join(CGI_DIR, f), 'utf8');
    const entries = routeEntries(src, f);
    if (entries === null) continue;
    for (const { text } of entries) {
      const m = ENTRY_RE.exec(text);
      if (!m) { problems.push(`cgi-bin/${f}: cannot read the route table entry { ${text} }`); continue; }
      const [, method, pattern, scopeSym, handler, action, query, flags] = m;
      const spec = querySpec(src, query);
      if (spec === null) { problems.push(`cgi-bin/${f}: cannot read the query declaration ${query}`); continue; }
      routes.push({
        file: f, src, method, pattern, scopeSym, scope: scopeOf(scopeSym), handler,
        action: action === 'NULL' ? null : action.slice(1, -1),
        query: spec.map((q) => q.name),
        querySpec: spec,
        body: /\bROUTE_BODY\b/.test(flags),
        rawBody: /\bROUTE_RAWBODY\b/.test(flags),
        ...openapiPath(pattern),
        key: `${method} ${openapiPath(pattern).path}`,
      });
    }
  }
  return { routes, files, problems };
}

// Statuses named in the comment right above the handler's definition.
function commentStatuses(route) {
  const re = new RegExp(`/\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*static\\s+int\\s+${route.handler}\\s*\\(`);
  const m = re.exec(route.src);
  if (!m) return null;
  return [...m[1].matchAll(/(?<![\w.])([1-5][0-9]{2})(?![\w.])/g)].map((x) => x[1]);
}

// ---------------------------------------------------------------- the document

let doc = {};
let parseError = null;
try {
  doc = parseYaml(fs.readFileSync(YAML_FILE, 'utf8')) ?? {};
} catch (e) {
  parseError = e;
}
const { routes, files, problems: tableProblems } = loadRoutes();

function resolve(obj) {
  const seen = new Set();
  while (obj && typeof obj === 'object' && typeof obj.$ref === 'string') {
    if (seen.has(obj.$ref)) throw new Error(`$ref loop at ${obj.$ref}`);
    seen.add(obj.$ref);
    const m = /^#\/(.*)$/.exec(obj.$ref);
    if (!m) throw new Error(`only local $refs are supported: ${obj.$ref}`);
    let cur = doc;
    for (const part of m[1].split('/')) {
      const k = part.replace(/~1/g, '/').replace(/~0/g, '~');
      if (cur == null || !(k in cur)) throw new Error(`$ref ${obj.$ref} does not resolve`);
      cur = cur[k];
    }
    obj = cur;
  }
  return obj;
}

function operations() {
  const ops = new Map();
  for (const [p, item] of Object.entries(doc.paths ?? {})) {
    for (const [m, o] of Object.entries(item ?? {})) {
      if (!METHODS.includes(m)) continue;
      ops.set(`${m.toUpperCase()} ${p}`, { path: p, method: m, item, op: o });
    }
  }
  return ops;
}

function params(entry) {
  const byKey = new Map();
  for (const p of [...(entry.item.parameters ?? []), ...(entry.op.parameters ?? [])]) {
    const r = resolve(p);
    byKey.set(`${r.in}:${r.name}`, r);
  }
  return [...byKey.values()];
}

function failWith(title, diffs) {
  if (diffs.length > 0)
    assert.fail(`${title}: ${diffs.length} difference(s)\n  - ${diffs.join('\n  - ')}`);
}

const ops = operations();
const matched = routes.filter((r) => ops.has(r.key));

// ---------------------------------------------------------------- tests

describe('docs/openapi.yaml against the route tables of cgi-bin/*.c', () => {
  it('reads the YAML subset and every route table', () => {
    if (parseError) throw parseError;
    assert.equal(doc.openapi, '3.1.0', 'openapi must be "3.1.0"');
    assert.ok(doc.paths && typeof doc.paths === 'object', 'no paths in docs/openapi.yaml');
    failWith('route tables', tableProblems);
    assert.ok(files.length > 0 && routes.length > 0, 'no route tables found in cgi-bin/*.c');
  });

  it('agrees with PyYAML when python3 has it', (t) => {
    const py = spawnSync('python3', ['-c',
      'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding="utf-8"))))',
      YAML_FILE], { encoding: 'utf8' });
    if (py.error || /No module named .?yaml/.test(py.stderr ?? '')) {
      t.skip('python3 with PyYAML is not available');
      return;
    }
    assert.equal(py.status, 0, `PyYAML cannot read docs/openapi.yaml:\n${py.stderr}`);
    assert.deepEqual(doc, JSON.parse(py.stdout), 'this test and PyYAML read docs/openapi.yaml differently');
  });

  it('documents every route and no other operation', () => {
    const diffs = [];
    const seen = new Map();
    for (const r of routes) {
      if (seen.has(r.key))
        diffs.push(`${r.method} ${r.pattern} appears twice (cgi-bin/${seen.get(r.key)} and cgi-bin/${r.file})`);
      seen.set(r.key, r.file);
      if (!ops.has(r.key))
        diffs.push(`missing from openapi.yaml: ${r.method.toLowerCase()} ${r.path} (cgi-bin/${r.file}: ${r.method} ${r.pattern})`);
    }
    for (const k of ops.keys())
      if (!seen.has(k)) diffs.push(`in openapi.yaml but in no route table: ${k}`);
    failWith('routes', diffs);
  });

  it('documents each route with the scope of its table entry', () => {
    const diffs = [];
    const schemes = doc.components?.securitySchemes ?? {};
    if (schemes.bearer?.type !== 'http' || schemes.bearer?.scheme !== 'bearer')
      diffs.push('components.securitySchemes.bearer must be {type: http, scheme: bearer}');
    for (const r of matched) {
      const { op } = ops.get(r.key);
      const sec = op.security ?? doc.security;
      const desc = op.description ?? '';
      let want;
      if (r.scope.kind === 'public') want = [];
      else if (r.scope.kind === 'anykey') want = [{ bearer: [] }];
      else if (r.scope.kind === 'scope') want = [{ bearer: [r.scope.name] }];
      else { diffs.push(`${r.key}: unknown scope ${r.scopeSym}`); continue; }
      if (JSON.stringify(sec ?? []) !== JSON.stringify(want))
        diffs.push(`${r.key}: security is ${JSON.stringify(sec ?? null)}, the table says ${r.scopeSym} (${JSON.stringify(want)})`);
      if (r.scope.kind === 'scope' && !desc.includes(r.scope.name))
        diffs.push(`${r.key}: the description does not name the scope ${r.scope.name}`);
      if (r.scope.kind === 'anykey' && !/any valid key/i.test(desc))
        diffs.push(`${r.key}: the description does not say "any valid key"`);
      if (r.scope.kind === 'public' && !/no key/i.test(desc))
        diffs.push(`${r.key}: the description does not say "no key"`);
      if (!op.summary) diffs.push(`${r.key}: no summary`);
    }
    failWith('scopes', diffs);
  });

  it('documents exactly the query parameters each route allows', () => {
    const diffs = [];
    for (const r of matched) {
      const have = params(ops.get(r.key)).filter((p) => p.in === 'query').map((p) => p.name);
      const missing = r.query.filter((q) => !have.includes(q));
      const extra = have.filter((q) => !r.query.includes(q));
      if (missing.length) diffs.push(`${r.key}: query parameters missing from openapi.yaml: ${missing.join(', ')}`);
      if (extra.length) diffs.push(`${r.key}: query parameters the route refuses (400 bad_query): ${extra.join(', ')}`);
      for (const p of params(ops.get(r.key)).filter((x) => x.in === 'query')) {
        if (!p.schema?.type) diffs.push(`${r.key}: query parameter ${p.name} has no schema type`);
        // An enum declared from a name table documents exactly its names.
        const names = r.querySpec.find((q) => q.name === p.name)?.names;
        if (names && JSON.stringify(p.schema?.enum) !== JSON.stringify(names))
          diffs.push(`${r.key}: query parameter ${p.name}: enum ${JSON.stringify(p.schema?.enum)}, the route's name table gives ${JSON.stringify(names)}`);
      }
    }
    failWith('query parameters', diffs);
  });

  it('types each {id} path parameter with its id pattern', () => {
    const diffs = [];
    for (const r of matched) {
      const ps = params(ops.get(r.key)).filter((p) => p.in === 'path');
      for (const { name, prefix } of r.params) {
        const p = ps.find((x) => x.name === name);
        const want = `^${prefix}_[0-9A-Za-z]{20}$`;
        if (!p) { diffs.push(`${r.key}: no path parameter "${name}"`); continue; }
        if (p.required !== true) diffs.push(`${r.key}: path parameter ${name} must be required`);
        if (prefix === null) {
          if (p.schema?.type !== 'string' || typeof p.schema?.pattern !== 'string')
            diffs.push(`${r.key}: path parameter ${name} must be {type: string, pattern: ...}`);
          continue;
        }
        if (p.schema?.type !== 'string' || p.schema?.pattern !== want)
          diffs.push(`${r.key}: path parameter ${name} must be {type: string, pattern: "${want}"}`);
      }
      const extra = ps.filter((p) => !r.params.some((x) => x.name === p.name));
      if (extra.length) diffs.push(`${r.key}: path parameters not in the path: ${extra.map((p) => p.name).join(', ')}`);
    }
    failWith('path parameters', diffs);
  });

  it('documents a closed JSON request body exactly on ROUTE_BODY routes', () => {
    const diffs = [];
    const closed = (s, where) => {
      s = resolve(s);
      if (Array.isArray(s?.oneOf)) { s.oneOf.forEach((x, i) => closed(x, `${where}.oneOf[${i}]`)); return; }
      if (s?.type !== 'object' || s?.additionalProperties !== false)
        diffs.push(`${where}: must be an object schema with additionalProperties: false`);
    };
    for (const r of matched) {
      const { op } = ops.get(r.key);
      const rb = resolve(op.requestBody);
      if (!r.body) {
        // ROUTE_RAWBODY (heartbeat pings): an optional body of any bytes.
        if (rb && r.rawBody) {
          if (rb.required === true || rb.content?.['application/json'])
            diffs.push(`${r.key}: a ROUTE_RAWBODY body is optional and not JSON`);
        } else if (rb) diffs.push(`${r.key}: documents a request body but the route has no ROUTE_BODY flag`);
        continue;
      }
      const schema = rb?.content?.['application/json']?.schema;
      if (!schema) { diffs.push(`${r.key}: ROUTE_BODY but no application/json request body`); continue; }
      if (rb.required !== true) diffs.push(`${r.key}: the request body must be required`);
      closed(schema, `${r.key} request body`);
    }
    failWith('request bodies', diffs);
  });

  it('documents every status the handler can answer, with its headers', () => {
    const diffs = [];
    const hasHeader = (resp, h) => Object.keys(resp?.headers ?? {}).some((k) => k.toLowerCase() === h.toLowerCase());
    for (const r of matched) {
      const { op } = ops.get(r.key);
      const responses = op.responses ?? {};
      const codes = Object.keys(responses);
      const fromComment = commentStatuses(r);
      if (fromComment === null) diffs.push(`${r.key}: cgi-bin/${r.file}: ${r.handler}() has no comment stating its statuses`);
      const want = new Set([...(fromComment ?? []), '400', '404', '405', '429', '500', '503']);
      if (r.scope.kind !== 'public') want.add('401');
      if (r.scope.kind === 'scope') want.add('403');
      if (r.body) { want.add('413'); want.add('415'); }
      const missing = [...want].filter((c) => !codes.includes(c)).sort();
      if (missing.length) diffs.push(`${r.key}: responses missing: ${missing.join(', ')}`);
      const ok = codes.filter((c) => /^2/.test(c));
      // A console form whose success is its redirect has no 2xx.
      if (ok.length !== 1 && !(ok.length === 0 && codes.includes('303')))
        diffs.push(`${r.key}: expected one 2xx response, found ${ok.join(', ') || 'none'}`);
      for (const c of codes) {
        const resp = resolve(responses[c]);
        if (!hasHeader(resp, 'X-Request-Id')) diffs.push(`${r.key} ${c}: no X-Request-Id header`);
        if (c === '422' && r.scope.kind === 'public' && resp?.content?.['text/html']) {
          // A console form shown again with its errors, for people.
          if (resolve(resp.content['text/html'].schema)?.type !== 'string') diffs.push(`${r.key} 422: text/html needs a string schema`);
        } else if (/^[45]/.test(c)) {
          const s = resolve(resp?.content?.['application/problem+json']?.schema);
          if (s !== resolve({ $ref: '#/components/schemas/ProblemDetails' }))
            diffs.push(`${r.key} ${c}: must be application/problem+json with the ProblemDetails schema`);
        } else if (c === '204' || c === '304' || c === '303') {
          // 303: a console form's redirect (POST, then GET).
          if (resp?.content) diffs.push(`${r.key} ${c}: must have no content`);
        } else if (resp?.content && !resp.content['application/json']) {
          // A public page for people or feed readers (HTML, SVG, Atom,
          // text), or the metrics for Prometheus: one media type with a
          // string schema.
          const types = Object.keys(resp.content);
          if (types.length !== 1 || resolve(resp.content[types[0]].schema)?.type !== 'string')
            diffs.push(`${r.key} ${c}: a non-JSON answer needs one media type with a string schema`);
        } else {
          const s = resolve(resp?.content?.['application/json']?.schema);
          if (!s?.properties?.data || !s?.properties?.meta || !(s.required ?? []).includes('data'))
            diffs.push(`${r.key} ${c}: must be the {data, meta} envelope`);
        }
      }
      const need = { 401: 'WWW-Authenticate', 403: 'WWW-Authenticate', 405: 'Allow', 429: 'Retry-After', 503: 'Retry-After', 201: 'Location' };
      // A public route's 403 (the console's refusals) is about no key.
      if (r.scope.kind === 'public') { delete need[401]; delete need[403]; }
      if (responses['303']) need[303] = 'Location';
      for (const [c, h] of Object.entries(need))
        if (responses[c] && !hasHeader(resolve(responses[c]), h)) diffs.push(`${r.key} ${c}: no ${h} header`);
      // A console page (HTML) lists in the page: its next page is a link there.
      if (r.query.includes('cursor') && !resolve(responses['200'])?.content?.['text/html']) {
        const s = resolve(resolve(responses['200'])?.content?.['application/json']?.schema);
        if (!hasHeader(resolve(responses['200']), 'Link')) diffs.push(`${r.key} 200: a list needs the Link header`);
        if (resolve(s?.properties?.meta) !== resolve({ $ref: '#/components/schemas/ListMeta' }))
          diffs.push(`${r.key} 200: a list's meta must be ListMeta (with pagination)`);
        if (s?.properties?.data?.type !== 'array') diffs.push(`${r.key} 200: a list's data must be an array`);
      }
    }
    failWith('responses', diffs);
  });

  it('resolves every $ref in the document', () => {
    const diffs = [];
    const walk = (v, where) => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}/${i}`));
      else if (v && typeof v === 'object') {
        if (typeof v.$ref === 'string') {
          try { resolve(v); } catch (e) { diffs.push(`${where}: ${e.message}`); }
        }
        for (const [k, x] of Object.entries(v)) walk(x, `${where}/${k}`);
      }
    };
    walk(doc, '#');
    failWith('$refs', diffs);
  });
});
