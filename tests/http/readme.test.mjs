// The README's curl example works against a real server.
//
// A fenced ```sh block right after a line "<!-- tested: NAME -->" is run
// with sh, http://127.0.0.1:8080 replaced by the test server's address and
// UPTIME_KEY set to a key with every scope.  The block marked
// "curl-example" must exist.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, ROOT, noteSecret } from './lib/harness.mjs';

const README = path.join(ROOT, 'README.md');

// [{ name, code }] for each tested block.
function testedBlocks(text) {
  const lines = text.split(/\r?\n/);
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^<!--\s*tested:\s*([\w-]+)\s*-->\s*$/.exec(lines[i]);
    if (!m) continue;
    assert.equal(lines[i + 1], '```sh', `README.md:${i + 2}: the line after the "tested: ${m[1]}" marker must be \`\`\`sh`);
    const body = [];
    let j = i + 2;
    for (; j < lines.length && !/^```\s*$/.test(lines[j]); j++) body.push(lines[j]);
    assert.ok(j < lines.length, `README.md:${i + 2}: the "${m[1]}" block is not closed`);
    out.push({ name: m[1], line: i + 1, code: body.join('\n') });
  }
  return out;
}

let srv;
let key;

before(async () => {
  srv = await startServer();
  const team = await srv.createTeam('Readme');
  key = await srv.createKey(team, { name: 'readme' });
});

after(async () => { await srv?.stop(); });

function sh(code, env) {
  return new Promise((resolve) => {
    execFile('sh', ['-c', code], { env, timeout: 30000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('README.md', () => {
  it('has a tested curl example', () => {
    assert.ok(fs.existsSync(README), 'README.md is missing');
    const blocks = testedBlocks(fs.readFileSync(README, 'utf8'));
    assert.ok(blocks.some((b) => b.name === 'curl-example'),
      'README.md has no "<!-- tested: curl-example -->" line followed by a ```sh block');
  });

  it('every tested block runs and prints a JSON answer with "data"', async () => {
    const blocks = testedBlocks(fs.readFileSync(README, 'utf8'));
    assert.ok(blocks.length > 0, 'no tested blocks in README.md');
    for (const b of blocks) {
      assert.ok(b.code.includes('http://127.0.0.1:8080'), `README.md:${b.line}: the ${b.name} block does not use http://127.0.0.1:8080`);
      const code = b.code.replaceAll('http://127.0.0.1:8080', srv.baseUrl);
      const r = await sh(code, { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp', UPTIME_KEY: key });
      assert.equal(r.code, 0, `README.md:${b.line}: ${b.name} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /"data"/, `README.md:${b.line}: ${b.name} printed no "data":\n${r.stdout}`);
      for (const m of r.stdout.matchAll(/uptime_[0-9A-Za-z]{38}/g)) noteSecret(m[0]);
    }
  });
});
