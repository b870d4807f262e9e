-- The start lag of scheduled checks: when each was due (the planned time
-- the checker started it for) beside when it started (checked_at).  NULL
-- for checks made on demand (POST /v1/monitors/{id}/check) and for
-- results written before this migration.
ALTER TABLE check_results ADD COLUMN due_at INTEGER;

-- The checker's service figures: one row, rewritten every few seconds by
-- the running checker (cron/uptime-check) and once more when it stops,
-- for a metrics endpoint to read.  The window is the time since the row
-- was last written; lags are start lags of the checks started in it.
CREATE TABLE checker_state (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	running		INTEGER NOT NULL,	-- 0 once the checker stopped
	started_at	INTEGER NOT NULL,	-- this checker's start
	updated_at	INTEGER NOT NULL,
	window_ms	INTEGER NOT NULL,
	slots		INTEGER NOT NULL,	-- checks it may have in flight
	team_slots	INTEGER NOT NULL,	-- of them, one team
	in_flight	INTEGER NOT NULL,
	waiting		INTEGER NOT NULL,	-- due now, not started
	checks		INTEGER NOT NULL,	-- started in the window
	late		INTEGER NOT NULL,	-- of them, more than 1 s late
	lag_p50_ms	INTEGER,		-- NULL when checks is 0
	lag_p99_ms	INTEGER,
	lag_max_ms	INTEGER,
	behind		INTEGER NOT NULL	-- 1: falling behind (docs/checker.md)
) STRICT;
