-- Heartbeats as people use them: exit codes, slugs and a team ping key.
--
-- A ping to /v1/ping/{token}/{0-255} is a success (0) or a failure with
-- that exit code, kept in exit_code (NULL: the ping gave none).
ALTER TABLE pings ADD COLUMN exit_code INTEGER
	CHECK (exit_code IS NULL OR exit_code BETWEEN 0 AND 255);

-- A heartbeat's slug lives with its other fields in monitors.config
-- ("slug", null when none); unique within a team.  Other monitors have
-- none (NULL), and NULLs do not collide.  /v1/ping/{pingKey}/{slug}
-- finds the heartbeat through this index (lib/monitor.c, STMT_BY_SLUG,
-- writes the same expression).
CREATE UNIQUE INDEX monitors_team_slug
	ON monitors(team_id, json_extract(config, '$.slug'));

-- A team's ping key: one a team, the secret of /v1/ping/{pingKey}/{slug}.
-- Only its keyed hash is kept (BLAKE2b with the server secret, domain
-- "ping-key"), as for API keys; key_prefix ("pk_" and 8 characters) is
-- shown.  create_on_ping lets ?create=1 make an unknown slug's heartbeat,
-- with the heartbeat fields of defaults (JSON: intervalSeconds,
-- schedule, timezone, gracePeriodSeconds, confirmations).
CREATE TABLE ping_keys (
	team_id		TEXT PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
	key_hash	BLOB NOT NULL UNIQUE,
	key_prefix	TEXT NOT NULL,
	create_on_ping	INTEGER NOT NULL DEFAULT 0,
	defaults	TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	rotated_at	INTEGER
) STRICT;
