-- Teams, API keys and the audit trail.
-- Times are INTEGER milliseconds since the Unix epoch; NULL means none.

CREATE TABLE teams (
	id		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	created_at	INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
	id		TEXT PRIMARY KEY,
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	name		TEXT NOT NULL,
	scopes		INTEGER NOT NULL,	-- bit mask, bit n = scope n
	key_prefix	TEXT NOT NULL,		-- "uptime_" + 8 characters
	key_hash	BLOB NOT NULL UNIQUE,	-- keyed BLAKE2b-256
	created_at	INTEGER NOT NULL,
	expires_at	INTEGER,
	last_used_at	INTEGER,
	last_used_ip	TEXT,
	revoked_at	INTEGER,
	created_by_key_id TEXT REFERENCES api_keys(id)
) STRICT;

CREATE INDEX api_keys_team ON api_keys(team_id, created_at DESC, id DESC);

CREATE TABLE audit_events (
	id		TEXT PRIMARY KEY,
	team_id		TEXT REFERENCES teams(id) ON DELETE CASCADE,
	at		INTEGER NOT NULL,
	key_id		TEXT,
	key_prefix	TEXT,
	action		TEXT NOT NULL,
	method		TEXT NOT NULL,
	path		TEXT NOT NULL,
	status		INTEGER NOT NULL,
	ip		TEXT,
	target_id	TEXT
) STRICT;

CREATE INDEX audit_events_team ON audit_events(team_id, at DESC, id DESC);
CREATE INDEX audit_events_at ON audit_events(at);
