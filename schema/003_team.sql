-- Team members, invitations, the failed-accept counter that rate limits
-- invitation tokens, and the record of every mail sent or tried.
-- Times are INTEGER milliseconds since the Unix epoch; NULL means none.

CREATE TABLE members (
	id		TEXT PRIMARY KEY,
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	email		TEXT NOT NULL,		-- lower case
	name		TEXT NOT NULL,
	role		TEXT NOT NULL
			CHECK (role IN ('owner','admin','member','viewer')),
	joined_at	INTEGER NOT NULL,
	UNIQUE (team_id, email)
) STRICT;

CREATE INDEX members_team ON members(team_id, joined_at DESC, id DESC);

-- An invitation is pending while accepted_at and revoked_at are NULL and
-- expires_at is in the future; its status is computed, never stored.
CREATE TABLE invites (
	id		TEXT PRIMARY KEY,
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	email		TEXT NOT NULL,		-- lower case
	role		TEXT NOT NULL
			CHECK (role IN ('owner','admin','member','viewer')),
	token_hash	BLOB NOT NULL UNIQUE,	-- keyed BLAKE2b-256
	created_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	accepted_at	INTEGER,
	revoked_at	INTEGER,
	created_by_key_id TEXT REFERENCES api_keys(id)
) STRICT;

CREATE INDEX invites_team ON invites(team_id, created_at DESC, id DESC);
CREATE INDEX invites_email ON invites(team_id, email);

-- Failed POST /v1/invites/accept attempts per client address, in fixed
-- one-minute windows.
CREATE TABLE invite_accept_failures (
	ip		TEXT PRIMARY KEY,
	window_start	INTEGER NOT NULL,
	failures	INTEGER NOT NULL
) STRICT;

CREATE INDEX invite_accept_failures_window
    ON invite_accept_failures(window_start);

-- Every mail the service sent or tried to send (lib/mail.c).
CREATE TABLE mail_outbox (
	id		TEXT PRIMARY KEY,	-- msg_...
	team_id		TEXT REFERENCES teams(id) ON DELETE CASCADE,
	kind		TEXT NOT NULL,		-- invite, alert, ...
	ref_id		TEXT,			-- what it is about (inv_...)
	to_addr		TEXT NOT NULL,
	subject		TEXT NOT NULL,
	status		TEXT NOT NULL CHECK (status IN ('sent','failed')),
	error		TEXT,
	created_at	INTEGER NOT NULL,
	sent_at		INTEGER
) STRICT;

CREATE INDEX mail_outbox_team ON mail_outbox(team_id, created_at DESC, id DESC);
CREATE INDEX mail_outbox_at ON mail_outbox(created_at);
