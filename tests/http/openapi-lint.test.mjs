// docs/openapi.yaml passes a standard OpenAPI linter (Redocly CLI, the
// "recommended" rules as configured in tests/http/redocly.yaml), and every
// schema in it compiles as JSON Schema 2020-12 under Ajv in strict mode, as
// the answer validator (lib/openapi-validate.mjs) uses them.
//
// Any error or warning fails: a deliberate exception is a rule switched off
// in redocly.yaml, with its reason.  No server is started.  The linter comes
// from tests/http/node_modules (npm ci --prefix tests/http; make http does it).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPENAPI_FILE, compileAll, ENABLED } from './lib/openapi-validate.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REDOCLY = path.join(HERE, 'node_modules', '.bin', 'redocly');
const CONFIG = path.join(HERE, 'redocly.yaml');

// Run "redocly lint" on a file; resolves with { code, report, stderr, ms }.
function lint(file) {
  return new Promise((resolve, reject) => {
    if (!fs.existsSync(REDOCLY)) {
      reject(new Error(`${REDOCLY} is missing: run "npm ci --prefix tests/http" (make http does)`));
      return;
    }
    const env = {
      ...process.env,
      // No usage reports and no update check: nothing leaves the machine.
      REDOCLY_TELEMETRY: 'off',
      REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
      NO_COLOR: '1',
    };
    const t0 = performance.now();
    execFile(REDOCLY, ['lint', '--config', CONFIG, '--format=json', file],
      { cwd: HERE, env, timeout: 120000, maxBuffer: 64 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        let report = null;
        try { report = JSON.parse(stdout); } catch { /* reported below */ }
        resolve({ code, report, stdout, stderr, ms: performance.now() - t0 });
      });
  });
}

function describeProblems(report) {
  return (report?.problems ?? []).map((p) => {
    const loc = p.location?.[0];
    const where = loc ? `${path.basename(loc.source?.ref ?? '?')}:${loc.start?.line ?? '?'} ${loc.pointer ?? ''}` : '?';
    return `${p.severity} ${p.ruleId}: ${p.message} (${where})`;
  });
}

describe('docs/openapi.yaml under a standard OpenAPI linter', () => {
  it('has no lint errors or warnings', async (t) => {
    const r = await lint(OPENAPI_FILE);
    t.diagnostic(`redocly lint took ${Math.round(r.ms)} ms`);
    assert.ok(r.report?.totals, `redocly lint printed no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    const { errors, warnings } = r.report.totals;
    const list = describeProblems(r.report);
    assert.ok(errors === 0 && warnings === 0,
      `redocly lint: ${errors} error(s), ${warnings} warning(s):\n  - ${list.join('\n  - ')}`);
    assert.equal(r.code, 0, `redocly lint exited ${r.code}:\n${r.stderr}`);
  });

  // Negative case: the linter really runs and fails a broken document (a
  // missing summary, an unresolved $ref, no servers).
  it('fails a broken document (negative case: the linter runs)', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'uptime-lint-'));
    try {
      const bad = path.join(dir, 'bad.yaml');
      await fsp.writeFile(bad, [
        'openapi: "3.1.0"',
        'info:',
        '  title: broken',
        '  version: "1"',
        'paths:',
        '  /v1/things:',
        '    get:',
        '      responses:',
        '        "200":',
        '          description: ok',
        '          content:',
        '            application/json:',
        '              schema:',
        '                $ref: "#/components/schemas/Missing"',
        '',
      ].join('\n'));
      const r = await lint(bad);
      assert.notEqual(r.code, 0, 'redocly lint passed a broken document');
      const rules = (r.report?.problems ?? []).map((p) => p.ruleId);
      assert.ok(rules.includes('no-unresolved-refs'), `no-unresolved-refs not reported: ${rules.join(', ')}`);
      assert.ok(rules.includes('operation-summary'), `operation-summary not reported: ${rules.join(', ')}`);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('compiles every schema under Ajv (JSON Schema 2020-12, strict)', (t) => {
    if (!ENABLED) { t.skip('UPTIME_OPENAPI_VALIDATE=0'); return; }
    const errors = compileAll();
    assert.deepEqual(errors, [], `schemas that do not compile:\n  - ${errors.join('\n  - ')}`);
  });
});
