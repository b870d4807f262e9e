// README's examples work against a real server.
//
// A fenced ```sh block right after a line "<!-- tested: NAME -->" is run
// with sh, http://127.0.0.1:8080 replaced by the test server's address,
// https://example.com by a local web site (the server lets monitors
// reach private addresses) and UPTIME_KEY set to a key with every scope.
// The blocks that share a NAME are one walkthrough: they run in order,
// as one script, so that a step sees the variables of the steps before.
// The blocks "curl-example" and "first-monitor" must exist; what each
// must print and leave behind is checked below.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, ROOT, noteSecret } from './lib/harness.mjs';
import { startHttpTarget } from './lib/targets.mjs';
import { assertOk } from './lib/checks.mjs';

const README = path.join(ROOT, 'README.md');
const STEP = '@@ next step @@';

// { NAME: [{ line, code }] } for each tested block, in README's order.
function testedBlocks(text) {
  const lines = text.split(/\r?\n/);
  const out = {};
  for (let i = 0; i < lines.length; i++) {
    const m = /^<!--\s*tested:\s*([\w-]+)\s*-->\s*$/.exec(lines[i]);
    if (!m) continue;
    assert.equal(lines[i + 1], '```sh', `README.md:${i + 2}: the line after the "tested: ${m[1]}" marker must be \`\`\`sh`);
    const body = [];
    let j = i + 2;
    for (; j < lines.length && !/^```\s*$/.test(lines[j]); j++) body.push(lines[j]);
    assert.ok(j < lines.length, `README.md:${i + 2}: the "${m[1]}" block is not closed`);
    assert.ok(body.join('\n').includes('http://127.0.0.1:8080'), `README.md:${i + 1}: the ${m[1]} block does not use http://127.0.0.1:8080`);
    (out[m[1]] ??= []).push({ line: i + 1, code: body.join('\n') });
  }
  return out;
}

let srv;
let key;
let site;
let blocks;

before(async () => {
  site = await startHttpTarget((req, res) => { res.end('<h1>Example</h1>'); });
  srv = await startServer({ allowPrivate: true });
  const team = await srv.createTeam('Readme');
  key = await srv.createKey(team, { name: 'readme' });
  blocks = testedBlocks(fs.readFileSync(README, 'utf8'));
});

after(async () => {
  await srv?.stop();
  await site?.close();
});

// Run the blocks of one name as one script, stopping at the first
// failure; resolves with each block's output.
async function walk(name) {
  const steps = blocks[name];
  assert.ok(steps?.length, `README.md has no "<!-- tested: ${name} -->" line followed by a \`\`\`sh block`);
  const script = 'set -e\n' + steps.map((b) => b.code.replaceAll('http://127.0.0.1:8080', srv.baseUrl)
    .replaceAll('https://example.com', site.url('/').replace(/\/$/, ''))).join(`\necho '${STEP}'\n`);
  const { code, stdout, stderr } = await new Promise((resolve) => {
    execFile('sh', ['-c', script], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp', UPTIME_KEY: key }, timeout: 60000, encoding: 'utf8',
    }, (err, out, errOut) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: out, stderr: errOut }));
  });
  for (const m of stdout.matchAll(/uptime_[0-9A-Za-z]{38}/g)) noteSecret(m[0]);
  const outs = stdout.split(`${STEP}\n`);
  assert.equal(code, 0, `README.md:${steps[Math.min(outs.length, steps.length) - 1].line}: ${name} exited ${code}\n${stdout}\n${stderr}`);
  assert.equal(outs.length, steps.length);
  return outs.map((out, i) => ({ line: steps[i].line, out }));
}

describe('README.md', () => {
  it('the curl example prints a JSON answer with "data"', async () => {
    for (const { line, out } of await walk('curl-example')) {
      assert.match(out, /"data"/, `README.md:${line}: printed no "data":\n${out}`);
    }
  });

  it('the first-monitor walkthrough: a monitor, a check, its results, a status page that shows it', async () => {
    const [made, checked, results, page, opened] = await walk('first-monitor');
    const id = made.out.trim();
    assert.match(id, /^mon_[0-9A-Za-z]{20}$/, `README.md:${made.line}: printed ${made.out}`);
    const m = assertOk(await srv.api('GET', `/v1/monitors/${id}`, { key }));
    assert.match(m.url, new RegExp(`^http://127\\.0\\.0\\.1:${site.port}/?$`));
    assert.equal(m.status, 'up');
    assert.equal(JSON.parse(checked.out).status, 'up', `README.md:${checked.line}: ${checked.out}`);
    assert.ok(site.hits('/') >= 1, 'the site was checked');
    assert.match(results.out, /^\d{4}-\d\d-\d\dT[\d:.]+Z up \d+ ms$/m, `README.md:${results.line}: ${results.out}`);
    const url = page.out.trim();
    assert.equal(url, `${srv.baseUrl}/status/example`, `README.md:${page.line}`);
    const pages = assertOk(await srv.api('GET', '/v1/status-pages', { key }));
    assert.deepEqual(pages.map((p) => p.components.map((c) => c.monitorId)), [[id]]);
    assert.match(opened.out, /^<!DOCTYPE html>/i, `README.md:${opened.line}: ${opened.out.slice(0, 300)}`);
    assert.ok(opened.out.includes(m.name), `README.md:${opened.line}: the page does not name the monitor ${m.name}`);
  });
});
