// A throwaway PostgreSQL cluster for a test file, through
// scripts/pg-cluster.sh: startCluster() makes one in a new temporary
// folder and resolves with { dir, uri, psql(sql), psqlFile(file),
// pgctl(action), stop() }; pgctl('stop') and pgctl('start') stop and start
// its server in place (a restart under running programs); stop() ends the
// server and removes the folder (again: nothing).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, psqlRun } from './harness.mjs';

export const PG_CLUSTER = path.join(ROOT, 'scripts', 'pg-cluster.sh');
const PGBIN = process.env.PGBIN || '/usr/lib/postgresql/15/bin';

export function startCluster() {
  // Its own folder: the script wants it empty and hands it to postgres.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uptime-pg-'));
  let uri;
  try {
    uri = execFileSync(PG_CLUSTER, ['start', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    // The script's stop, else (no script) the folder if it is empty.
    try { execFileSync(PG_CLUSTER, ['stop', dir], { stdio: 'ignore' }); } catch {
      try { fs.rmdirSync(dir); } catch { /* kept: said below */ }
    }
    throw new Error(`pg-cluster.sh start ${dir} failed:\n${e.stderr || e.message}`);
  }
  return {
    dir,
    uri,
    // One statement's rows, unaligned, no header.
    psql: (sql) => psqlRun(uri, ['-At', '-c', sql]),
    // A file in one transaction.
    psqlFile: (file) => psqlRun(uri, ['--single-transaction', '-f', file]),
    pgctl: (action) => {
      const args = [path.join(PGBIN, 'pg_ctl'), '-D', path.join(dir, 'data'), '-w', '-t', '60',
        ...(action === 'stop' ? ['-m', 'fast'] : ['-l', path.join(dir, 'server.log')]), action];
      const [file, ...rest] = process.getuid() === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args;
      execFileSync(file, rest, { stdio: 'ignore' });
    },
    stop: () => execFileSync(PG_CLUSTER, ['stop', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  };
}
