-- Location health (docs/locations.md): a location that has not reported
-- for three of its shortest intervals is offline, left out of its
-- monitors' quorum, and its team is told once (location_offline), then
-- again when it reports (location_online).
--
-- locations.health is the state the team was last told: 'new' (not
-- seen since it was made: nothing to tell), 'online' or 'offline'.  It
-- moves only through conditional UPDATEs (from the state the mover
-- read), so of two processes that find the same change one records it.
ALTER TABLE locations ADD COLUMN health TEXT NOT NULL DEFAULT 'new'
    CHECK (health IN ('new','online','offline'));
UPDATE locations SET health = 'online' WHERE last_seen_at IS NOT NULL;

-- A change of a location's health, for the notifier, as monitor_events
-- are a monitor's.  last_seen_at: when it was last seen, as the change
-- found it.
CREATE TABLE location_events (
	id		INTEGER PRIMARY KEY,
	location_id	TEXT NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	kind		TEXT NOT NULL CHECK (kind IN ('location_offline',
			    'location_online')),
	at		INTEGER NOT NULL,
	last_seen_at	INTEGER,
	processed_at	INTEGER
) STRICT;

CREATE INDEX location_events_pending ON location_events(id)
    WHERE processed_at IS NULL;
CREATE INDEX location_events_at ON location_events(at);

-- Results taken while every canary (UPTIME_CANARY_URLS) failed: the
-- failure is kept as history, shown as "inconclusive", and moves no
-- state.  status stays the judged one ('down').
ALTER TABLE check_results ADD COLUMN inconclusive INTEGER NOT NULL DEFAULT 0;

-- The new kinds of notification.  SQLite cannot change a CHECK
-- constraint: the table is built again with every row, its attempts
-- kept aside and put back (schema/014 does the same).
CREATE TEMP TABLE attempts_kept AS SELECT * FROM notification_attempts;
CREATE TABLE notifications_new (
	id		TEXT PRIMARY KEY,	-- ntf_...
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	channel_id	TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
	monitor_id	TEXT,
	outage_id	TEXT,
	event		TEXT NOT NULL CHECK (event IN ('down','up','degraded',
			    'ssl_expiring','reminder','test','dns_changed',
			    'location_offline','location_online')),
	status		TEXT NOT NULL CHECK (status IN ('pending','sent',
			    'failed','suppressed')),
	reason		TEXT,
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_attempt_at	INTEGER,		-- pending only
	last_attempt_at	INTEGER,
	sent_at		INTEGER,
	response_status	INTEGER,
	error		TEXT,
	delivered_mask	INTEGER NOT NULL DEFAULT 0,	-- email: recipients done
	payload		TEXT NOT NULL,
	created_at	INTEGER NOT NULL
) STRICT;
INSERT INTO notifications_new (id, team_id, channel_id, monitor_id,
    outage_id, event, status, reason, attempts, next_attempt_at,
    last_attempt_at, sent_at, response_status, error, delivered_mask,
    payload, created_at)
    SELECT id, team_id, channel_id, monitor_id, outage_id, event, status,
    reason, attempts, next_attempt_at, last_attempt_at, sent_at,
    response_status, error, delivered_mask, payload, created_at
    FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
INSERT INTO notification_attempts (id, notification_id, at,
    response_status, error, duration_ms)
    SELECT id, notification_id, at, response_status, error, duration_ms
    FROM temp.attempts_kept;
DROP TABLE temp.attempts_kept;
CREATE INDEX notifications_due ON notifications(next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX notifications_team ON notifications(team_id, created_at DESC, id DESC);
CREATE INDEX notifications_channel ON notifications(channel_id, created_at DESC, id DESC);
CREATE INDEX notifications_pair ON notifications(channel_id, monitor_id, created_at);
CREATE INDEX notifications_outage ON notifications(outage_id, channel_id)
    WHERE outage_id IS NOT NULL;
CREATE INDEX notifications_flapping ON notifications(created_at)
    WHERE reason = 'flapping';
CREATE INDEX notifications_done_at ON notifications(created_at)
    WHERE status <> 'pending';
