-- Maintenance windows (lib/maintenance.c), the monitors they cover, the
-- occurrences ended early, and the suppressed flag of monitor events.
-- Times are INTEGER milliseconds since the Unix epoch; NULL means none.

-- One window: its first occurrence is [starts_at, ends_at); a recurring
-- one repeats that local wall-clock start and that duration in timezone
-- (see docs/lib/maintenance.md).  frequency is NULL for a one-off window;
-- by_weekday is a bit mask (bit 0 Monday .. bit 6 Sunday) for weekly
-- ones; until (inclusive, on occurrence starts) may be NULL.  horizon is
-- the end of the last occurrence, early ends included, or
-- 9223372036854775807 for a window that recurs without end: it lets the
-- lookups skip finished windows through an index.  The state (scheduled,
-- active, completed, cancelled) is computed, never stored.
CREATE TABLE maintenance_windows (
	id		TEXT PRIMARY KEY,	-- mw_...
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	title		TEXT NOT NULL,
	description	TEXT,
	starts_at	INTEGER NOT NULL,
	ends_at		INTEGER NOT NULL CHECK (ends_at > starts_at),
	timezone	TEXT NOT NULL,
	frequency	TEXT CHECK (frequency IN ('daily','weekly','monthly')),
	rec_interval	INTEGER NOT NULL DEFAULT 1,
	by_weekday	INTEGER NOT NULL DEFAULT 0,
	until		INTEGER,
	all_monitors	INTEGER NOT NULL DEFAULT 1,	-- monitorIds null
	suppress_alerts	INTEGER NOT NULL DEFAULT 1,
	show_on_status_page INTEGER NOT NULL DEFAULT 1,
	pause_checks	INTEGER NOT NULL DEFAULT 0,
	horizon		INTEGER NOT NULL,
	cancelled_at	INTEGER,
	ended_early_at	INTEGER,	-- the latest early end
	ended_occurrence_at INTEGER,	-- the start of the occurrence it ended
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX maintenance_windows_team
    ON maintenance_windows(team_id, created_at DESC, id DESC);
-- "Which windows of this team may be active at t": those not finished.
CREATE INDEX maintenance_windows_live ON maintenance_windows(team_id, horizon);
-- The checker's "does any window pause checks now" before it looks closer.
CREATE INDEX maintenance_windows_pausing ON maintenance_windows(horizon)
    WHERE pause_checks = 1;

-- The monitors of a window that is not for all of them, in the order
-- given.  A deleted monitor leaves its windows.
CREATE TABLE maintenance_window_monitors (
	window_id	TEXT NOT NULL REFERENCES maintenance_windows(id) ON DELETE CASCADE,
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	position	INTEGER NOT NULL,
	PRIMARY KEY (window_id, monitor_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX maintenance_window_monitors_monitor
    ON maintenance_window_monitors(monitor_id);

-- Every occurrence ended early (POST /v1/maintenance-windows/{id}/end),
-- by its planned start: stats keep counting the real, shorter occurrence
-- after later ones are ended too.
CREATE TABLE maintenance_early_ends (
	window_id	TEXT NOT NULL REFERENCES maintenance_windows(id) ON DELETE CASCADE,
	occurrence_at	INTEGER NOT NULL,
	ended_at	INTEGER NOT NULL,
	PRIMARY KEY (window_id, occurrence_at)
) STRICT, WITHOUT ROWID;

-- An event that happened while a window with suppressAlerts covered its
-- monitor: kept, and its notifications are recorded as suppressed.
ALTER TABLE monitor_events ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0;

-- "Was this outage's down announced": the checker's question when a
-- window ends while the monitor is still down.
CREATE INDEX monitor_events_outage ON monitor_events(outage_id)
    WHERE outage_id IS NOT NULL;
