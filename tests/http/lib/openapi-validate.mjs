// Every answer the HTTP tests receive, checked against docs/openapi.yaml.
//
// validateAnswer({ method, path, status, headers, text, json }) finds the
// operation the request reached and throws an AssertionError naming the
// operation, the status and what is wrong when the answer is not what the
// document says:
//
//   - the request path (an absolute URL, a query and a mount prefix such
//     as /uptime are dropped: routing starts at the first segment that is
//     exactly v1 or status, as lib/router.c does) is matched against the
//     path templates ("{name}" takes a segment, or its start when a literal
//     suffix follows, as in "{id}.svg", and must match its parameter's
//     schema: an id of another shape is an unknown path, as for the
//     router), most literal segments first, so /v1/api-keys/current is not
//     /v1/api-keys/{id};
//   - the status must be one of the operation's responses (or a "4XX"
//     range, or "default"): an undocumented status is a failure;
//   - the Content-Type must be one of that response's media types, and the
//     body must match its schema (Ajv, JSON Schema 2020-12 as OpenAPI 3.1
//     has it, with ajv-formats), read as closed: an object schema that
//     lists properties and does not say additionalProperties accepts no
//     other member (see closeSchema); a response without content must have
//     an empty body;
//   - headers marked required must be there, and every documented header
//     that is there must match its schema.
//
// HEAD uses GET's operation and has no body to check.  OPTIONS (CORS
// preflights), unknown paths and paths of another server are checked only
// as problems: an application/problem+json body must be ProblemDetails.  A
// method a known path has no operation for must be answered 405, as the
// MethodNotAllowed response describes.
//
// UPTIME_OPENAPI_VALIDATE=0 switches this off (for debugging); then the npm
// packages are not even loaded.  They come from tests/http/node_modules:
// `npm ci --prefix tests/http` (make http does it).

import assert from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const OPENAPI_FILE = path.resolve(HERE, '../../../docs/openapi.yaml');
export const ENABLED = process.env.UPTIME_OPENAPI_VALIDATE !== '0';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
// $refs to schemas are rewritten to point into one schema Ajv knows by this id.
const ROOT_ID = 'urn:uptime:openapi';

let state = null;   // { doc, ajv, ajvClosed, paths, cache }, made on first use

async function loadPackages() {
  try {
    const [{ default: YAML }, { default: Ajv2020 }, { default: addFormats }] = await Promise.all([
      import('yaml'), import('ajv/dist/2020.js'), import('ajv-formats'),
    ]);
    return { YAML, Ajv2020, addFormats };
  } catch (e) {
    throw new Error(`the OpenAPI validator needs its npm packages (${e.message}): ` +
      'run "npm ci --prefix tests/http" (make http does), or set UPTIME_OPENAPI_VALIDATE=0');
  }
}

const pkgs = ENABLED ? await loadPackages() : null;

// ---- the document ----------------------------------------------------------

function pointer(doc, ref) {
  const m = /^#\/(.*)$/.exec(ref);
  if (!m) throw new Error(`docs/openapi.yaml: only local $refs are supported: ${ref}`);
  let cur = doc;
  for (const part of m[1].split('/')) {
    const k = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur == null || typeof cur !== 'object' || !(k in cur)) throw new Error(`docs/openapi.yaml: $ref ${ref} does not resolve`);
    cur = cur[k];
  }
  return cur;
}

// Follow $refs of objects that are not schemas (responses, headers,
// parameters, media types).
function deref(doc, obj) {
  const seen = new Set();
  while (obj && typeof obj === 'object' && typeof obj.$ref === 'string') {
    if (seen.has(obj.$ref)) throw new Error(`docs/openapi.yaml: $ref loop at ${obj.$ref}`);
    seen.add(obj.$ref);
    obj = pointer(doc, obj.$ref);
  }
  return obj;
}

// A copy of a schema whose "#/components/schemas/X" refs point into the
// schema registered as ROOT_ID (which holds components.schemas as $defs).
function rewriteRefs(schema) {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string') {
      const m = /^#\/components\/schemas\/(.+)$/.exec(v);
      if (!m) throw new Error(`docs/openapi.yaml: a schema $ref must point into #/components/schemas: ${v}`);
      out.$ref = `${ROOT_ID}#/$defs/${m[1]}`;
    } else {
      out[k] = rewriteRefs(v);
    }
  }
  return out;
}

function load() {
  if (state) return state;
  const { YAML, Ajv2020, addFormats } = pkgs;
  const doc = YAML.parse(fs.readFileSync(OPENAPI_FILE, 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  // OpenAPI's own schema keywords (annotations for this purpose).
  ajv.addVocabulary(['discriminator', 'xml', 'externalDocs', 'example']);
  ajv.addSchema({ $id: ROOT_ID, $defs: rewriteRefs(doc.components?.schemas ?? {}) });
  // Closed body schemas (closeSchema) have no $refs left; the
  // unevaluatedProperties added beside an allOf has no "type" with it.
  const ajvClosed = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
  addFormats(ajvClosed);
  ajvClosed.addVocabulary(['discriminator', 'xml', 'externalDocs', 'example']);

  // Path templates, most literal segments first.
  const paths = [];
  for (const [tpl, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = deref(doc, rawItem);
    const segs = tpl.split('/').slice(1);
    const ops = {};
    for (const m of METHODS) {
      if (item[m]) ops[m.toUpperCase()] = { path: tpl, method: m.toUpperCase(), op: item[m], item };
    }
    const esc = (lit) => lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp('^/' + segs.map((seg) => seg.split(/(\{[^}]*\})/)
      .map((x) => (/^\{.*\}$/.test(x) ? `(?<${x.slice(1, -1)}>[^/]+)` : esc(x))).join('')).join('/') + '$');
    // Path parameters: the path item's, then each operation's.
    const params = {};
    for (const raw of [...(item.parameters ?? []), ...Object.values(ops).flatMap((o) => o.op.parameters ?? [])]) {
      const prm = deref(doc, raw);
      if (prm?.in === 'path' && !(prm.name in params)) params[prm.name] = prm;
    }
    paths.push({ tpl, segs, re, params, literal: segs.filter((x) => !x.includes('{')).length, ops });
  }
  paths.sort((a, b) => b.literal - a.literal);
  state = { doc, ajv, ajvClosed, paths, cache: new Map() };
  return state;
}

// The validating function of a schema found at `where`, compiled once per
// distinct schema (the many responses that are ProblemDetails share one).
function validatorFor(where, schema, { closed = false } = {}) {
  const { cache } = state;
  const key = (closed ? 'closed ' : '') + JSON.stringify(schema);
  let v = cache.get(key);
  if (!v) {
    try {
      v = closed ? state.ajvClosed.compile(closeSchema(schema)) : state.ajv.compile(rewriteRefs(schema));
    } catch (e) {
      throw new Error(`docs/openapi.yaml: the schema at ${where} does not compile: ${e.message}`);
    }
    cache.set(key, v);
  }
  return v;
}

// A copy of a response schema, its $refs inlined, in which every object
// schema that lists properties and says nothing about others is closed
// (unevaluatedProperties: false): an answer member the document does not
// describe is a failure.  The branches of an allOf are left open and the
// allOf itself is closed, so that ApiKeyWithSecret = allOf [ApiKey, {key}]
// accepts key.
function closeSchema(schema, inAllOf = false, depth = 0) {
  if (depth > 64) throw new Error('docs/openapi.yaml: schema $refs nest too deep (a loop?)');
  if (Array.isArray(schema)) return schema.map((x) => closeSchema(x, inAllOf, depth + 1));
  if (!schema || typeof schema !== 'object') return schema;
  if (typeof schema.$ref === 'string') {
    const { $ref, ...rest } = schema;
    if (!Object.keys(rest).length) return closeSchema(pointer(state.doc, $ref), inAllOf, depth + 1);
    // Siblings of a $ref (a description, a default): the $ref as an allOf.
    return closeSchema({ ...rest, allOf: [{ $ref }, ...(rest.allOf ?? [])] }, inAllOf, depth + 1);
  }
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' || k === 'patternProperties' || k === '$defs') {
      out[k] = Object.fromEntries(Object.entries(v).map(([n, x]) => [n, closeSchema(x, false, depth + 1)]));
    } else if (k === 'allOf') {
      out[k] = v.map((x) => closeSchema(x, true, depth + 1));
    } else if (k === 'oneOf' || k === 'anyOf') {
      out[k] = v.map((x) => closeSchema(x, inAllOf, depth + 1));
    } else if (['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames'].includes(k)) {
      out[k] = closeSchema(v, false, depth + 1);
    } else {
      out[k] = v;
    }
  }
  const open = ['additionalProperties', 'unevaluatedProperties', 'patternProperties'].some((k) => k in schema);
  if (!inAllOf && !open && (schema.properties || schema.allOf)) out.unevaluatedProperties = false;
  return out;
}

// ---- requests ------------------------------------------------------------------

// The path the router sees (lib/router.c, router_strip_mount): no scheme
// and host, no query or fragment, and nothing before the first segment
// that is exactly v1 or status (the path as it is when there is none).
export function routedPath(urlPath) {
  let p = String(urlPath);
  if (/^[a-z]+:\/\//i.test(p)) p = new URL(p).pathname;
  p = p.replace(/[?#].*$/s, '');
  const segs = p.split('/');
  const i = segs.findIndex((x, j) => j > 0 && (x === 'v1' || x === 'status'));
  return i < 1 ? p : '/' + segs.slice(i).join('/');
}

// { tpl, ops } of the path template that matches, or null.  A template
// matches when each path parameter also matches its schema: an id of
// another shape is an unknown path (404) for the router too.
function matchPath(p) {
  for (const entry of state.paths) {
    const m = entry.re.exec(p);
    if (!m) continue;
    const ok = Object.entries(m.groups ?? {}).every(([name, value]) => {
      const schema = entry.params[name]?.schema;
      return !schema || validatorFor(`${entry.tpl} parameter ${name}`, schema)(value);
    });
    if (ok) return entry;
  }
  return null;
}

// The operation a request reaches: { kind: 'operation', op, ... },
// { kind: 'method', path } (known path, no such operation) or
// { kind: 'none' } (OPTIONS, an unknown path, not this API).
export function findOperation(method, urlPath) {
  load();
  const m = method.toUpperCase();
  const p = routedPath(urlPath);
  if (m === 'OPTIONS') return { kind: 'none', path: p };
  const entry = matchPath(p);
  if (!entry) return { kind: 'none', path: p };
  const found = entry.ops[m] ?? (m === 'HEAD' ? entry.ops.GET : undefined);
  if (!found) return { kind: 'method', path: entry.tpl };
  return { kind: 'operation', ...found, head: m === 'HEAD' };
}

// ---- answers -------------------------------------------------------------------

function headerGetter(headers) {
  if (!headers) return () => null;
  if (typeof headers.get === 'function') return (n) => headers.get(n);
  const lower = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return (n) => lower[n.toLowerCase()] ?? null;
}

function ajvErrors(errors) {
  return (errors ?? []).slice(0, 20).map((e) => {
    const extra = e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '';
    return `${e.instancePath || '(root)'} ${e.message}${extra}`;
  });
}

function mediaBase(ct) {
  return (ct ?? '').split(';')[0].trim().toLowerCase();
}

const isJsonMedia = (mt) => mt === 'application/json' || /\+json$/.test(mt);

// The response object of a status: exact, then "4XX", then "default".
function responseFor(responses, status) {
  const s = String(status);
  for (const k of [s, `${s[0]}XX`, `${s[0]}xx`, 'default']) {
    if (responses && Object.prototype.hasOwnProperty.call(responses, k)) return { code: k, resp: responses[k] };
  }
  return null;
}

// Check one answer against a response object; returns the list of problems.
function checkResponse(where, resp, { head, get, text, json }) {
  const { doc } = state;
  const problems = [];
  resp = deref(doc, resp);

  for (const [rawName, rawHeader] of Object.entries(resp.headers ?? {})) {
    if (rawName.toLowerCase() === 'content-type') continue;
    const h = deref(doc, rawHeader);
    const value = get(rawName);
    if (value === null || value === undefined) {
      if (h.required === true) problems.push(`the required header ${rawName} is missing`);
      continue;
    }
    if (!h.schema) continue;
    const s = deref(doc, h.schema);
    const types = [].concat(s.type ?? []);
    let v = value;
    if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?$/.test(value)) v = Number(value);
    const validate = validatorFor(`${where} header ${rawName}`, h.schema);
    if (!validate(v)) problems.push(`header ${rawName}: ${JSON.stringify(value)}: ${ajvErrors(validate.errors).join('; ')}`);
  }

  const ct = get('content-type');
  const mt = mediaBase(ct);
  const content = resp.content ?? null;
  if (!content || Object.keys(content).length === 0) {
    if (!head && text) problems.push(`documented without content, but the body is ${JSON.stringify(text.slice(0, 200))}`);
    return problems;
  }
  const media = Object.keys(content).find((k) => k.toLowerCase() === mt);
  if (!media) {
    if (head && !ct) return problems;
    problems.push(`Content-Type ${JSON.stringify(ct)} is not one of ${Object.keys(content).join(', ')}`);
    return problems;
  }
  if (head) return problems;
  const schema = content[media]?.schema;
  if (!schema) return problems;
  if (isJsonMedia(mt) && json === undefined) {
    problems.push(`the body is not JSON: ${JSON.stringify((text ?? '').slice(0, 200))}`);
    return problems;
  }
  const validate = validatorFor(`${where} ${media}`, schema, { closed: true });
  if (!validate(isJsonMedia(mt) ? json : text)) {
    problems.push(`the body does not match the schema:\n    ${ajvErrors(validate.errors).join('\n    ')}`);
  }
  return problems;
}

function fail(title, problems, { status, get, text }) {
  const excerpt = (text ?? '').length > 600 ? `${text.slice(0, 600)}...` : (text ?? '');
  throw new assert.AssertionError({
    message: `docs/openapi.yaml: ${title}:\n  - ${problems.join('\n  - ')}\n` +
      `answer: ${status} ${get('content-type') ?? '(no Content-Type)'}\n${excerpt}\n` +
      '(UPTIME_OPENAPI_VALIDATE=0 switches this check off)',
  });
}

// Check an answer; throws an AssertionError when it disagrees with
// docs/openapi.yaml.  headers: a fetch Headers object or a plain object.
// json: the parsed body (undefined when there is none or it is not JSON).
export function validateAnswer({ method, path: urlPath, status, headers, text = '', json }) {
  if (!ENABLED) return;
  load();
  const get = headerGetter(headers);
  const m = method.toUpperCase();
  const found = findOperation(m, urlPath);
  const ctx = { status, get, text };
  const isProblem = mediaBase(get('content-type')) === 'application/problem+json';
  const generic = { $ref: '#/components/schemas/ProblemDetails' };

  if (found.kind === 'none') {
    if (isProblem && m !== 'HEAD') {
      const problems = checkResponse('ProblemDetails', { content: { 'application/problem+json': { schema: generic } } },
        { head: false, get, text, json });
      if (problems.length) fail(`${m} ${urlPath} (no operation) answered ${status}`, problems, ctx);
    }
    return;
  }

  if (found.kind === 'method') {
    const title = `${m} ${found.path} (no such operation) answered ${status}`;
    if (status !== 405) fail(title, [`a method the path has no operation for must be answered 405 method_not_allowed`], ctx);
    const problems = checkResponse('#/components/responses/MethodNotAllowed',
      { $ref: '#/components/responses/MethodNotAllowed' }, { head: m === 'HEAD', get, text, json });
    if (problems.length) fail(title, problems, ctx);
    return;
  }

  const name = found.op.operationId ? ` (${found.op.operationId})` : '';
  const title = `${m} ${found.path}${name} answered ${status}`;
  const r = responseFor(found.op.responses, status);
  if (!r) {
    fail(title, [`status ${status} is not documented (documented: ${Object.keys(found.op.responses ?? {}).join(', ')})`], ctx);
  }
  const where = `paths.${found.path}.${found.method.toLowerCase()}.responses.${r.code}`;
  const problems = checkResponse(where, r.resp, { head: found.head, get, text, json });
  if (problems.length) fail(title, problems, ctx);
}

// Compile every schema of the document (each operation's responses and
// their headers, and components.schemas); returns the errors as strings.
export function compileAll() {
  load();
  const errors = [];
  const { doc } = state;
  for (const name of Object.keys(doc.components?.schemas ?? {})) {
    try { validatorFor(`#/components/schemas/${name}`, { $ref: `#/components/schemas/${name}` }); } catch (e) { errors.push(e.message); }
  }
  for (const { tpl, ops } of state.paths) {
    for (const { method, op } of Object.values(ops)) {
      for (const [code, rawResp] of Object.entries(op.responses ?? {})) {
        const where = `paths.${tpl}.${method.toLowerCase()}.responses.${code}`;
        try {
          const resp = deref(doc, rawResp);
          for (const [h, rawH] of Object.entries(resp.headers ?? {})) {
            const hd = deref(doc, rawH);
            if (hd.schema) validatorFor(`${where} header ${h}`, hd.schema);
          }
          for (const [mt, media] of Object.entries(resp.content ?? {})) {
            if (!media?.schema) continue;
            validatorFor(`${where} ${mt}`, media.schema);
            validatorFor(`${where} ${mt}`, media.schema, { closed: true });
          }
        } catch (e) {
          errors.push(e.message);
        }
      }
    }
  }
  return errors;
}
