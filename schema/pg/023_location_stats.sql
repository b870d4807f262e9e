-- Stats and outages by location on PostgreSQL: schema/023_location_stats.sql
-- says why; PostgreSQL changes the primary keys in place.
ALTER TABLE rollups_hourly ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE rollups_hourly DROP CONSTRAINT rollups_hourly_pkey;
ALTER TABLE rollups_hourly ADD PRIMARY KEY (monitor_id, bucket, location);

ALTER TABLE rollups_daily ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE rollups_daily DROP CONSTRAINT rollups_daily_pkey;
ALTER TABLE rollups_daily ADD PRIMARY KEY (monitor_id, bucket, location);

CREATE TABLE location_outages (
	id		TEXT PRIMARY KEY,
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	location	TEXT NOT NULL,
	started_at	BIGINT NOT NULL,
	ended_at	BIGINT,
	cause_code	TEXT,
	cause_message	TEXT,
	during_maintenance BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX location_outages_monitor ON location_outages(monitor_id,
    location, started_at DESC, id DESC);
CREATE UNIQUE INDEX location_outages_open ON location_outages(monitor_id,
    location) WHERE ended_at IS NULL;
