-- The console: members' passwords, their sign-in sessions and the
-- one-time links that set a password, and who made a key in the console.
-- Times are INTEGER milliseconds since the Unix epoch; NULL means none.

-- Argon2id, as libsodium's crypto_pwhash_str writes it; NULL: no
-- password yet (the member cannot sign in).
ALTER TABLE members ADD COLUMN password_hash TEXT;

-- A signed-in person.  The token is only in the browser's cookie; the
-- row holds its keyed hash.  Idle and absolute limits are settings, so
-- the row keeps both times and the check is at use.
CREATE TABLE sessions (
	id		TEXT PRIMARY KEY,	-- ses_...
	token_hash	BLOB NOT NULL UNIQUE,	-- keyed BLAKE2b-256
	member_id	TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	created_at	INTEGER NOT NULL,
	seen_at		INTEGER NOT NULL,
	ip		TEXT
) STRICT;

CREATE INDEX sessions_member ON sessions(member_id);
CREATE INDEX sessions_seen ON sessions(seen_at);

-- A one-time link that sets a member's password (uptime-admin team
-- create --owner, uptime-admin member link).  Used or past expires_at,
-- it opens nothing.
CREATE TABLE password_links (
	token_hash	BLOB PRIMARY KEY,	-- keyed BLAKE2b-256
	member_id	TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	created_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	used_at		INTEGER
) STRICT;

CREATE INDEX password_links_member ON password_links(member_id);

-- A key made in the console records the member who made it.
ALTER TABLE api_keys ADD COLUMN created_by_member_id TEXT
    REFERENCES members(id) ON DELETE SET NULL;
