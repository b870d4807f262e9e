-- Status pages, their components (the team's monitors shown on them),
-- incidents with their updates and the components each incident affects.
-- Times are INTEGER milliseconds since the Unix epoch; NULL means none.

CREATE TABLE status_pages (
	id		TEXT PRIMARY KEY,
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	name		TEXT NOT NULL,
	-- The public address /status/<slug>: unique across all teams.
	slug		TEXT NOT NULL UNIQUE,
	title		TEXT NOT NULL,
	description	TEXT NOT NULL DEFAULT '',
	is_public	INTEGER NOT NULL DEFAULT 1 CHECK (is_public IN (0, 1)),
	history_days	INTEGER NOT NULL DEFAULT 90
			CHECK (history_days BETWEEN 7 AND 90),
	-- A host name (lower case) whose / and /status show this page.
	custom_domain	TEXT UNIQUE,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX status_pages_team ON status_pages(team_id, created_at DESC, id DESC);

-- One row per monitor shown on a page, in the page's order.  Deleting
-- the monitor takes it off every page.
CREATE TABLE status_page_components (
	id		TEXT PRIMARY KEY,
	page_id		TEXT NOT NULL REFERENCES status_pages(id) ON DELETE CASCADE,
	monitor_id	TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
	display_name	TEXT NOT NULL,
	group_name	TEXT,
	position	INTEGER NOT NULL
) STRICT;

CREATE INDEX status_page_components_page ON status_page_components(page_id, position);
CREATE INDEX status_page_components_monitor ON status_page_components(monitor_id);

CREATE TABLE incidents (
	id		TEXT PRIMARY KEY,
	page_id		TEXT NOT NULL REFERENCES status_pages(id) ON DELETE CASCADE,
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	title		TEXT NOT NULL,
	status		TEXT NOT NULL CHECK (status IN
			('investigating','identified','monitoring','resolved')),
	impact		TEXT NOT NULL CHECK (impact IN
			('none','minor','major','critical')),
	started_at	INTEGER NOT NULL,
	resolved_at	INTEGER,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX incidents_team ON incidents(team_id, created_at DESC, id DESC);
CREATE INDEX incidents_page ON incidents(page_id, started_at DESC, id DESC);

CREATE TABLE incident_updates (
	id		TEXT PRIMARY KEY,
	incident_id	TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	status		TEXT NOT NULL CHECK (status IN
			('investigating','identified','monitoring','resolved')),
	message		TEXT NOT NULL,
	created_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX incident_updates_incident ON incident_updates(incident_id, created_at, id);

CREATE TABLE incident_components (
	incident_id	TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	component_id	TEXT NOT NULL
			REFERENCES status_page_components(id) ON DELETE CASCADE,
	position	INTEGER NOT NULL,
	PRIMARY KEY (incident_id, component_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX incident_components_component ON incident_components(component_id);
