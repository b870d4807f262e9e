// The include graph of lib/: a module is a .c (or .cc) file with its .h
// of the same name, or a header alone; an edge is an `#include "..."` of
// another module.  The graph has no cycle, no module of lib/ includes the
// programs' header uptime.h, and every edge goes to a layer at or below
// the includer's in docs/architecture.md's table of modules, which names
// each module of lib/ once.  Each failure names the file, the line and,
// for a cycle, the way round.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/harness.mjs';

const LIB = path.join(ROOT, 'lib');
const noDiffs = (diffs) => assert.deepEqual(diffs, [], `\n${diffs.join('\n')}`);

// module -> Map(included module -> 'lib/file:line' of the first include)
export function includeGraph(dir = LIB) {
  const files = fs.readdirSync(dir).filter((f) => /\.(c|cc|h|def)$/.test(f));
  const mod = (f) => f.replace(/\.(c|cc|h|def)$/, '');
  const known = new Set(files);
  const graph = new Map(files.map((f) => [mod(f), new Map()]));
  for (const f of files) {
    const lines = fs.readFileSync(path.join(dir, f), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const m = /^\s*#\s*include\s+"([^"]+)"/.exec(line);
      if (!m || !known.has(m[1])) return;
      const from = mod(f), to = mod(m[1]);
      if (from !== to && !graph.get(from).has(to)) graph.get(from).set(to, `lib/${f}:${i + 1}`);
    });
  }
  return graph;
}

// Each cycle once, as the list of modules along it (Tarjan's strongly
// connected components, then a shortest way round each of them).
export function cycles(graph) {
  let index = 0;
  const idx = new Map(), low = new Map(), on = new Set(), stack = [], comps = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of graph.get(v).keys()) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const c = [];
      let w;
      do { w = stack.pop(); on.delete(w); c.push(w); } while (w !== v);
      if (c.length > 1) comps.push(c);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return comps.map((c) => {
    const inC = new Set(c), start = [...c].sort()[0];
    // breadth-first from start back to start within the component
    const prev = new Map([[start, null]]);
    const queue = [start];
    let end = null;
    while (queue.length && !end) {
      const v = queue.shift();
      for (const w of graph.get(v).keys()) {
        if (!inC.has(w)) continue;
        if (w === start) { end = v; break; }
        if (!prev.has(w)) { prev.set(w, v); queue.push(w); }
      }
    }
    const way = [];
    for (let v = end; v !== null; v = prev.get(v)) way.unshift(v);
    way.push(start);
    return way.map((v, i) => i + 1 < way.length ? `${v} (${graph.get(v).get(way[i + 1])})` : v).join(' -> ');
  });
}

const DOC = 'docs/architecture.md';

// module -> layer number, from the table under "## The layers of lib/":
// rows "| N | what | `mod` `mod` ... |".
function layerTable() {
  const text = fs.readFileSync(path.join(ROOT, DOC), 'utf8');
  const at = text.indexOf('## The layers of lib/');
  assert.ok(at >= 0, `${DOC}: no "## The layers of lib/" section`);
  const layers = new Map(), diffs = [];
  for (const line of text.slice(at).split('\n')) {
    const m = /^\|\s*(\d+)\s*\|[^|]*\|([^|]*)\|\s*$/.exec(line);
    if (!m) continue;
    for (const [, mod] of m[2].matchAll(/`([^`]+)`/g)) {
      if (layers.has(mod)) diffs.push(`${DOC}: module ${mod} in layers ${layers.get(mod)} and ${m[1]}`);
      layers.set(mod, Number(m[1]));
    }
  }
  noDiffs(diffs);
  return layers;
}

describe('the include graph of lib/', () => {
  const graph = includeGraph();

  it('has no cycle', () => {
    noDiffs(cycles(graph).map((c) => `include cycle: ${c}`));
  });

  it('each include goes to the same layer or a lower one (docs/architecture.md)', () => {
    const layers = layerTable();
    const diffs = [];
    for (const m of graph.keys()) if (!layers.has(m)) diffs.push(`${DOC}: module ${m} of lib/ is in no layer of the table`);
    for (const m of layers.keys()) if (!graph.has(m)) diffs.push(`${DOC}: module ${m} of the table is not in lib/`);
    for (const [m, to] of graph) {
      for (const [t, where] of to) {
        if (layers.has(m) && layers.has(t) && layers.get(t) > layers.get(m))
          diffs.push(`${where}: ${m} (layer ${layers.get(m)}) includes ${t} (layer ${layers.get(t)}), a higher layer`);
      }
    }
    noDiffs(diffs);
  });

  it('no module of lib/ includes uptime.h, the programs\' header', () => {
    noDiffs([...graph].filter(([m, to]) => m !== 'uptime' && to.has('uptime'))
      .map(([m, to]) => `${to.get('uptime')}: includes uptime.h; include the headers of the modules it uses`));
  });
});
