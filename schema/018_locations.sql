-- Probe locations (lib/location.c, docs/probes.md): places other than
-- this host where a team runs uptime-probe, the agent that leases the
-- checks of the monitors naming the location and reports their results.

-- A location's token is stored as its keyed hash only (lib/keyhash.h,
-- domain "location"), like an API key's; token_prefix is what lists show.
CREATE TABLE locations (
	id		TEXT PRIMARY KEY,
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	name		TEXT NOT NULL,
	region		TEXT,
	token_hash	BLOB NOT NULL UNIQUE,
	token_prefix	TEXT NOT NULL,
	last_seen_at	INTEGER,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX locations_team ON locations(team_id, created_at DESC, id DESC);

-- The locations a monitor is checked from (the API's "locations"), as a
-- JSON array of "local" (this host's uptime-check) and location ids.
-- The checker takes only the monitors whose list holds "local".
ALTER TABLE monitors ADD COLUMN locations TEXT NOT NULL DEFAULT '["local"]';

-- Each remote location's schedule of each monitor naming it: due at
-- next_check_at, planned from the planned time as the checker plans.
CREATE TABLE monitor_locations (
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	location_id	TEXT NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
	next_check_at	INTEGER NOT NULL,
	PRIMARY KEY (monitor_id, location_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX monitor_locations_due ON monitor_locations(location_id, next_check_at);

-- A lease: one due check of one monitor handed to one location's agent.
-- The check must start before expires_at; its result is taken once
-- (reported_at), and only from that location.  Leases are kept a day
-- (LOC_LEASE_KEEP_MS) so results an agent held while the server was
-- unreachable are still taken.
CREATE TABLE probe_leases (
	id		TEXT PRIMARY KEY,
	location_id	TEXT NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	due_at		INTEGER NOT NULL,
	leased_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	reported_at	INTEGER
) STRICT;

CREATE INDEX probe_leases_open ON probe_leases(location_id, monitor_id) WHERE reported_at IS NULL;
CREATE INDEX probe_leases_at ON probe_leases(leased_at);

-- Where a result was taken: NULL for this host (shown as "local").
ALTER TABLE check_results ADD COLUMN location TEXT;

-- The rules of a monitor checked from several locations (docs/probes.md):
-- quorum, the locations that must have confirmed it down (NULL: a
-- majority of its locations); recovery_confirmations, successes in a row
-- before a location that confirmed down counts as up again;
-- retry_interval_s, how soon a location checks again after a failure
-- not yet confirmed (NULL: at the next planned time).
ALTER TABLE monitors ADD COLUMN quorum INTEGER;
ALTER TABLE monitors ADD COLUMN recovery_confirmations INTEGER NOT NULL DEFAULT 1;
ALTER TABLE monitors ADD COLUMN retry_interval_s INTEGER;

-- Each location's own state of a monitor ("local" for this host), kept
-- by check_record: its confirmed status (up, degraded or down) and its
-- failures and successes in a row.
CREATE TABLE monitor_location_state (
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	location	TEXT NOT NULL,
	status		TEXT NOT NULL CHECK (status IN ('up','degraded','down')),
	fails		INTEGER NOT NULL DEFAULT 0,
	successes	INTEGER NOT NULL DEFAULT 0,
	last_checked_at	INTEGER NOT NULL,
	PRIMARY KEY (monitor_id, location)
) STRICT, WITHOUT ROWID;
