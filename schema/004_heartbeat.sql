-- Heartbeat monitors: the ping token and the state the ping endpoint
-- (ping.fcgi) and the checker keep, and the pings themselves.
--
-- The schedule (intervalSeconds or schedule + timezone) and
-- gracePeriodSeconds live with the other type fields in monitors.config.
-- ping_token is shown in the monitor's pingUrl, so it is kept as is (not
-- hashed); it is NULL for the other types.  ping_expected_at is when the
-- next ping is due (without the grace), run_started_at the time of a
-- /start not yet followed by a success or fail.  ping_window (the start
-- of a minute, ms) and ping_count count the pings of that minute for the
-- per-token rate limit, updated in the ping's own transaction.

ALTER TABLE monitors ADD COLUMN ping_token TEXT;
ALTER TABLE monitors ADD COLUMN last_ping_at INTEGER;
ALTER TABLE monitors ADD COLUMN run_started_at INTEGER;
ALTER TABLE monitors ADD COLUMN ping_expected_at INTEGER;
ALTER TABLE monitors ADD COLUMN ping_window INTEGER NOT NULL DEFAULT 0;
ALTER TABLE monitors ADD COLUMN ping_count INTEGER NOT NULL DEFAULT 0;

-- The ping endpoint's one lookup.
CREATE UNIQUE INDEX monitors_ping_token ON monitors(ping_token)
	WHERE ping_token IS NOT NULL;

-- Every ping: success, start or fail.  body is the POST body, at most
-- 10 KiB, kept as sent (bytes) as the run's log.  duration_ms is the time
-- from the /start that opened the run to this success or fail, else NULL.
CREATE TABLE pings (
	id		INTEGER PRIMARY KEY,
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	kind		TEXT NOT NULL CHECK (kind IN ('success','start','fail')),
	at		INTEGER NOT NULL,
	source_ip	TEXT,
	body		BLOB,
	duration_ms	INTEGER
) STRICT;

-- GET /v1/monitors/{id}/results for a heartbeat, newest first; pruning
-- by age goes through it too, monitor by monitor, so that a ping writes
-- one index less.
CREATE INDEX pings_monitor ON pings(monitor_id, at DESC, id DESC);
