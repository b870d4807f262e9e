-- Alert channels, the notifications made for them from monitor events
-- (and reminders and tests), and every delivery attempt.
-- Times are INTEGER milliseconds since the Unix epoch; NULL means none.

CREATE TABLE channels (
	id		TEXT PRIMARY KEY,	-- ach_...
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	name		TEXT NOT NULL,
	type		TEXT NOT NULL CHECK (type IN ('email','webhook','slack',
			    'discord','pagerduty','telegram')),
	config		TEXT NOT NULL,		-- JSON, secrets included
	on_down		INTEGER NOT NULL DEFAULT 1,	-- events flags
	on_up		INTEGER NOT NULL DEFAULT 1,
	on_degraded	INTEGER NOT NULL DEFAULT 0,
	on_ssl_expiring	INTEGER NOT NULL DEFAULT 1,
	all_monitors	INTEGER NOT NULL DEFAULT 1,	-- monitorIds null
	remind_every_minutes INTEGER NOT NULL DEFAULT 0
			CHECK (remind_every_minutes = 0 OR
			    remind_every_minutes BETWEEN 5 AND 1440),
	enabled		INTEGER NOT NULL DEFAULT 1,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX channels_team ON channels(team_id, created_at DESC, id DESC);

-- The monitors of a channel that is not for all of them, in the order
-- given.  A deleted monitor leaves its channels.
CREATE TABLE channel_monitors (
	channel_id	TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	position	INTEGER NOT NULL,
	PRIMARY KEY (channel_id, monitor_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX channel_monitors_monitor ON channel_monitors(monitor_id);

-- One message for one channel.  monitor_id and outage_id keep naming what
-- the message was about after the monitor is deleted (no foreign key);
-- payload is the event as delivered (the webhook body), fixed when the
-- notification is made.  reason says why a suppressed one was not sent
-- (maintenance, flapping, unnotified, disabled).
CREATE TABLE notifications (
	id		TEXT PRIMARY KEY,	-- ntf_...
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	channel_id	TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
	monitor_id	TEXT,
	outage_id	TEXT,
	event		TEXT NOT NULL CHECK (event IN ('down','up','degraded',
			    'ssl_expiring','reminder','test')),
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

-- The notifier's one query: pending notifications by due time.
CREATE INDEX notifications_due ON notifications(next_attempt_at)
    WHERE status = 'pending';
-- The listings, newest first.
CREATE INDEX notifications_team ON notifications(team_id, created_at DESC, id DESC);
CREATE INDEX notifications_channel ON notifications(channel_id, created_at DESC, id DESC);
-- Reminders, the flap rule and "up" after a suppressed "down".
CREATE INDEX notifications_pair ON notifications(channel_id, monitor_id, created_at);
CREATE INDEX notifications_outage ON notifications(outage_id, channel_id)
    WHERE outage_id IS NOT NULL;
-- The flap rule's catch-up: what it held back lately.
CREATE INDEX notifications_flapping ON notifications(created_at)
    WHERE reason = 'flapping';

-- Every delivery attempt: when, how long, what the receiver answered.
CREATE TABLE notification_attempts (
	id		INTEGER PRIMARY KEY,
	notification_id	TEXT NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
	at		INTEGER NOT NULL,
	response_status	INTEGER,
	error		TEXT,
	duration_ms	INTEGER NOT NULL
) STRICT;

CREATE INDEX notification_attempts_notification
    ON notification_attempts(notification_id, at);
