// Probe locations (probes.fcgi, docs/locations.md): the locations API with
// the monitors:* scopes, a monitor's "locations", the agents' lease and
// report routes with a location token, and uptime-probe itself against
// this server, all through the real web server.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  startServer, runCron, noteSecret, sleep, CRONDIR, SANITIZER_ENV, SANITIZER_RE, BASE62, keyChecksum, PG,
} from './lib/harness.mjs';
import {
  assertOk, assertProblem, assertNoChange, assertUnauthorized, assertForbidden, TIME_RE,
} from './lib/checks.mjs';
import { startHttpTarget, closedPort } from './lib/targets.mjs';

const LOC_ID_RE = /^loc_[0-9A-Za-z]{20}$/;
const TOKEN_RE = /^uptloc_[0-9A-Za-z]{38}$/;
const GHOST_LOC = 'loc_' + 'A'.repeat(20);
const GHOST_LEASE = 'lse_' + 'A'.repeat(20);

let srv, web, team, admin, readOnly, writeOnly, alertsOnly, otherTeam, otherKey;

const api = (...a) => srv.api(...a);

async function mkLocation(body = { name: 'Frankfurt', region: 'eu-central' }, key = admin) {
  const loc = assertOk(await api('POST', '/v1/locations', { key, body }), 201);
  noteSecret(loc.token);
  return loc;
}
async function mkMonitor(body, key = admin) {
  return assertOk(await api('POST', '/v1/monitors', { key, body: { name: 'web', url: web.url('/ok'), ...body } }), 201);
}
const lease = (token, body = {}) => api('POST', '/v1/agent/leases', { key: token, body });
const report = (token, results) => api('POST', '/v1/agent/results', { key: token, body: { results } });
const results = async (id) => assertOk(await api('GET', `/v1/monitors/${id}/results`, { key: admin }));

// A result as uptime-probe reports it, for a lease.
const upResult = (leaseId, extra = {}) => ({
  leaseId, checkedAt: new Date().toISOString(), status: 'up', responseTimeMs: 12, statusCode: 200,
  error: null, timings: { dnsMs: 0, connectMs: 1, tlsMs: 0, firstByteMs: 2 }, ssl: null, ...extra,
});

// A well-formed location token no server issued.
function makeToken() {
  let r = '';
  for (let i = 0; i < 32; i++) r += BASE62[Math.floor(Math.random() * 62)];
  return `uptloc_${r}${keyChecksum(r)}`;
}

before(async () => {
  web = await startHttpTarget((req, res) => {
    res.statusCode = req.url === '/down' ? 503 : 200;
    res.end('ok');
  });
  srv = await startServer({ allowPrivate: true, env: { UPTIME_RATE_LIMIT: '1000000' } });
  team = await srv.createTeam('Probes team');
  admin = await srv.createKey(team, { name: 'admin' });
  readOnly = await srv.createKey(team, { name: 'reader', scopes: ['monitors:read'] });
  writeOnly = await srv.createKey(team, { name: 'writer', scopes: ['monitors:write'] });
  alertsOnly = await srv.createKey(team, { name: 'alerts', scopes: ['alerts:read', 'alerts:write'] });
  otherTeam = await srv.createTeam('Other team');
  otherKey = await srv.createKey(otherTeam, { name: 'other admin' });
});

after(async () => {
  await srv?.stop();
  await web?.close();
});

describe('locations', () => {
  it('creates a location with its token once, and reads it back without it', async () => {
    const res = await api('POST', '/v1/locations', { key: admin, body: { name: 'Frankfurt', region: 'eu-central' } });
    const loc = assertOk(res, 201);
    noteSecret(loc.token);
    assert.match(loc.id, LOC_ID_RE);
    assert.match(loc.token, TOKEN_RE);
    assert.equal(loc.tokenPrefix, loc.token.slice(0, 15));
    assert.equal(loc.name, 'Frankfurt');
    assert.equal(loc.region, 'eu-central');
    assert.equal(loc.status, 'offline');
    assert.equal(loc.lastSeenAt, null);
    assert.equal(loc.builtIn, false);
    assert.match(loc.createdAt, TIME_RE);
    assert.match(res.headers.get('location'), new RegExp(`/v1/locations/${loc.id}$`));
    const got = assertOk(await api('GET', `/v1/locations/${loc.id}`, { key: readOnly }));
    assert.equal(got.token, undefined);
    const { token, ...shown } = loc;
    assert.ok(token);
    assert.deepEqual(got, shown);
    const list = assertOk(await api('GET', '/v1/locations', { key: readOnly }));
    assert.ok(list.some((l) => l.id === loc.id && l.token === undefined));
    // Only the keyed hash is stored.
    const hex = PG ? "encode(token_hash, 'hex')" : 'hex(token_hash)';
    const row = srv.sql(`SELECT ${hex} AS h, token_prefix FROM locations WHERE id = '${loc.id}'`);
    assert.doesNotMatch(JSON.stringify(row), new RegExp(loc.token));
  });

  it('renames, changes and clears the region, and rotates the token', async () => {
    const loc = await mkLocation();
    let got = assertOk(await api('PATCH', `/v1/locations/${loc.id}`, { key: writeOnly, body: { name: 'FRA-1' } }));
    assert.equal(got.name, 'FRA-1');
    assert.equal(got.region, 'eu-central');
    got = assertOk(await api('PATCH', `/v1/locations/${loc.id}`, { key: admin, body: { region: null } }));
    assert.equal(got.region, null);
    const rot = assertOk(await api('POST', `/v1/locations/${loc.id}/rotate-token`, { key: admin }));
    noteSecret(rot.token);
    assert.match(rot.token, TOKEN_RE);
    assert.notEqual(rot.token, loc.token);
    assertUnauthorized(await lease(loc.token), 'invalid_key');
    assertOk(await lease(rot.token));
  });

  it('the built-in local location is this host\'s checker, and cannot be changed', async () => {
    let local = assertOk(await api('GET', '/v1/locations/local', { key: readOnly }));
    assert.equal(local.id, 'local');
    assert.equal(local.builtIn, true);
    assert.equal(local.status, 'offline');
    await mkMonitor({});
    await runCron(srv, 'uptime-check', ['--once']);
    local = assertOk(await api('GET', '/v1/locations/local', { key: readOnly }));
    assert.equal(local.status, 'online');
    assert.match(local.lastSeenAt, TIME_RE);
    for (const m of ['PATCH', 'DELETE']) {
      const res = await api(m, '/v1/locations/local', { key: admin, body: m === 'PATCH' ? { name: 'x' } : undefined });
      assertProblem(res, 405, 'method_not_allowed');
    }
    assertProblem(await api('POST', '/v1/locations/local/rotate-token', { key: admin }), 404, 'not_found');
  });

  it('negative: bad fields are refused, naming each, and change nothing', async () => {
    const bad = [
      [{}, ['/name']],
      [{ name: '' }, ['/name']],
      [{ name: 'x'.repeat(256) }, ['/name']],
      [{ name: 'x', region: 'r'.repeat(65) }, ['/region']],
      [{ name: 'x', region: 7 }, ['/region']],
      [{ name: 'x', id: GHOST_LOC }, ['/id']],
      [{ name: 'x', token: makeToken() }, ['/token']],
      [{ name: 'x', colour: 'red' }, ['/colour']],
    ];
    for (const [body, pointers] of bad) {
      const res = await assertNoChange(srv, () => api('POST', '/v1/locations', { key: admin, body }));
      assertProblem(res, 400, null, { pointers, codes: ['validation_error', 'unknown_field', 'read_only_field'] });
    }
    const loc = await mkLocation();
    const res = await assertNoChange(srv, () => api('PATCH', `/v1/locations/${loc.id}`, { key: admin, body: { name: '' } }));
    assertProblem(res, 400, 'validation_error', { pointers: ['/name'] });
    assertProblem(await api('POST', '/v1/locations', { key: admin, rawBody: '{"name":' }), 400, 'malformed_json');
    assertProblem(await api('POST', '/v1/locations', { key: admin, rawBody: 'x'.repeat(1024 * 1024 + 1) }), 413, 'body_too_large');
  });

  it('negative: scopes are those of monitors (403), and a key is needed (401)', async () => {
    const loc = await mkLocation();
    assertForbidden(await api('GET', '/v1/locations', { key: alertsOnly }), 'monitors:read');
    assertForbidden(await api('GET', `/v1/locations/${loc.id}`, { key: writeOnly }), 'monitors:read');
    assertForbidden(await api('POST', '/v1/locations', { key: readOnly, body: { name: 'x' } }), 'monitors:write');
    assertForbidden(await api('PATCH', `/v1/locations/${loc.id}`, { key: readOnly, body: { name: 'x' } }), 'monitors:write');
    assertForbidden(await api('DELETE', `/v1/locations/${loc.id}`, { key: readOnly }), 'monitors:write');
    assertForbidden(await api('POST', `/v1/locations/${loc.id}/rotate-token`, { key: readOnly }), 'monitors:write');
    assertUnauthorized(await api('GET', '/v1/locations'), 'missing_credentials', { presented: false });
    // A location token is no API key.
    assertUnauthorized(await api('GET', '/v1/locations', { key: loc.token }), 'invalid_key');
  });

  it("negative: another team's location is 404 everywhere, and cannot be named by a monitor", async () => {
    const loc = await mkLocation();
    for (const [m, p, body] of [['GET', ''], ['PATCH', '', { name: 'x' }], ['DELETE', ''], ['POST', '/rotate-token']]) {
      const res = await assertNoChange(srv, () => api(m, `/v1/locations/${loc.id}${p}`, { key: otherKey, body }));
      assertProblem(res, 404, 'not_found');
    }
    assertProblem(await api('GET', `/v1/locations/${GHOST_LOC}`, { key: admin }), 404, 'not_found');
    assertProblem(await api('GET', '/v1/locations/loc_short', { key: admin }), 404, 'not_found');
    const list = assertOk(await api('GET', '/v1/locations', { key: otherKey }));
    assert.ok(!list.some((l) => l.id === loc.id));
    const res = await assertNoChange(srv, () => api('POST', '/v1/monitors', {
      key: otherKey, body: { name: 'x', url: web.url('/ok'), locations: [loc.id] },
    }));
    assertProblem(res, 400, 'validation_error', { pointers: ['/locations/0'] });
  });

  it('deletes a location no monitor names; refuses while one does (409)', async () => {
    const loc = await mkLocation();
    const mon = await mkMonitor({ locations: ['local', loc.id] });
    const res = await assertNoChange(srv, () => api('DELETE', `/v1/locations/${loc.id}`, { key: admin }));
    assertProblem(res, 409, 'conflict');
    assertOk(await api('PATCH', `/v1/monitors/${mon.id}`, { key: admin, body: { locations: ['local'] } }));
    const del = await api('DELETE', `/v1/locations/${loc.id}`, { key: admin });
    assert.equal(del.status, 204);
    assertProblem(await api('GET', `/v1/locations/${loc.id}`, { key: admin }), 404, 'not_found');
    assertUnauthorized(await lease(loc.token), 'invalid_key');
  });
});

describe("a monitor's locations", () => {
  it('defaults to ["local"], takes locations of the team, and refuses bad lists', async () => {
    const mon = await mkMonitor({});
    assert.deepEqual(mon.locations, ['local']);
    const loc = await mkLocation();
    const both = assertOk(await api('PATCH', `/v1/monitors/${mon.id}`, { key: admin, body: { locations: [loc.id, 'local'] } }));
    assert.deepEqual(both.locations, [loc.id, 'local']);
    const bad = [
      [[], '/locations'],
      ['local', '/locations'],
      [['local', 'local'], '/locations/1'],
      [['remote'], '/locations/0'],
      [[GHOST_LOC], '/locations/0'],
      [Array.from({ length: 17 }, () => 'local'), '/locations'],
    ];
    for (const [locations, pointer] of bad) {
      const res = await assertNoChange(srv, () => api('PATCH', `/v1/monitors/${mon.id}`, { key: admin, body: { locations } }));
      assertProblem(res, 400, 'validation_error', { pointers: [pointer] });
    }
    const hb = await api('POST', '/v1/monitors', { key: admin, body: { name: 'hb', type: 'heartbeat', locations: [loc.id] } });
    assertProblem(hb, 400, 'validation_error', { pointers: ['/locations'] });
  });

  it("this host's checker leaves a monitor that does not name local to its locations", async () => {
    const loc = await mkLocation();
    const mon = await mkMonitor({ locations: [loc.id] });
    assert.equal(mon.nextCheckAt, null, "not on this host's schedule");
    await runCron(srv, 'uptime-check', ['--once']);
    assert.equal((await results(mon.id)).length, 0);
  });
});

describe('the agent routes', () => {
  it('lease the due checks of the monitors naming the location, and take their results once', async () => {
    const loc = await mkLocation();
    const mon = await mkMonitor({ locations: [loc.id], intervalSeconds: 60 });
    const first = assertOk(await lease(loc.token));
    assert.equal(first.location, loc.id);
    const mine = first.leases.filter((l) => l.monitorId === mon.id);
    assert.equal(mine.length, 1);
    const l = mine[0];
    assert.equal(l.check.url, web.url('/ok'));
    assert.equal(l.check.type, 'http');
    assert.equal(l.check.timeoutSeconds, 10);
    assert.ok(Date.parse(l.expiresAt) > Date.now());
    // Leased: not handed out twice.
    const again = assertOk(await lease(loc.token));
    assert.ok(!again.leases.some((x) => x.monitorId === mon.id));

    const ans = assertOk(await report(loc.token, [upResult(l.leaseId)]));
    assert.deepEqual([ans.accepted, ans.refused], [1, []]);
    // The check just reported is planned anew, from its planned time:
    // the answer says when to lease again.
    assert.equal(Date.parse(ans.nextDueAt), Date.parse(l.dueAt) + 60e3);
    const rs = await results(mon.id);
    assert.equal(rs.length, 1);
    assert.equal(rs[0].location, loc.id);
    assert.equal(rs[0].status, 'up');
    assert.equal(rs[0].dueAt, l.dueAt);
    const m = assertOk(await api('GET', `/v1/monitors/${mon.id}`, { key: admin }));
    assert.equal(m.status, 'up');
    const seen = assertOk(await api('GET', `/v1/locations/${loc.id}`, { key: admin }));
    assert.equal(seen.status, 'online');
    assert.match(seen.lastSeenAt, TIME_RE);

    // The next check is planned from the planned time.
    const next = assertOk(await lease(loc.token));
    assert.ok(!next.leases.some((x) => x.monitorId === mon.id));
    assert.equal(Date.parse(next.nextDueAt) - Date.parse(l.dueAt) <= 60000, true);
  });

  it('results of one location: ?location=local or a location id; bad values are 400', async () => {
    const loc = await mkLocation();
    const mon = await mkMonitor({ locations: ['local', loc.id], intervalSeconds: 60 });
    // One result here (a check on demand) and one from the location.
    assertOk(await api('POST', `/v1/monitors/${mon.id}/check`, { key: admin }));
    const l = assertOk(await lease(loc.token)).leases.find((x) => x.monitorId === mon.id);
    const ans = assertOk(await report(loc.token, [upResult(l.leaseId)]));
    assert.deepEqual([ans.accepted, ans.refused], [1, []]);
    const of = async (q) => assertOk(await api('GET', `/v1/monitors/${mon.id}/results?${q}`, { key: admin }));
    assert.deepEqual((await results(mon.id)).map((x) => x.location).sort(), [loc.id, 'local'].sort());
    assert.deepEqual((await of('location=local')).map((x) => x.location), ['local']);
    assert.deepEqual((await of(`location=${loc.id}`)).map((x) => x.location), [loc.id]);
    for (const bad of ['LOCAL', 'loc_short', 'mon_' + 'A'.repeat(20), '']) {
      const r = await api('GET', `/v1/monitors/${mon.id}/results?location=${bad}`, { key: admin });
      assertProblem(r, 400, 'bad_query');
    }
  });

  it('negative: ?location= naming no location of the team is 400 on results, stats and outages', async () => {
    const mine = await mkLocation({ name: 'mine' });
    const theirs = await mkLocation({ name: 'theirs' }, otherKey);
    const mon = await mkMonitor({ locations: ['local', mine.id] });
    for (const route of ['results', 'stats', 'outages']) {
      for (const id of [GHOST_LOC, theirs.id]) {
        const r = await api('GET', `/v1/monitors/${mon.id}/${route}?location=${id}`, { key: readOnly });
        const p = assertProblem(r, 400, 'bad_query');
        assert.match(p.detail, new RegExp(`^location must be .*${id}`), `${route}: ${p.detail}`);
      }
      for (const bad of ['LOCAL', 'loc_short', 'mon_' + 'A'.repeat(20), '']) {
        const r = await api('GET', `/v1/monitors/${mon.id}/${route}?location=${bad}`, { key: readOnly });
        assertProblem(r, 400, 'bad_query');
      }
      // A query value is checked before the monitor is looked up.
      assertProblem(await api('GET', `/v1/monitors/mon_${'A'.repeat(20)}/${route}?location=${theirs.id}`, { key: readOnly }),
        400, 'bad_query');
      assertProblem(await api('GET', `/v1/monitors/mon_${'A'.repeat(20)}/${route}?location=${mine.id}`, { key: readOnly }),
        404, 'not_found');
      // The other team's own monitor and location answer it.
      assertOk(await api('GET', `/v1/monitors/${mon.id}/${route}?location=${mine.id}`, { key: readOnly }));
      assertOk(await api('GET', `/v1/monitors/${mon.id}/${route}?location=local`, { key: readOnly }));
    }
  });

  it('rollups written before they were kept by location count in the monitor\'s stats, in no location\'s', async () => {
    const mon = await mkMonitor({});
    assertOk(await api('POST', `/v1/monitors/${mon.id}/check`, { key: admin }));
    // A row as schema/023 left the older ones: location ''.
    const hour = Math.floor(Date.now() / 3600e3) * 3600e3;
    srv.sqlWrite(`INSERT INTO rollups_hourly (monitor_id, bucket, total, up, degraded, down, samples, sum_ms, location) VALUES ('${mon.id}', ${hour - 3600e3}, 5, 4, 0, 1, 0, 0, '')`);
    const stats = async (q) => assertOk(await api('GET', `/v1/monitors/${mon.id}/stats${q}`, { key: admin })).windows['24h'];
    assert.deepEqual((await stats('')).checks, { total: 6, up: 5, degraded: 0, down: 1 });
    const local = await stats('?location=local');
    assert.deepEqual(local.checks, { total: 1, up: 1, degraded: 0, down: 0 });
    assert.equal(local.uptimePercent, 100);
  });

  it('a down result is judged like a local one: an outage and a down event', async () => {
    const loc = await mkLocation();
    const mon = await mkMonitor({ locations: [loc.id] });
    const l = assertOk(await lease(loc.token)).leases.find((x) => x.monitorId === mon.id);
    const down = upResult(l.leaseId, {
      status: 'down', statusCode: 503, error: { code: 'unexpected_status', message: 'The response status was 503.' },
    });
    assert.equal(assertOk(await report(loc.token, [down])).accepted, 1);
    const m = assertOk(await api('GET', `/v1/monitors/${mon.id}`, { key: admin }));
    assert.equal(m.status, 'down');
    const outages = assertOk(await api('GET', `/v1/monitors/${mon.id}/outages`, { key: admin }));
    assert.equal(outages.length, 1);
    assert.equal(outages[0].cause.code, 'unexpected_status');
    // The location's own down period too; a pause ends it with the state.
    const own = async () => assertOk(await api('GET', `/v1/monitors/${mon.id}/outages?location=${loc.id}`, { key: admin }));
    const [open] = await own();
    assert.deepEqual([open.endedAt, open.cause.code, open.startedAt], [null, 'unexpected_status', outages[0].startedAt]);
    assertOk(await api('POST', `/v1/monitors/${mon.id}/pause`, { key: admin }));
    const [ended] = await own();
    assert.equal(ended.id, open.id);
    assert.match(ended.endedAt, TIME_RE);
  });

  it('negative: a replayed, forged, foreign or late result is refused and records nothing', async () => {
    const loc = await mkLocation();
    const other = await mkLocation({ name: 'Elsewhere' });
    const mon = await mkMonitor({ locations: [loc.id, other.id] });
    const l = assertOk(await lease(loc.token)).leases.find((x) => x.monitorId === mon.id);
    // Another team's location holds no lease of ours.
    const foreign = assertOk(await api('POST', '/v1/locations', { key: otherKey, body: { name: 'theirs' } }), 201);
    noteSecret(foreign.token);
    const refusals = [
      [foreign.token, upResult(l.leaseId), 'no_lease'],
      [other.token, upResult(l.leaseId), 'no_lease'],
      [loc.token, upResult(GHOST_LEASE), 'no_lease'],
      [loc.token, upResult(l.leaseId, { checkedAt: new Date(Date.now() + 3600e3).toISOString() }), 'outside_lease'],
      [loc.token, upResult(l.leaseId, { checkedAt: new Date(Date.now() - 3600e3).toISOString() }), 'outside_lease'],
    ];
    for (const [token, result, code] of refusals) {
      const ans = assertOk(await report(token, [result]));
      assert.deepEqual([ans.accepted, ans.refused], [0, [{ index: 0, leaseId: result.leaseId, code }]]);
    }
    assert.equal((await results(mon.id)).length, 0);
    // Taken once; the same batch again is refused.
    assert.equal(assertOk(await report(loc.token, [upResult(l.leaseId)])).accepted, 1);
    const replay = assertOk(await report(loc.token, [upResult(l.leaseId)]));
    assert.deepEqual(replay.refused, [{ index: 0, leaseId: l.leaseId, code: 'lease_used' }]);
    assert.equal((await results(mon.id)).length, 1);
  });

  it('negative: bad tokens are 401 and change nothing', async () => {
    const loc = await mkLocation();
    const tries = [
      [undefined, 'missing_credentials', false],
      [makeToken(), 'invalid_key', true],
      [`${loc.token.slice(0, -1)}${loc.token.endsWith('A') ? 'B' : 'A'}`, 'invalid_key', true],
      [admin, 'invalid_key', true],
      ['uptloc_short', 'invalid_key', true],
    ];
    for (const [token, code, presented] of tries) {
      for (const send of [() => lease(token), () => report(token, [upResult(GHOST_LEASE)])]) {
        const res = await assertNoChange(srv, send, { authFailure: true });
        assertUnauthorized(res, code, { presented });
      }
    }
    const basic = await api('POST', '/v1/agent/leases', { body: {}, headers: { authorization: `Basic ${loc.token}` } });
    assertUnauthorized(basic, 'invalid_key');
  });

  it('negative: malformed and oversized batches are refused whole, naming each bad field', async () => {
    const loc = await mkLocation();
    const mon = await mkMonitor({ locations: [loc.id] });
    const l = assertOk(await lease(loc.token)).leases.find((x) => x.monitorId === mon.id);
    const bad = [
      [{ results: [] }, '/results'],
      [{ results: 'x' }, '/results'],
      [{}, '/results'],
      [{ results: [upResult(l.leaseId)], extra: 1 }, '/extra'],
      [{ results: Array.from({ length: 501 }, () => upResult(l.leaseId)) }, '/results'],
      [{ results: [upResult(l.leaseId), 7] }, '/results/1'],
      [{ results: [upResult(l.leaseId, { status: 'sideways' })] }, '/results/0/status'],
      [{ results: [upResult(l.leaseId, { leaseId: 'mon_x' })] }, '/results/0/leaseId'],
      [{ results: [upResult(l.leaseId, { checkedAt: 'yesterday' })] }, '/results/0/checkedAt'],
      [{ results: [upResult(l.leaseId, { statusCode: 99 })] }, '/results/0/statusCode'],
      [{ results: [upResult(l.leaseId, { responseTimeMs: -1 })] }, '/results/0/responseTimeMs'],
      [{ results: [upResult(l.leaseId, { status: 'down' })] }, '/results/0/error'],
      [{ results: [upResult(l.leaseId, { error: { code: 'Bad Code', message: 'm' } })] }, '/results/0/error/code'],
      [{ results: [upResult(l.leaseId, { timings: { dnsMs: 1, warpMs: 2 } })] }, '/results/0/timings/warpMs'],
      [{ results: [upResult(l.leaseId, { status: 'down', error: { code: 'timeout', message: 'é'.repeat(200) } })] }, '/results/0/error/message'],
      [{ results: [upResult(l.leaseId, { ssl: { expiresAt: 'soon' } })] }, '/results/0/ssl/expiresAt'],
      [{ results: [upResult(l.leaseId, { location: 'local' })] }, '/results/0/location'],
    ];
    for (const [body, pointer] of bad) {
      const res = await assertNoChange(srv, () => api('POST', '/v1/agent/results', { key: loc.token, body }));
      assertProblem(res, 400, null, { pointers: [pointer], codes: ['validation_error', 'unknown_field'] });
    }
    for (const body of [{ max: 0 }, { max: 501 }, { max: 'all' }, { limit: 5 }]) {
      const res = await assertNoChange(srv, () => lease(loc.token, body));
      assertProblem(res, 400, null, { codes: ['validation_error', 'unknown_field'] });
    }
    assertProblem(await api('POST', '/v1/agent/results', { key: loc.token, rawBody: '{"results": [' }), 400, 'malformed_json');
    const big = await api('POST', '/v1/agent/results', { key: loc.token, rawBody: `{"results": "${'x'.repeat(1024 * 1024)}"}` });
    assertProblem(big, 413, 'body_too_large');
    assertProblem(await api('POST', '/v1/agent/results', { key: loc.token, rawBody: 'x', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
    // Nothing was taken: the lease still takes its result.
    assert.equal(assertOk(await report(loc.token, [upResult(l.leaseId)])).accepted, 1);
  });

  it('only its own team\'s monitors naming it are leased, unpaused ones', async () => {
    const loc = await mkLocation();
    const named = await mkMonitor({ locations: [loc.id] });
    const paused = await mkMonitor({ locations: [loc.id], paused: true });
    const notNamed = await mkMonitor({});
    const leased = assertOk(await lease(loc.token, { max: 500 })).leases.map((x) => x.monitorId);
    assert.ok(leased.includes(named.id));
    assert.ok(!leased.includes(paused.id));
    assert.ok(!leased.includes(notNamed.id));
    const foreign = assertOk(await api('POST', '/v1/locations', { key: otherKey, body: { name: 'theirs' } }), 201);
    noteSecret(foreign.token);
    assert.deepEqual(assertOk(await lease(foreign.token)).leases, []);
  });
});

// uptime-probe, run for real against this server.
describe('uptime-probe', () => {
  let spools = [];
  const spool = async () => {
    const d = await fsp.mkdtemp(path.join(os.tmpdir(), 'uptime-probe-'));
    spools.push(d);
    return d;
  };
  const probe = (args, env = {}) => runCron(srv, 'uptime-probe', args, {
    env: { UPTIME_ALLOW_PRIVATE_TARGETS: '1', UPTIME_PROBE_TOKEN: '', ...env }, timeout: 60e3,
  });
  const batches = (dir) => fs.readdirSync(dir).filter((f) => /^batch-.*\.json$/.test(f));
  after(async () => {
    for (const d of spools) await fsp.rm(d, { recursive: true, force: true });
  });

  it('--once leases the checks of its location, runs them from --source-address and reports them', async () => {
    const seen = [];
    const target = await startHttpTarget((req, res) => {
      seen.push(req.socket.remoteAddress);
      res.end('hello');
    });
    try {
      const loc = await mkLocation({ name: 'agent one' });
      const mon = await mkMonitor({ url: target.url('/x'), locations: [loc.id], contentChecks: [{ type: 'contains', value: 'hello' }] });
      const dir = await spool();
      const r = await probe(['--once', '--server', srv.baseUrl, '--source-address', '127.0.0.2', '--spool', dir],
        { UPTIME_PROBE_TOKEN: loc.token });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(seen, ['127.0.0.2']);
      const rs = await results(mon.id);
      assert.equal(rs.length, 1);
      assert.equal(rs[0].location, loc.id);
      assert.equal(rs[0].status, 'up');
      assert.equal(rs[0].statusCode, 200);
      assert.ok(rs[0].responseTimeMs >= 0);
      assert.deepEqual(batches(dir), [], 'a batch the server took leaves the spool');
      // Nothing is due now: a second round checks nothing.
      assert.equal((await probe(['--once', '--server', srv.baseUrl, '--token', loc.token, '--spool', dir])).code, 0);
      assert.equal(seen.length, 1);
    } finally {
      await target.close();
    }
  });

  it('judges as the checker does: content checks, status codes, and the target policy of its host', async () => {
    const loc = await mkLocation({ name: 'agent two' });
    const bad = await mkMonitor({ url: web.url('/ok'), locations: [loc.id], contentChecks: [{ type: 'contains', value: 'absent' }] });
    const down = await mkMonitor({ url: web.url('/down'), locations: [loc.id] });
    const dir = await spool();
    // Private targets refused on the agent's host unless it allows them.
    const r = await probe(['--once', '--server', srv.baseUrl, '--token', loc.token, '--spool', dir], { UPTIME_ALLOW_PRIVATE_TARGETS: '0' });
    assert.equal(r.code, 0, r.stderr);
    for (const id of [bad.id, down.id]) {
      const [res] = await results(id);
      assert.equal(res.status, 'down');
      assert.equal(res.error.code, 'target_refused');
    }
    // Due again: put their checks back, and allow them.
    srv.sqlWrite(`UPDATE monitor_locations SET next_check_at = 0 WHERE location_id = '${loc.id}'`);
    assert.equal((await probe(['--once', '--server', srv.baseUrl, '--token', loc.token, '--spool', dir])).code, 0);
    assert.equal((await results(bad.id))[0].error.code, 'content_mismatch');
    assert.equal((await results(down.id))[0].error.code, 'unexpected_status');
    assert.equal((await results(down.id))[0].statusCode, 503);
  });

  it('keeps results while the server cannot take them, and delivers them on a later round', async () => {
    // A relay in front of the server that loses the reports while "down".
    let reportsDown = true;
    const relay = await startHttpTarget(async (req, res) => {
      if (reportsDown && req.url.endsWith('/v1/agent/results')) { req.socket.destroy(); return; }
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const up = await fetch(srv.baseUrl + req.url, { method: req.method, headers: { authorization: req.headers.authorization, 'content-type': req.headers['content-type'] }, body: Buffer.concat(chunks) });
      res.statusCode = up.status;
      res.setHeader('content-type', up.headers.get('content-type') ?? 'application/json');
      res.end(Buffer.from(await up.arrayBuffer()));
    });
    try {
      const loc = await mkLocation({ name: 'agent three' });
      const mon = await mkMonitor({ locations: [loc.id] });
      const dir = await spool();
      const args = ['--once', '--server', relay.url(''), '--token', loc.token, '--spool', dir];
      const r1 = await probe(args);
      assert.equal(r1.code, 1, 'the round could not report');
      assert.match(r1.stderr, /results: the server cannot be reached/);
      assert.equal(batches(dir).length, 1, 'the results stay in the spool');
      assert.equal((await results(mon.id)).length, 0);
      // Still down: kept again, nothing lost.
      assert.equal((await probe(args)).code, 1);
      assert.equal(batches(dir).length, 1);
      reportsDown = false;
      const r2 = await probe(args);
      assert.equal(r2.code, 0, r2.stderr);
      assert.deepEqual(batches(dir), []);
      const rs = await results(mon.id);
      assert.equal(rs.length, 1);
      assert.equal(rs[0].location, loc.id);
    } finally {
      await relay.close();
    }
  });

  it('negative: refuses to start without a server, a well-formed token or a sane option', async () => {
    const dir = await spool();
    const loc = await mkLocation({ name: 'agent four' });
    for (const args of [
      ['--once', '--token', loc.token],
      ['--once', '--server', 'ftp://example.com', '--token', loc.token],
      ['--once', '--server', srv.baseUrl],
      ['--once', '--server', srv.baseUrl, '--token', 'uptime_x'],
      ['--once', '--server', srv.baseUrl, '--token', loc.token, '--concurrency', '0'],
      ['--once', '--server', srv.baseUrl, '--token', loc.token, '--source-address', 'here'],
      ['--once', '--server', srv.baseUrl, '--token', loc.token, '--bogus'],
    ]) {
      const r = await probe([...args, '--spool', dir]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, new RegExp(loc.token), 'the token is never printed');
    }
    // A token the server does not know: 401, exit 1, and said so.
    const r = await probe(['--once', '--server', srv.baseUrl, '--token', makeToken(), '--spool', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /lease: the server answered 401/);
  });
});

// The rules of a monitor checked from several places: three agents,
// each from its own address, and a target that fails some of them.
describe('quorum and recovery across locations', () => {
  let target, failing, dir;
  const addrs = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
  before(async () => {
    failing = new Set();
    target = await startHttpTarget((req, res) => {
      res.statusCode = failing.has(req.socket.remoteAddress) ? 503 : 200;
      res.end('ok');
    });
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'uptime-probe-q-'));
  });
  after(async () => {
    await target?.close();
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  });
  // One round: every agent once, in order, each from its address.
  async function round(locs) {
    srv.sqlWrite(`UPDATE monitor_locations SET next_check_at = ${Date.now()} WHERE location_id IN (${locs.map((l) => `'${l.id}'`).join(', ')})`);
    for (const [i, loc] of locs.entries()) {
      const r = await runCron(srv, 'uptime-probe', ['--once', '--server', srv.baseUrl, '--source-address', addrs[i],
        '--spool', path.join(dir, String(i))], { env: { UPTIME_ALLOW_PRIVATE_TARGETS: '1', UPTIME_PROBE_TOKEN: loc.token } });
      assert.equal(r.code, 0, r.stderr);
    }
  }
  const state = async (id) => assertOk(await api('GET', `/v1/monitors/${id}`, { key: admin }));

  it('stays up while one of three fails, showing it; goes down when two do; recovers after three good rounds', async () => {
    const locs = [];
    for (const n of ['A', 'B', 'C']) locs.push(await mkLocation({ name: `q-${n}` }));
    const mon = await mkMonitor({ url: target.url('/q'), locations: locs.map((l) => l.id) });
    assert.equal(mon.quorum, null);

    failing = new Set(['127.0.0.4']);
    await round(locs);
    let m = await state(mon.id);
    assert.equal(m.status, 'up', 'one of three is no quorum (2 of 3)');
    const byLoc = Object.fromEntries(m.locationStates.map((s) => [s.location, s]));
    assert.equal(byLoc[locs[2].id].status, 'down');
    assert.equal(byLoc[locs[2].id].failures, 1);
    assert.equal(byLoc[locs[0].id].status, 'up');
    assert.match(byLoc[locs[0].id].lastCheckedAt, TIME_RE);
    assert.equal(assertOk(await api('GET', `/v1/monitors/${mon.id}/outages`, { key: admin })).length, 0);

    // Seen from each location: the failing one has its own down period
    // and downtime; the monitor (its quorum) and the others none.
    const outagesAt = async (loc) => assertOk(await api('GET', `/v1/monitors/${mon.id}/outages?location=${loc}`, { key: readOnly }));
    const statsAt = async (loc) => assertOk(await api('GET', `/v1/monitors/${mon.id}/stats${loc ? `?location=${loc}` : ''}`,
      { key: readOnly })).windows['24h'];
    const [own] = await outagesAt(locs[2].id);
    assert.equal(own.endedAt, null);
    assert.equal(own.cause.code, 'unexpected_status');
    assert.deepEqual(await outagesAt(locs[0].id), []);
    assert.deepEqual(await outagesAt(locs[1].id), []);
    // Its down period runs until now: after 100 ms it shows in the
    // percentage (three decimals) even over a whole hour observed.
    await sleep(100);
    let s = await statsAt(locs[2].id);
    assert.deepEqual(s.checks, { total: 1, up: 0, degraded: 0, down: 1 });
    assert.equal(s.outages, 1);
    assert.ok(s.downtimeSeconds > 0 && s.uptimePercent < 100, JSON.stringify(s));
    for (const l of locs.slice(0, 2)) {
      s = await statsAt(l.id);
      assert.deepEqual(s.checks, { total: 1, up: 1, degraded: 0, down: 0 });
      assert.deepEqual([s.outages, s.downtimeSeconds, s.uptimePercent], [0, 0, 100]);
    }
    s = await statsAt(null);
    assert.deepEqual(s.checks, { total: 3, up: 2, degraded: 0, down: 1 });
    assert.deepEqual([s.outages, s.downtimeSeconds, s.uptimePercent], [0, 0, 100]);
    // This host does not check it: nothing seen from there.
    s = await statsAt('local');
    assert.deepEqual([s.checks.total, s.uptimePercent, s.downtimeSeconds], [0, null, null]);
    assert.deepEqual(await outagesAt('local'), []);

    failing = new Set(['127.0.0.3', '127.0.0.4']);
    await round(locs);
    m = await state(mon.id);
    assert.equal(m.status, 'down', 'two of three confirm it');
    assert.equal(assertOk(await api('GET', `/v1/monitors/${mon.id}/outages`, { key: admin })).length, 1);

    assertOk(await api('PATCH', `/v1/monitors/${mon.id}`, { key: admin, body: { recoveryConfirmations: 3 } }));
    failing = new Set();
    await round(locs);
    assert.equal((await state(mon.id)).status, 'down', 'one good round of three');
    await round(locs);
    assert.equal((await state(mon.id)).status, 'down', 'two good rounds of three');
    await round(locs);
    m = await state(mon.id);
    assert.equal(m.status, 'up', 'three good rounds');
    assert.ok(m.locationStates.every((x) => x.status === 'up'));
    const outages = assertOk(await api('GET', `/v1/monitors/${mon.id}/outages`, { key: admin }));
    assert.ok(outages[0].endedAt);
    // The two failing locations' own down periods ended as they recovered.
    const [c] = await outagesAt(locs[2].id);
    assert.equal(c.id, own.id);
    assert.ok(Date.parse(c.endedAt) >= Date.parse(outages[0].endedAt));
    assert.equal((await outagesAt(locs[1].id)).length, 1);
    assert.ok((await outagesAt(locs[1].id))[0].endedAt);
    assert.deepEqual(await outagesAt(locs[0].id), []);
  });

  it('a quorum of one takes it down on any location; retryIntervalSeconds re-checks a failure sooner', async () => {
    const locs = [await mkLocation({ name: 'r-A' }), await mkLocation({ name: 'r-B' })];
    const mon = await mkMonitor({
      url: target.url('/r'), locations: locs.map((l) => l.id), quorum: 1, intervalSeconds: 300, retryIntervalSeconds: 10,
      confirmations: 2,
    });
    failing = new Set(['127.0.0.3']);
    await round(locs);
    // B failed once, not confirmed (confirmations 2): due again in 10 s, not 300.
    const [row] = srv.sql(`SELECT next_check_at FROM monitor_locations WHERE monitor_id = '${mon.id}' AND location_id = '${locs[1].id}'`);
    assert.ok(row.next_check_at - Date.now() <= 10e3 && row.next_check_at - Date.now() > 0, `due in ${row.next_check_at - Date.now()} ms`);
    const [rowA] = srv.sql(`SELECT next_check_at FROM monitor_locations WHERE monitor_id = '${mon.id}' AND location_id = '${locs[0].id}'`);
    assert.ok(rowA.next_check_at - Date.now() > 200e3);
    assert.equal((await state(mon.id)).status, 'up');
    await round(locs);
    assert.equal((await state(mon.id)).status, 'down', 'one location confirmed it, and the quorum is 1');
  });

  it('negative: quorum and retryIntervalSeconds are checked against the monitor', async () => {
    const loc = await mkLocation({ name: 'v' });
    const bad = [
      [{ locations: ['local', loc.id], quorum: 3 }, '/quorum'],
      [{ quorum: 0 }, '/quorum'],
      [{ recoveryConfirmations: 0 }, '/recoveryConfirmations'],
      [{ recoveryConfirmations: 11 }, '/recoveryConfirmations'],
      [{ retryIntervalSeconds: 5 }, '/retryIntervalSeconds'],
      [{ intervalSeconds: 60, retryIntervalSeconds: 120 }, '/retryIntervalSeconds'],
      [{ locationStates: [] }, '/locationStates'],
    ];
    for (const [extra, pointer] of bad) {
      const res = await assertNoChange(srv, () => api('POST', '/v1/monitors', { key: admin, body: { name: 'x', url: web.url('/ok'), ...extra } }));
      assertProblem(res, 400, null, { pointers: [pointer], codes: ['validation_error', 'read_only_field'] });
    }
  });
});

// Location health (docs/locations.md): an agent that stops reporting
// goes offline, once, out of its monitors' quorum, and its team hears
// it through its alert channels; back, it is online again, once.
describe('location health', () => {
  let recv, target, dir;
  const got = [];
  before(async () => {
    recv = await startHttpTarget(async (req, res) => {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      got.push({ path: req.url, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') });
      res.end('ok');
    });
    // This host's checks (from 127.0.0.1) fail; the agent's do not.
    target = await startHttpTarget((req, res) => {
      res.statusCode = req.socket.remoteAddress === '127.0.0.1' ? 503 : 200;
      res.end('ok');
    });
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'uptime-probe-h-'));
  });
  after(async () => {
    await recv?.close();
    await target?.close();
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  });
  const notify = async (now) => {
    const r = await runCron(srv, 'uptime-notify', now ? ['--now', new Date(now).toISOString()] : []);
    assert.equal(r.code, 0, r.stderr);
  };
  // The location notices the receiver took on path for location id.
  const notices = (p, id) => got.filter((g) => g.path === p && g.body?.location?.id === id).map((g) => g.body.event);
  const agentEnv = (loc) => ({ ...srv.env, ...SANITIZER_ENV, UPTIME_ALLOW_PRIVATE_TARGETS: '1', UPTIME_PROBE_TOKEN: loc.token });

  it('a killed agent goes offline once, leaves the quorum, and the team is told once; back, it is online again, once', async () => {
    const loc = await mkLocation({ name: 'health', region: 'eu-west' });
    const mon = await mkMonitor({ url: target.url('/h'), locations: ['local', loc.id], quorum: 2, intervalSeconds: 30 });
    const elsewhere = await mkMonitor({});
    const hook = async (p, extra) => assertOk(await api('POST', '/v1/alert-channels', {
      key: admin, body: { name: `health ${p}`, type: 'webhook', config: { url: recv.url(p) }, ...extra },
    }), 201);
    await hook('/all');
    await hook('/covers', { monitorIds: [mon.id] });
    await hook('/elsewhere', { monitorIds: [elsewhere.id] });
    await hook('/nodown', { events: { down: false } });

    // The agent, running as a service would.
    const agent = spawn(path.join(CRONDIR, 'uptime-probe'), ['--server', srv.baseUrl, '--source-address', '127.0.0.2',
      '--spool', dir], { env: agentEnv(loc), stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    agent.stderr.on('data', (d) => { err += d; });
    const exited = new Promise((resolve) => agent.on('exit', resolve));
    try {
      for (let i = 0; i < 200 && !(await results(mon.id)).some((x) => x.location === loc.id); i++) await sleep(50);
      assert.ok((await results(mon.id)).some((x) => x.location === loc.id), `the agent reported nothing:\n${err}`);
    } finally {
      agent.kill('SIGKILL');
      await exited;
    }
    assert.doesNotMatch(err, SANITIZER_RE, err);
    // This host confirms down; one of two is no quorum of 2.
    await runCron(srv, 'uptime-check', ['--once']);
    assert.equal((await api('GET', `/v1/monitors/${mon.id}`, { key: admin })).json.data.status, 'up');
    await notify();
    assert.deepEqual(notices('/all', loc.id), [], 'seen just now: online');

    // Three intervals (30 s) of silence, and a little more, later.
    const seen = Date.parse(assertOk(await api('GET', `/v1/locations/${loc.id}`, { key: admin })).lastSeenAt);
    await notify(seen + 89e3);
    assert.deepEqual(notices('/all', loc.id), [], 'not yet three intervals');
    await notify(seen + 91e3);
    await notify(seen + 120e3);
    await notify(seen + 600e3);
    assert.deepEqual(notices('/all', loc.id), ['location_offline'], 'told once');
    assert.deepEqual(notices('/covers', loc.id), ['location_offline'], 'a channel of a monitor checked from there');
    assert.deepEqual(notices('/elsewhere', loc.id), [], 'a channel of other monitors only');
    assert.deepEqual(notices('/nodown', loc.id), [], 'a channel that does not hear down');
    const [off] = got.filter((g) => g.path === '/all' && g.body?.location?.id === loc.id);
    assert.equal(off.body.monitor, null);
    assert.equal(off.body.location.name, 'health');
    assert.equal(off.body.location.region, 'eu-west');
    assert.equal(Date.parse(off.body.location.lastSeenAt), seen);
    assert.match(off.body.message, /^LOCATION OFFLINE: health \(eu-west\) has not reported since /);
    const listed = assertOk(await api('GET', '/v1/notifications?event=location_offline', { key: admin }));
    assert.ok(listed.some((n) => n.monitorId === null && n.status === 'sent'));

    // Offline, it is out of the quorum: this host alone confirms down.
    srv.sqlWrite(`UPDATE monitors SET next_check_at = ${Date.now()} WHERE id = '${mon.id}'`);
    await runCron(srv, 'uptime-check', ['--once']);
    assert.equal((await api('GET', `/v1/monitors/${mon.id}`, { key: admin })).json.data.status, 'down');

    // Back: online at once, in the quorum again (its check passes), told once.
    srv.sqlWrite(`UPDATE monitor_locations SET next_check_at = ${Date.now()} WHERE location_id = '${loc.id}'`);
    const r = await runCron(srv, 'uptime-probe', ['--once', '--server', srv.baseUrl, '--source-address', '127.0.0.2',
      '--spool', dir], { env: agentEnv(loc) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(assertOk(await api('GET', `/v1/locations/${loc.id}`, { key: admin })).status, 'online');
    assert.equal((await api('GET', `/v1/monitors/${mon.id}`, { key: admin })).json.data.status, 'up');
    await notify();
    await notify();
    assert.deepEqual(notices('/all', loc.id), ['location_offline', 'location_online']);
    const on = got.filter((g) => g.path === '/all' && g.body?.location?.id === loc.id)[1];
    assert.match(on.body.message, /^LOCATION ONLINE: health \(eu-west\) reports again after /);
  });
});

describe('agents and the server', () => {
  let dir;
  before(async () => { dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'uptime-probe-r-')); });
  after(async () => { if (dir) await fsp.rm(dir, { recursive: true, force: true }); });
  const batches = () => fs.readdirSync(dir).filter((f) => /^batch-.*\.json$/.test(f));
  const probeOnce = (loc, server = srv.baseUrl) => runCron(srv, 'uptime-probe', ['--once', '--server', server, '--spool', dir],
    { env: { UPTIME_ALLOW_PRIVATE_TARGETS: '1', UPTIME_PROBE_TOKEN: loc.token }, timeout: 60e3 });

  it('an agent holding results through a server restart delivers them afterwards', async () => {
    // The server stops while the agent's check runs: leased, then
    // nobody to report to.
    let halted;
    const target = await startHttpTarget(async (req, res) => {
      halted ??= srv.halt();
      await halted;
      res.end('ok');
    });
    try {
      const loc = await mkLocation({ name: 'restart' });
      const mon = await mkMonitor({ url: target.url('/r'), locations: [loc.id] });
      const r1 = await probeOnce(loc);
      assert.ok(halted, 'the check ran');
      assert.equal(r1.code, 1, r1.stderr);
      assert.match(r1.stderr, /results: the server cannot be reached/);
      assert.equal(batches().length, 1, 'the results stay in the spool');
      await srv.restart();
      assert.equal((await results(mon.id)).length, 0);
      const r2 = await probeOnce(loc);
      assert.equal(r2.code, 0, r2.stderr);
      assert.deepEqual(batches(), []);
      const rs = await results(mon.id);
      assert.equal(rs.length, 1);
      assert.equal(rs[0].location, loc.id);
      assert.equal(rs[0].status, 'up');
    } finally {
      await target.close();
    }
  });

  it('an agent as a service leases a check when it is due, not a poll later', async () => {
    const loc = await mkLocation({ name: 'on time' });
    const mon = await mkMonitor({ locations: [loc.id], intervalSeconds: 30 });
    // Planned 29 s ago: once it has run, the next check is due in a second.
    srv.sqlWrite(`UPDATE monitor_locations SET next_check_at = ${Date.now() - 29e3} WHERE location_id = '${loc.id}'`);
    const agent = spawn(path.join(CRONDIR, 'uptime-probe'), ['--server', srv.baseUrl, '--spool', dir], {
      env: { ...srv.env, ...SANITIZER_ENV, UPTIME_ALLOW_PRIVATE_TARGETS: '1', UPTIME_PROBE_TOKEN: loc.token },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    agent.stderr.on('data', (d) => { err += d; });
    const exited = new Promise((resolve) => agent.on('exit', resolve));
    let rs = [];
    try {
      // Not the 30 s the agent would sleep when the lease's answer
      // (this check leased: none other due) was all it heard.
      for (let i = 0; i < 100 && rs.length < 2; i++) {
        await sleep(100);
        rs = await results(mon.id);
      }
    } finally {
      agent.kill('SIGTERM');
      await exited;
    }
    assert.doesNotMatch(err, SANITIZER_RE, err);
    assert.equal(rs.length, 2, `one check in 10 s:\n${err}`);
    const [second, first] = rs;
    assert.equal(Date.parse(second.dueAt), Date.parse(first.dueAt) + 30e3);
    const late = Date.parse(second.checkedAt) - Date.parse(second.dueAt);
    assert.ok(late >= 0 && late < 5e3, `checked ${late} ms after it was due`);
  });

  it("negative: an agent's batch replayed, or sent with another location's token, records nothing", async () => {
    // A relay that keeps a copy of each report the agent sends.
    const sent = [];
    const relay = await startHttpTarget(async (req, res) => {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const body = Buffer.concat(chunks);
      if (req.url.endsWith('/v1/agent/results')) sent.push(body.toString());
      const up = await fetch(srv.baseUrl + req.url, { method: req.method, headers: { authorization: req.headers.authorization, 'content-type': req.headers['content-type'] }, body });
      res.statusCode = up.status;
      res.setHeader('content-type', up.headers.get('content-type') ?? 'application/json');
      res.end(Buffer.from(await up.arrayBuffer()));
    });
    try {
      const loc = await mkLocation({ name: 'replayed' });
      const thief = await mkLocation({ name: 'thief' });
      const mons = [await mkMonitor({ locations: [loc.id, thief.id] }), await mkMonitor({ locations: [loc.id] })];
      assert.equal((await probeOnce(loc, relay.url(''))).code, 0);
      assert.equal(sent.length, 1);
      const batch = JSON.parse(sent[0]);
      assert.equal(batch.results.length, 2);
      for (const m of mons) assert.equal((await results(m.id)).length, 1);
      const before = srv.sql('SELECT count(*) AS n FROM check_results')[0].n;
      // The same bytes again: every result's lease is used.
      const again = assertOk(await api('POST', '/v1/agent/results', { key: loc.token, rawBody: sent[0] }));
      assert.equal(again.accepted, 0);
      assert.deepEqual(again.refused.map((x) => x.code), ['lease_used', 'lease_used']);
      // Another location of the team, even one its monitors name, holds none of those leases.
      const stolen = assertOk(await api('POST', '/v1/agent/results', { key: thief.token, rawBody: sent[0] }));
      assert.deepEqual(stolen.refused.map((x) => x.code), ['no_lease', 'no_lease']);
      // A forged down result under a real, used lease id changes nothing either.
      const forged = { results: [{ ...batch.results[0], status: 'down', error: { code: 'timeout', message: 'forged' } }] };
      assert.deepEqual(assertOk(await report(loc.token, forged.results)).refused.map((x) => x.code), ['lease_used']);
      assert.equal(srv.sql('SELECT count(*) AS n FROM check_results')[0].n, before);
      for (const m of mons) assert.equal((await api('GET', `/v1/monitors/${m.id}`, { key: admin })).json.data.status, 'up');
    } finally {
      await relay.close();
    }
  });
});

// UPTIME_CANARY_URLS (docs/locations.md): a checker that lost its own
// network does not take its failures for its targets' outages.
describe('canaries', () => {
  let dead, dir;
  before(async () => {
    dead = `http://127.0.0.1:${await closedPort()}/`;
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'uptime-probe-c-'));
  });
  after(async () => { if (dir) await fsp.rm(dir, { recursive: true, force: true }); });
  const state = async (id) => assertOk(await api('GET', `/v1/monitors/${id}`, { key: admin }));
  const outages = async (id) => assertOk(await api('GET', `/v1/monitors/${id}/outages`, { key: admin }));
  const checks = async (id) => assertOk(await api('GET', `/v1/monitors/${id}/stats?from=${new Date(Date.now() - 3600e3).toISOString()}`, { key: admin })).checks.total;

  it("this host's checker: when every canary fails, its failures are inconclusive and move nothing; when one answers, they count", async () => {
    const mon = await mkMonitor({ url: web.url('/down') });
    const check = async (canaries) => {
      srv.sqlWrite(`UPDATE monitors SET next_check_at = ${Date.now()} WHERE id = '${mon.id}'`);
      const r = await runCron(srv, 'uptime-check', ['--once'], { env: { UPTIME_CANARY_URLS: canaries } });
      assert.equal(r.code, 0, r.stderr);
      return r;
    };
    const r = await check(`${dead}, ${dead}x`);
    assert.match(r.stderr, /every canary failed: 1 failures recorded as inconclusive/);
    let [res] = await results(mon.id);
    assert.equal(res.status, 'inconclusive');
    assert.equal(res.error.code, 'unexpected_status');
    assert.equal((await state(mon.id)).status, 'pending', 'no state moved');
    assert.ok(Date.parse((await state(mon.id)).nextCheckAt) > Date.now(), 'the next check is planned');
    assert.deepEqual(await outages(mon.id), []);
    assert.equal(await checks(mon.id), 0, 'not counted');
    assert.deepEqual(assertOk(await api('GET', `/v1/monitors/${mon.id}/results?status=down`, { key: admin })), []);
    // One canary answers (any status): the network works, the failure counts.
    await check(`${dead},${web.url('/down')}`);
    [res] = await results(mon.id);
    assert.equal(res.status, 'down');
    assert.equal((await state(mon.id)).status, 'down');
    assert.equal((await outages(mon.id)).length, 1);
  });

  it('an agent: the same, reported as inconclusive and taken as such', async () => {
    const loc = await mkLocation({ name: 'canaries' });
    const mon = await mkMonitor({ url: web.url('/down'), locations: [loc.id] });
    const round = async (canaries) => {
      srv.sqlWrite(`UPDATE monitor_locations SET next_check_at = ${Date.now()} WHERE location_id = '${loc.id}'`);
      const r = await runCron(srv, 'uptime-probe', ['--once', '--server', srv.baseUrl, '--spool', dir], {
        env: { UPTIME_ALLOW_PRIVATE_TARGETS: '1', UPTIME_PROBE_TOKEN: loc.token, UPTIME_CANARY_URLS: canaries },
      });
      assert.equal(r.code, 0, r.stderr);
      return r;
    };
    assert.match((await round(dead)).stderr, /every canary failed: 1 failures reported as inconclusive/);
    let [res] = await results(mon.id);
    assert.equal(res.status, 'inconclusive');
    assert.equal(res.location, loc.id);
    assert.equal((await state(mon.id)).status, 'pending');
    assert.deepEqual(await outages(mon.id), []);
    await round(web.url('/ok'));
    [res] = await results(mon.id);
    assert.equal(res.status, 'down');
    assert.equal((await state(mon.id)).status, 'down');
  });

  it('negative: a bad UPTIME_CANARY_URLS stops the checker and the agent, naming it', async () => {
    const loc = await mkLocation({ name: 'bad canaries' });
    for (const bad of ['ftp://example.com/', 'http://', `${dead},,${dead}`, Array(9).fill(dead).join(',')]) {
      const c = await runCron(srv, 'uptime-check', ['--once'], { env: { UPTIME_CANARY_URLS: bad } });
      assert.equal(c.code, 1, bad);
      assert.match(c.stderr, /UPTIME_CANARY_URLS/);
      const p = await runCron(srv, 'uptime-probe', ['--once', '--server', srv.baseUrl, '--spool', dir], {
        env: { UPTIME_PROBE_TOKEN: loc.token, UPTIME_CANARY_URLS: bad },
      });
      assert.equal(p.code, 2, bad);
      assert.match(p.stderr, /UPTIME_CANARY_URLS/);
    }
  });
});
