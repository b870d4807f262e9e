// The schema on PostgreSQL against the schema on SQLite (docs/scale-out.md
// "Schema on PostgreSQL"), no web server: a throwaway cluster
// (scripts/pg-cluster.sh) takes schema/pg/019_baseline.sql and each later
// schema/pg/NNN_*.sql, a SQLite file takes schema/NNN_*.sql with the
// sqlite3 CLI, and both must end with
//
// - the same tables, and in each the same columns in the same order, each
//   with the same type class (INTEGER as bigint, TEXT as text, BLOB as
//   bytea), NOT NULL, default, and "the database gives the id" (SQLite's
//   INTEGER PRIMARY KEY, a PostgreSQL identity column);
// - the same primary and unique keys, and foreign keys (columns, the table
//   and columns they name, ON DELETE and ON UPDATE);
// - the same indexes: names, uniqueness, columns (an expression as such)
//   with their order, and the WHERE of partial ones.
//
// The differences allowed: a PostgreSQL column named rowid, a BIGINT
// identity, in a table where SQLite has an implicit rowid (neither WITHOUT
// ROWID nor with an INTEGER PRIMARY KEY), for the queries that use it; and
// the tables PostgreSQL alone has: uptime_schema, its PRAGMA user_version,
// at 19 after the files (the migration runner moves it on, not the files),
// and rate_counters, the rate limits shared by the nodes (SQLite's
// programs count outside the database).
// Also: every migration after the baseline comes as a pair of files of the
// same name, and the comparison itself notices a column missing on either
// side.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './lib/harness.mjs';
import { startCluster } from './lib/pgcluster.mjs';

const SCHEMA = path.join(ROOT, 'schema');
const PG_SCHEMA = path.join(SCHEMA, 'pg');
const BASELINE = '019_baseline.sql';
const BASELINE_VERSION = 19;
const MIGRATION_RE = /^(\d{3})_.*\.sql$/;
const VERSION_TABLE = 'uptime_schema';
const PG_ONLY = [VERSION_TABLE, 'rate_counters'];

const migrations = (dir) => fs.readdirSync(dir).filter((f) => MIGRATION_RE.test(f)).sort();
const version = (f) => Number(MIGRATION_RE.exec(f)[1]);
const noDiffs = (diffs) => assert.deepEqual(diffs, [], `\n${diffs.join('\n')}`);

// ---- SQLite ----

function sqliteJson(db, sql) {
  const out = execFileSync('sqlite3', ['-json', db, sql], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.trim() === '' ? [] : JSON.parse(out);
}

const SQLITE_CLASS = { INTEGER: 'integer', TEXT: 'text', BLOB: 'blob' };

// An SQL expression (a default, the WHERE of a partial index) written
// comparably: no casts, no outer parentheses, single spaces.
function comparable(text) {
  if (text == null) return null;
  let s = String(text).replace(/::[a-z ]+/g, '').replace(/\s+/g, ' ').trim();
  while (/^\(.*\)$/.test(s) && balanced(s.slice(1, -1))) s = s.slice(1, -1).trim();
  return s;
}

function balanced(s) {
  let depth = 0;
  for (const c of s) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

// tables: name -> { columns: [{ name, type, notnull, dflt, auto }],
//   implicitRowid, keys: Set('pk(a,b)' | 'unique(a)'),
//   fks: Set('a -> t(b) ON DELETE x ON UPDATE y'),
//   indexes: Map(name -> { unique, cols, where }) }
function sqliteModel(db) {
  const q = (sql) => sqliteJson(db, sql);
  const TABLES = "m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";
  const tables = new Map();
  for (const t of q(`SELECT m.name, l.wr FROM sqlite_schema m, pragma_table_list(m.name) l
      WHERE ${TABLES} AND l.schema = 'main'`)) {
    tables.set(t.name, { columns: [], withoutRowid: t.wr === 1, keys: new Set(), fks: new Set(), indexes: new Map() });
  }
  for (const c of q(`SELECT m.name AS tbl, c.name, c.type, c."notnull" AS nn, c.dflt_value AS dflt, c.pk
      FROM sqlite_schema m, pragma_table_info(m.name) c WHERE ${TABLES} ORDER BY m.name, c.cid`)) {
    tables.get(c.tbl).columns.push({
      name: c.name, type: SQLITE_CLASS[c.type] || `other:${c.type}`,
      notnull: c.nn === 1 || c.pk > 0, dflt: comparable(c.dflt), pk: c.pk,
    });
  }
  for (const t of tables.values()) {
    const pk = t.columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    // INTEGER PRIMARY KEY: an alias of the rowid, given by the database.
    const ipk = !t.withoutRowid && pk.length === 1 && pk[0].type === 'integer';
    for (const c of t.columns) {
      c.auto = ipk && c === pk[0];
      delete c.pk;
    }
    t.implicitRowid = !t.withoutRowid && !ipk;
    delete t.withoutRowid;
    if (pk.length) t.keys.add(`pk(${pk.map((c) => c.name).join(',')})`);
  }
  const icols = q(`SELECT il.name AS idx, x.cid, x.name, x."desc" AS dsc
      FROM sqlite_schema m, pragma_index_list(m.name) il, pragma_index_xinfo(il.name) x
      WHERE ${TABLES} AND x.key = 1 ORDER BY il.name, x.seqno`);
  const colsOf = (name) => icols.filter((c) => c.idx === name);
  for (const i of q(`SELECT m.name AS tbl, il.name, il."unique" AS uniq, il.origin, s.sql
      FROM sqlite_schema m, pragma_index_list(m.name) il
      LEFT JOIN sqlite_schema s ON s.type = 'index' AND s.name = il.name WHERE ${TABLES}`)) {
    const t = tables.get(i.tbl);
    if (i.origin === 'u') {
      t.keys.add(`unique(${colsOf(i.name).map((c) => c.name).join(',')})`);
    } else if (i.origin === 'c') {
      const m = /\bWHERE\b([\s\S]*)$/i.exec(i.sql);
      t.indexes.set(i.name, {
        unique: i.uniq === 1,
        cols: colsOf(i.name).map((c) => (c.cid === -2 ? '<expression>' : c.name) + (c.dsc ? ' DESC' : '')),
        where: m ? comparable(m[1]) : null,
      });
    }
  }
  // One foreign key is as many rows as it has columns, by id.
  const fks = new Map();
  for (const f of q(`SELECT m.name AS tbl, f.id, f."table" AS ref, f."from" AS fr, f."to" AS tu,
      f.on_update AS upd, f.on_delete AS del
      FROM sqlite_schema m, pragma_foreign_key_list(m.name) f WHERE ${TABLES}
      ORDER BY m.name, f.id, f.seq`)) {
    const k = `${f.tbl}\0${f.id}`;
    if (!fks.has(k)) fks.set(k, { ...f, from: [], to: [] });
    fks.get(k).from.push(f.fr);
    fks.get(k).to.push(f.tu);
  }
  for (const f of fks.values()) {
    tables.get(f.tbl).fks.add(`${f.from.join(',')} -> ${f.ref}(${f.to.join(',')}) ON DELETE ${f.del} ON UPDATE ${f.upd}`);
  }
  return tables;
}

// ---- PostgreSQL ----

const PG_CLASS = { bigint: 'integer', text: 'text', bytea: 'blob' };
const PG_ACTION = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

function pgJson(pg, sql) {
  const out = pg.psql(`SELECT coalesce(json_agg(r), '[]') FROM (${sql}) r`);
  return JSON.parse(out);
}

function pgModel(pg) {
  const q = (sql) => pgJson(pg, sql);
  const REL = "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'";
  const tables = new Map();
  for (const t of q(`SELECT c.relname AS name FROM pg_class c ${REL} WHERE c.relkind = 'r'`)) {
    tables.set(t.name, { columns: [], keys: new Set(), fks: new Set(), indexes: new Map() });
  }
  const cols = q(`SELECT c.relname AS tbl, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
      a.attnotnull AS nn, pg_get_expr(d.adbin, d.adrelid) AS dflt, a.attidentity <> '' AS auto
      FROM pg_class c ${REL}
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE c.relkind = 'r' ORDER BY c.relname, a.attnum`);
  for (const c of cols) {
    tables.get(c.tbl).columns.push({ name: c.name, type: PG_CLASS[c.type] || `other:${c.type}`, notnull: c.nn, dflt: comparable(c.dflt), auto: c.auto });
  }
  const attnames = (rel, keys) => `(SELECT array_agg(a.attname ORDER BY x.o) FROM unnest(${keys}) WITH ORDINALITY x(n, o)
      JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = x.n)`;
  const cons = q(`SELECT c.relname AS tbl, k.contype AS kind, ${attnames('k.conrelid', 'k.conkey')} AS cols,
      f.relname AS ref, ${attnames('k.confrelid', 'k.confkey')} AS refcols,
      k.confdeltype AS del, k.confupdtype AS upd
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid ${REL}
      LEFT JOIN pg_class f ON f.oid = k.confrelid
      WHERE k.contype IN ('p', 'u', 'f')`);
  for (const k of cons) {
    const t = tables.get(k.tbl);
    if (k.kind === 'p') t.keys.add(`pk(${k.cols.join(',')})`);
    else if (k.kind === 'u') t.keys.add(`unique(${k.cols.join(',')})`);
    else t.fks.add(`${k.cols.join(',')} -> ${k.ref}(${k.refcols.join(',')}) ON DELETE ${PG_ACTION[k.del]} ON UPDATE ${PG_ACTION[k.upd]}`);
  }
  // The indexes made by CREATE INDEX: not those of a key.
  const idx = q(`SELECT c.relname AS tbl, i.relname AS name, x.indisunique AS uniq,
      pg_get_expr(x.indpred, x.indrelid) AS "where",
      (SELECT json_agg(CASE WHEN x.indkey[k - 1] = 0 THEN '<expression>' ELSE
          (SELECT attname FROM pg_attribute WHERE attrelid = x.indrelid AND attnum = x.indkey[k - 1]) END
          || CASE WHEN x.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END ORDER BY k)
       FROM generate_series(1, x.indnkeyatts) k) AS cols
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid ${REL}
      WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid
          AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))`);
  for (const i of idx) {
    tables.get(i.tbl).indexes.set(i.name, { unique: i.uniq, cols: i.cols, where: comparable(i.where) });
  }
  return tables;
}

// ---- the comparison ----

const show = (v) => JSON.stringify(v);

// Every difference between the SQLite model a and the PostgreSQL model b,
// one line each, naming the table and what differs, sorted.
function schemaDiffs(a, b) {
  const diffs = [];
  for (const name of a.keys()) if (!b.has(name)) diffs.push(`table ${name}: missing on PostgreSQL`);
  for (const name of b.keys()) if (!a.has(name) && !PG_ONLY.includes(name)) diffs.push(`table ${name}: missing on SQLite`);
  for (const [name, s] of a) {
    const p = b.get(name);
    if (!p) continue;
    // PostgreSQL's stand-in for an implicit rowid.
    const pcols = p.columns.filter((c) => !(c.name === 'rowid' && s.implicitRowid && c.type === 'integer' && c.auto &&
      !s.columns.some((x) => x.name === 'rowid')));
    const sNames = s.columns.map((c) => c.name), pNames = pcols.map((c) => c.name);
    for (const c of sNames) if (!pNames.includes(c)) diffs.push(`${name}.${c}: column missing on PostgreSQL`);
    for (const c of pNames) if (!sNames.includes(c)) diffs.push(`${name}.${c}: column missing on SQLite`);
    const common = sNames.filter((c) => pNames.includes(c));
    if (show(common) !== show(pNames.filter((c) => sNames.includes(c)))) {
      diffs.push(`${name}: columns in another order: SQLite ${sNames.join(', ')}; PostgreSQL ${pNames.join(', ')}`);
    }
    for (const c of common) {
      const sc = s.columns.find((x) => x.name === c), pc = pcols.find((x) => x.name === c);
      for (const f of ['type', 'notnull', 'dflt', 'auto']) {
        if (sc[f] !== pc[f]) diffs.push(`${name}.${c}: ${f} ${show(sc[f])} on SQLite, ${show(pc[f])} on PostgreSQL`);
      }
    }
    for (const [what, sv, pv] of [['key', s.keys, p.keys], ['foreign key', s.fks, p.fks]]) {
      for (const k of sv) if (!pv.has(k)) diffs.push(`${name}: ${what} ${k} missing on PostgreSQL`);
      for (const k of pv) if (!sv.has(k)) diffs.push(`${name}: ${what} ${k} missing on SQLite`);
    }
    for (const i of s.indexes.keys()) if (!p.indexes.has(i)) diffs.push(`${name}: index ${i} missing on PostgreSQL`);
    for (const i of p.indexes.keys()) if (!s.indexes.has(i)) diffs.push(`${name}: index ${i} missing on SQLite`);
    for (const [i, si] of s.indexes) {
      const pi = p.indexes.get(i);
      if (pi && show(si) !== show(pi)) diffs.push(`${name}: index ${i} is ${show(si)} on SQLite, ${show(pi)} on PostgreSQL`);
    }
  }
  return diffs.sort();
}

// ---- the tests ----

describe('the schema on PostgreSQL and on SQLite', () => {
  let pg, dir, sqliteTables, pgTables;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uptime-pgschema-'));
    const db = path.join(dir, 'sqlite.db');
    const sql = migrations(SCHEMA).map((f) => fs.readFileSync(path.join(SCHEMA, f), 'utf8')).join('\n');
    execFileSync('sqlite3', [db], { input: sql, encoding: 'utf8' });
    sqliteTables = sqliteModel(db);

    pg = startCluster();
    for (const f of migrations(PG_SCHEMA)) pg.psqlFile(path.join(PG_SCHEMA, f));
    pgTables = pgModel(pg);
  });

  after(() => {
    if (pg) pg.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('schema/pg has the baseline and, after it, one file for each migration of the same name', () => {
    const sqlite = migrations(SCHEMA), postgres = migrations(PG_SCHEMA);
    const diffs = [];
    if (!postgres.includes(BASELINE)) diffs.push(`schema/pg/${BASELINE}: missing`);
    for (const f of postgres) {
      if (f === BASELINE) continue;
      if (version(f) <= BASELINE_VERSION) diffs.push(`schema/pg/${f}: at or before the baseline (${BASELINE_VERSION})`);
      else if (!sqlite.includes(f)) diffs.push(`schema/pg/${f}: no schema/${f}`);
    }
    for (const f of sqlite) {
      if (version(f) > BASELINE_VERSION && !postgres.includes(f)) diffs.push(`schema/${f}: no schema/pg/${f}`);
    }
    noDiffs(diffs);
  });

  it('both engines have the same tables, columns, keys, foreign keys and indexes', () => {
    assert.ok(sqliteTables.size >= 30, `only ${sqliteTables.size} tables on SQLite`);
    noDiffs(schemaDiffs(sqliteTables, pgTables));
  });

  it('the PostgreSQL database says it is at the baseline\'s version', () => {
    // One row.
    assert.equal(pg.psql(`SELECT string_agg(version::text, ',') FROM ${VERSION_TABLE}`).trim(), String(BASELINE_VERSION));
  });

  it('every integer column is bigint, and the ids the database gives are identities', () => {
    const types = new Set();
    for (const t of pgTables.values()) for (const c of t.columns) types.add(c.type);
    assert.deepEqual([...types].sort(), ['blob', 'integer', 'text']);
    const auto = [];
    for (const [name, t] of pgTables) for (const c of t.columns) if (c.auto) auto.push(`${name}.${c.name}`);
    assert.deepEqual(auto.sort(), ['check_results.id', 'checker_state.id', 'incident_updates.rowid', 'location_events.id',
      'monitor_events.id', 'notification_attempts.id', 'pings.id']);
  });

  it('the comparison notices a column missing on either side (negative)', () => {
    const without = (model, table, column) => {
      const copy = new Map([...model].map(([k, t]) => [k, { ...t, columns: [...t.columns] }]));
      copy.get(table).columns = copy.get(table).columns.filter((c) => c.name !== column);
      return copy;
    };
    // Whatever else differs, these and only these are new.
    const base = schemaDiffs(sqliteTables, pgTables);
    assert.deepEqual(schemaDiffs(without(sqliteTables, 'monitors', 'quorum'), pgTables),
      [...base, 'monitors.quorum: column missing on SQLite'].sort(), 'SQLite without monitors.quorum');
    assert.deepEqual(schemaDiffs(sqliteTables, without(pgTables, 'sessions', 'ip')),
      [...base, 'sessions.ip: column missing on PostgreSQL'].sort(), 'PostgreSQL without sessions.ip');
  });

  it('rows go in without an id and come out with one, in the order they went in', () => {
    pg.psql(`INSERT INTO teams (id, name, created_at) VALUES ('team_1', 't', 1);
      INSERT INTO status_pages (id, team_id, name, slug, title, created_at, updated_at)
          VALUES ('sp_1', 'team_1', 'p', 'p', 'p', 1, 1);
      INSERT INTO incidents (id, page_id, team_id, title, status, impact, started_at, created_at, updated_at)
          VALUES ('inc_1', 'sp_1', 'team_1', 'i', 'investigating', 'none', 1, 1, 1);
      INSERT INTO incident_updates (id, incident_id, status, message, created_at)
          VALUES ('iu_b', 'inc_1', 'investigating', 'first', 5), ('iu_a', 'inc_1', 'resolved', 'second', 5);
      INSERT INTO monitors (id, team_id, name, type, interval_s, timeout_s, confirmations, next_check_at,
          created_at, updated_at) VALUES ('mon_1', 'team_1', 'm', 'http', 60, 10, 1, 0, 1, 1);
      INSERT INTO check_results (monitor_id, checked_at, status) VALUES ('mon_1', 1, 'up'), ('mon_1', 2, 'down');`);
    // lib/incident.c's STMT_UPDATES, as it is.
    assert.equal(pg.psql(`SELECT string_agg(message, ',') FROM (SELECT message FROM incident_updates
        WHERE incident_id = 'inc_1' ORDER BY created_at DESC, rowid DESC) u`).trim(), 'second,first');
    assert.equal(pg.psql('SELECT string_agg(id::text, \',\' ORDER BY id) FROM check_results').trim(), '1,2');
  });
});
