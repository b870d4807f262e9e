-- Monitors, their check results, outages, state-change events and the
-- rollups that stats are answered from.

CREATE TABLE monitors (
	id		TEXT PRIMARY KEY,
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	name		TEXT NOT NULL,
	type		TEXT NOT NULL CHECK (type IN ('http','tcp','dns','heartbeat')),
	interval_s	INTEGER NOT NULL,
	timeout_s	INTEGER NOT NULL,
	confirmations	INTEGER NOT NULL,
	paused		INTEGER NOT NULL DEFAULT 0,
	tags		TEXT NOT NULL DEFAULT '[]',	-- JSON array
	config		TEXT NOT NULL DEFAULT '{}',	-- type-specific, JSON
	-- State, written by the checker.
	status		TEXT NOT NULL DEFAULT 'pending',
	fails		INTEGER NOT NULL DEFAULT 0,	-- consecutive failures
	last_checked_at	INTEGER,
	next_check_at	INTEGER NOT NULL,
	last_change_at	INTEGER,
	last_response_ms INTEGER,
	ssl_expires_at	INTEGER,
	ssl_issuer	TEXT,
	ssl_status	TEXT,
	ssl_warned_at	INTEGER,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX monitors_team ON monitors(team_id, created_at DESC, id DESC);
-- The checker's one query: due, unpaused monitors by time.
CREATE INDEX monitors_due ON monitors(next_check_at) WHERE paused = 0;

CREATE TABLE check_results (
	id		INTEGER PRIMARY KEY,
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	checked_at	INTEGER NOT NULL,
	status		TEXT NOT NULL CHECK (status IN ('up','degraded','down')),
	response_ms	INTEGER,
	status_code	INTEGER,
	error_code	TEXT,
	error_message	TEXT,
	dns_ms		INTEGER,
	connect_ms	INTEGER,
	tls_ms		INTEGER,
	first_byte_ms	INTEGER
) STRICT;

CREATE INDEX check_results_monitor ON check_results(monitor_id, checked_at DESC, id DESC);
CREATE INDEX check_results_at ON check_results(checked_at);

CREATE TABLE outages (
	id		TEXT PRIMARY KEY,
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	started_at	INTEGER NOT NULL,
	ended_at	INTEGER,
	cause_code	TEXT,
	cause_message	TEXT,
	during_maintenance INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX outages_monitor ON outages(monitor_id, started_at DESC, id DESC);
-- At most one open outage per monitor.
CREATE UNIQUE INDEX outages_open ON outages(monitor_id) WHERE ended_at IS NULL;

-- Status changes for the notifier to turn into notifications.
CREATE TABLE monitor_events (
	id		INTEGER PRIMARY KEY,
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	kind		TEXT NOT NULL CHECK (kind IN ('down','up','degraded','ssl_expiring')),
	at		INTEGER NOT NULL,
	outage_id	TEXT,
	detail		TEXT,
	processed_at	INTEGER
) STRICT;

CREATE INDEX monitor_events_pending ON monitor_events(id) WHERE processed_at IS NULL;

-- Rollups: one row per monitor and hour (bucket = start, ms) or UTC day.
-- Counts cover every result; samples, sum_ms, min_ms, max_ms and hist
-- only results with a response time.  hist holds the latency histogram
-- as little-endian uint32 counts, one per bucket of lib/rollup.c (NULL
-- when samples is 0).  rollup_add() (the checker) writes the hourly rows
-- and marks them dirty; rollup_daily() (the maintainer) rebuilds the
-- daily row of each completed day with dirty hours and clears the flag.
CREATE TABLE rollups_hourly (
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	bucket		INTEGER NOT NULL,
	total		INTEGER NOT NULL DEFAULT 0,
	up		INTEGER NOT NULL DEFAULT 0,
	degraded	INTEGER NOT NULL DEFAULT 0,
	down		INTEGER NOT NULL DEFAULT 0,
	samples		INTEGER NOT NULL DEFAULT 0,
	sum_ms		INTEGER NOT NULL DEFAULT 0,
	min_ms		INTEGER,
	max_ms		INTEGER,
	hist		BLOB,
	dirty		INTEGER NOT NULL DEFAULT 1,	-- changed since the daily build
	PRIMARY KEY (monitor_id, bucket)
) STRICT, WITHOUT ROWID;

-- Pruning by age, and the maintainer's list of hours to roll up.
CREATE INDEX rollups_hourly_bucket ON rollups_hourly(bucket);
CREATE INDEX rollups_hourly_dirty ON rollups_hourly(bucket) WHERE dirty = 1;

CREATE TABLE rollups_daily (
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	bucket		INTEGER NOT NULL,
	total		INTEGER NOT NULL DEFAULT 0,
	up		INTEGER NOT NULL DEFAULT 0,
	degraded	INTEGER NOT NULL DEFAULT 0,
	down		INTEGER NOT NULL DEFAULT 0,
	samples		INTEGER NOT NULL DEFAULT 0,
	sum_ms		INTEGER NOT NULL DEFAULT 0,
	min_ms		INTEGER,
	max_ms		INTEGER,
	hist		BLOB,
	PRIMARY KEY (monitor_id, bucket)
) STRICT, WITHOUT ROWID;

CREATE INDEX rollups_daily_bucket ON rollups_daily(bucket);
