-- Stats and outages by location (docs/locations.md, "Stats and outages
-- by location").
--
-- The rollups are kept per location: location is "local" (this host's
-- checker) or a location's id.  A monitor's own stats sum every
-- location's rows; a location's stats read its rows alone.  The rows
-- written before this migration counted every location together: they
-- are kept with location '' and count in the monitor's stats only, so a
-- location's stats hold nothing for the time before it.  SQLite cannot
-- change a primary key: both tables are built again with every row.
CREATE TABLE rollups_hourly_new (
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
	location	TEXT NOT NULL DEFAULT '',	-- '': written before schema/023
	PRIMARY KEY (monitor_id, bucket, location)
) STRICT, WITHOUT ROWID;
INSERT INTO rollups_hourly_new (monitor_id, bucket, total, up, degraded,
    down, samples, sum_ms, min_ms, max_ms, hist, dirty, location)
    SELECT monitor_id, bucket, total, up, degraded, down, samples, sum_ms,
    min_ms, max_ms, hist, dirty, '' FROM rollups_hourly;
DROP TABLE rollups_hourly;
ALTER TABLE rollups_hourly_new RENAME TO rollups_hourly;
CREATE INDEX rollups_hourly_bucket ON rollups_hourly(bucket);
CREATE INDEX rollups_hourly_dirty ON rollups_hourly(bucket) WHERE dirty = 1;

CREATE TABLE rollups_daily_new (
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
	location	TEXT NOT NULL DEFAULT '',	-- '': written before schema/023
	PRIMARY KEY (monitor_id, bucket, location)
) STRICT, WITHOUT ROWID;
INSERT INTO rollups_daily_new (monitor_id, bucket, total, up, degraded,
    down, samples, sum_ms, min_ms, max_ms, hist, location)
    SELECT monitor_id, bucket, total, up, degraded, down, samples, sum_ms,
    min_ms, max_ms, hist, '' FROM rollups_daily;
DROP TABLE rollups_daily;
ALTER TABLE rollups_daily_new RENAME TO rollups_daily;
CREATE INDEX rollups_daily_bucket ON rollups_daily(bucket);

-- A location's own down periods of a monitor: one opens when the
-- location's state (monitor_location_state) becomes down (confirmed) and
-- closes when it leaves down, whatever the monitor's quorum decides.  A
-- pause or a resume, and taking the location out of the monitor's
-- list, close it.  The columns are those of outages.
CREATE TABLE location_outages (
	id		TEXT PRIMARY KEY,
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	location	TEXT NOT NULL,
	started_at	INTEGER NOT NULL,
	ended_at	INTEGER,
	cause_code	TEXT,
	cause_message	TEXT,
	during_maintenance INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX location_outages_monitor ON location_outages(monitor_id,
    location, started_at DESC, id DESC);
-- At most one open down period per monitor and location.
CREATE UNIQUE INDEX location_outages_open ON location_outages(monitor_id,
    location) WHERE ended_at IS NULL;
