-- Idempotency-Key: the first answer to a POST, kept 24 hours per API key
-- and replayed for a retry with the same request.

CREATE TABLE idempotency (
	key_id		TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
	idem_key	TEXT NOT NULL,
	fingerprint	BLOB NOT NULL,		-- BLAKE2b of method, path, body
	state		TEXT NOT NULL CHECK (state IN ('running', 'done')),
	status		INTEGER,
	ctype		TEXT,
	headers		TEXT,			-- "Name: value\r\n" lines
	body		BLOB,
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (key_id, idem_key)
) STRICT, WITHOUT ROWID;

CREATE INDEX idempotency_created ON idempotency(created_at);
