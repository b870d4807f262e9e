-- Refs: the names monitors, alert channels, status pages and maintenance
-- windows carry in the team's configuration document (GET and PUT
-- /v1/config, docs/config.md), unique per team and kind.  They are stored
-- so that an export stays the same when an object is renamed; a new
-- object gets one made from its name (lib/ref.c).  A cancelled window
-- has none: it has left the configuration.
ALTER TABLE monitors ADD COLUMN ref TEXT;
ALTER TABLE channels ADD COLUMN ref TEXT;
ALTER TABLE status_pages ADD COLUMN ref TEXT;
ALTER TABLE maintenance_windows ADD COLUMN ref TEXT;

-- The objects there already get theirs as lib/ref.c would make them:
-- the name's ASCII letters (lower case) and digits, each run of anything
-- else one "-", none at either end, at most 57 characters, the kind's
-- word when nothing is left; the second of a team's objects with the
-- same base gets base-2, the third base-3 (oldest first).  One that
-- would take the base of another gets its id's random part instead.
CREATE TEMP TABLE ref_fill (
	id		TEXT PRIMARY KEY,
	tbl		TEXT NOT NULL,
	team_id		TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	name		TEXT NOT NULL,
	fallback	TEXT NOT NULL,
	base		TEXT,
	ref		TEXT
);

INSERT INTO ref_fill (id, tbl, team_id, created_at, name, fallback)
	SELECT id, 'monitors', team_id, created_at, name, 'monitor'
	FROM monitors
	UNION ALL
	SELECT id, 'channels', team_id, created_at, name, 'channel'
	FROM channels
	UNION ALL
	SELECT id, 'status_pages', team_id, created_at, name, 'page'
	FROM status_pages
	UNION ALL
	SELECT id, 'maintenance_windows', team_id, created_at, title, 'window'
	FROM maintenance_windows WHERE cancelled_at IS NULL;

CREATE TEMP TABLE ref_base (id TEXT PRIMARY KEY, base TEXT NOT NULL);

WITH RECURSIVE s(id, rest, out) AS (
	SELECT id, lower(name), '' FROM ref_fill
	UNION ALL
	SELECT id, substr(rest, 2), out || CASE
	    WHEN substr(rest, 1, 1) BETWEEN 'a' AND 'z' OR
		substr(rest, 1, 1) BETWEEN '0' AND '9' THEN substr(rest, 1, 1)
	    WHEN out = '' OR substr(out, -1) = '-' THEN ''
	    ELSE '-' END
	FROM s WHERE rest <> ''
)
INSERT INTO ref_base (id, base)
	SELECT id, rtrim(substr(out, 1, 57), '-') FROM s WHERE rest = '';

UPDATE ref_fill SET base = coalesce(nullif((SELECT base FROM ref_base b
	WHERE b.id = ref_fill.id), ''), fallback);

UPDATE ref_fill SET ref = r.ref FROM (
	SELECT id, CASE WHEN n = 1 THEN base ELSE base || '-' || n END AS ref
	FROM (SELECT id, base, row_number() OVER (PARTITION BY tbl,
	    team_id, base ORDER BY created_at, id) AS n FROM ref_fill)
) AS r WHERE r.id = ref_fill.id;

-- base-2 and the like differ from each other; not always from a base.
UPDATE ref_fill SET ref = substr(base, 1, 43) || '-' ||
	lower(substr(id, -20))
WHERE ref <> base AND EXISTS (SELECT 1 FROM ref_fill o WHERE
	o.tbl = ref_fill.tbl AND o.team_id = ref_fill.team_id AND
	o.ref = ref_fill.ref AND o.id <> ref_fill.id);

UPDATE monitors SET ref = f.ref FROM ref_fill f WHERE f.id = monitors.id;
UPDATE channels SET ref = f.ref FROM ref_fill f WHERE f.id = channels.id;
UPDATE status_pages SET ref = f.ref FROM ref_fill f
	WHERE f.id = status_pages.id;
UPDATE maintenance_windows SET ref = f.ref FROM ref_fill f
	WHERE f.id = maintenance_windows.id;

DROP TABLE ref_base;
DROP TABLE ref_fill;

CREATE UNIQUE INDEX monitors_ref ON monitors(team_id, ref);
CREATE UNIQUE INDEX channels_ref ON channels(team_id, ref);
CREATE UNIQUE INDEX status_pages_ref ON status_pages(team_id, ref);
CREATE UNIQUE INDEX maintenance_windows_ref ON maintenance_windows(team_id, ref);
