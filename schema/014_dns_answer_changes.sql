-- DNS monitors remember their last answer and report a change of it.
--
-- monitors.last_value: a DNS monitor's last answer set, the JSON array of
-- the records its last successful lookup gave, sorted, without repeats
-- (NULL: none yet, or another type).  channels.on_dns_changed: the
-- channel hears "dns_changed" (off unless asked for: a name whose
-- records rotate changes at every check).
ALTER TABLE monitors ADD COLUMN last_value TEXT;
ALTER TABLE channels ADD COLUMN on_dns_changed INTEGER NOT NULL DEFAULT 0;

-- The new kind of monitor event and notification.  SQLite cannot change
-- a CHECK constraint: both tables are built again with every row.  The
-- migration runs with foreign keys on, inside one transaction, so
-- dropping notifications deletes its attempts (ON DELETE CASCADE): they
-- are kept aside and put back.
CREATE TABLE monitor_events_new (
	id		INTEGER PRIMARY KEY,
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	kind		TEXT NOT NULL CHECK (kind IN ('down','up','degraded',
			    'ssl_expiring','dns_changed')),
	at		INTEGER NOT NULL,
	outage_id	TEXT,
	detail		TEXT,	-- dns_changed: {"previous": [...], "current": [...]}
	processed_at	INTEGER,
	suppressed	INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO monitor_events_new (id, monitor_id, team_id, kind, at,
    outage_id, detail, processed_at, suppressed)
    SELECT id, monitor_id, team_id, kind, at, outage_id, detail,
    processed_at, suppressed FROM monitor_events;
DROP TABLE monitor_events;
ALTER TABLE monitor_events_new RENAME TO monitor_events;
CREATE INDEX monitor_events_pending ON monitor_events(id) WHERE processed_at IS NULL;
CREATE INDEX monitor_events_outage ON monitor_events(outage_id)
    WHERE outage_id IS NOT NULL;

CREATE TEMP TABLE attempts_kept AS SELECT * FROM notification_attempts;
CREATE TABLE notifications_new (
	id		TEXT PRIMARY KEY,	-- ntf_...
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	channel_id	TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
	monitor_id	TEXT,
	outage_id	TEXT,
	event		TEXT NOT NULL CHECK (event IN ('down','up','degraded',
			    'ssl_expiring','reminder','test','dns_changed')),
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
