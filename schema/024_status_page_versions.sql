-- A data version for each status page: a counter that every write
-- changing what the page's public answers show moves, in the same
-- transaction, by the triggers below, whichever program or statement
-- writes.  A public answer rendered at version v stays the same while
-- the version is still v and the clock has not reached the time the
-- rendering computed (lib/statusview.c, sv_valid): the public pages
-- answer from a stored rendering or a 304 without rendering again
-- (cgi-bin/status-pages.c; docs/bench.md "Public status page").
--
-- What a page shows comes from its own row and components, its
-- incidents (their updates and components), its components' monitors
-- (state, pause, creation, last check), whether their rollups count a
-- day, their outages, and
-- the maintenance windows of its team (with their monitors and early
-- ends).  schema/pg/024_status_page_versions.sql does the same on
-- PostgreSQL.

ALTER TABLE status_pages ADD COLUMN data_version INTEGER NOT NULL DEFAULT 0;

-- The page's own row: any change but the version's own moves it
-- (SQLite runs no trigger from its own trigger's UPDATE).
CREATE TRIGGER status_pages_version AFTER UPDATE ON status_pages
WHEN NEW.data_version = OLD.data_version
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id = NEW.id;
END;

-- The monitor of a component: what the page shows of it.

CREATE TRIGGER monitors_page_version
AFTER UPDATE OF status, paused, created_at, last_checked_at, team_id ON monitors
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM status_page_components
	    WHERE monitor_id = NEW.id);
END;

CREATE TRIGGER monitors_page_version_delete BEFORE DELETE ON monitors
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM status_page_components
	    WHERE monitor_id = OLD.id);
END;

-- Its rollups: of their counts, the pages show only whether a day has
-- any (the bars' "no data"), so only a row that starts or stops counting
-- moves the version, not every check a row counts (a check's result
-- moves it through the monitor's last_checked_at anyway).

CREATE TRIGGER rollups_hourly_page_version_insert AFTER INSERT ON rollups_hourly
WHEN NEW.total > 0
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM status_page_components
	    WHERE monitor_id IN (NEW.monitor_id));
END;

CREATE TRIGGER rollups_hourly_page_version_update AFTER UPDATE ON rollups_hourly
WHEN (OLD.total > 0) <> (NEW.total > 0) OR OLD.monitor_id <> NEW.monitor_id
    OR OLD.bucket <> NEW.bucket
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM status_page_components
	    WHERE monitor_id IN (OLD.monitor_id, NEW.monitor_id));
END;

CREATE TRIGGER rollups_hourly_page_version_delete AFTER DELETE ON rollups_hourly
WHEN OLD.total > 0
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM status_page_components
	    WHERE monitor_id IN (OLD.monitor_id));
END;

CREATE TRIGGER rollups_daily_page_version_insert AFTER INSERT ON rollups_daily
WHEN NEW.total > 0
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM status_page_components
	    WHERE monitor_id IN (NEW.monitor_id));
END;

CREATE TRIGGER rollups_daily_page_version_update AFTER UPDATE ON rollups_daily
WHEN (OLD.total > 0) <> (NEW.total > 0) OR OLD.monitor_id <> NEW.monitor_id
    OR OLD.bucket <> NEW.bucket
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM status_page_components
	    WHERE monitor_id IN (OLD.monitor_id, NEW.monitor_id));
END;

CREATE TRIGGER rollups_daily_page_version_delete AFTER DELETE ON rollups_daily
WHEN OLD.total > 0
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM status_page_components
	    WHERE monitor_id IN (OLD.monitor_id));
END;


-- Its downtime.
CREATE TRIGGER outages_page_version_insert AFTER INSERT ON outages
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM status_page_components
	    WHERE monitor_id IN (NEW.monitor_id));
END;

CREATE TRIGGER outages_page_version_update AFTER UPDATE ON outages
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM status_page_components
	    WHERE monitor_id IN (OLD.monitor_id, NEW.monitor_id));
END;

CREATE TRIGGER outages_page_version_delete AFTER DELETE ON outages
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM status_page_components
	    WHERE monitor_id IN (OLD.monitor_id));
END;

-- The page's components and incidents.

CREATE TRIGGER status_page_components_page_version_insert AFTER INSERT ON status_page_components
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (NEW.page_id);
END;

CREATE TRIGGER status_page_components_page_version_update AFTER UPDATE ON status_page_components
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (OLD.page_id, NEW.page_id);
END;

CREATE TRIGGER status_page_components_page_version_delete AFTER DELETE ON status_page_components
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (OLD.page_id);
END;

CREATE TRIGGER incidents_page_version_insert AFTER INSERT ON incidents
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (NEW.page_id);
END;

CREATE TRIGGER incidents_page_version_update AFTER UPDATE ON incidents
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (OLD.page_id, NEW.page_id);
END;

CREATE TRIGGER incidents_page_version_delete AFTER DELETE ON incidents
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (OLD.page_id);
END;

CREATE TRIGGER incident_updates_page_version_insert AFTER INSERT ON incident_updates
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM incidents
	    WHERE id IN (NEW.incident_id));
END;

CREATE TRIGGER incident_updates_page_version_update AFTER UPDATE ON incident_updates
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM incidents
	    WHERE id IN (OLD.incident_id, NEW.incident_id));
END;

CREATE TRIGGER incident_updates_page_version_delete AFTER DELETE ON incident_updates
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM incidents
	    WHERE id IN (OLD.incident_id));
END;

CREATE TRIGGER incident_components_page_version_insert AFTER INSERT ON incident_components
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM incidents
	    WHERE id IN (NEW.incident_id));
END;

CREATE TRIGGER incident_components_page_version_update AFTER UPDATE ON incident_components
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM incidents
	    WHERE id IN (OLD.incident_id, NEW.incident_id));
END;

CREATE TRIGGER incident_components_page_version_delete AFTER DELETE ON incident_components
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM incidents
	    WHERE id IN (OLD.incident_id));
END;

-- Maintenance: a window may cover any monitor of its team.

CREATE TRIGGER maintenance_windows_page_version_insert AFTER INSERT ON maintenance_windows
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE team_id IN (NEW.team_id);
END;

CREATE TRIGGER maintenance_windows_page_version_update AFTER UPDATE ON maintenance_windows
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE team_id IN (OLD.team_id, NEW.team_id);
END;

CREATE TRIGGER maintenance_windows_page_version_delete AFTER DELETE ON maintenance_windows
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE team_id IN (OLD.team_id);
END;

CREATE TRIGGER maintenance_window_monitors_page_version_insert AFTER INSERT ON maintenance_window_monitors
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE team_id IN (SELECT team_id FROM maintenance_windows
	    WHERE id IN (NEW.window_id));
END;

CREATE TRIGGER maintenance_window_monitors_page_version_update AFTER UPDATE ON maintenance_window_monitors
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE team_id IN (SELECT team_id FROM maintenance_windows
	    WHERE id IN (OLD.window_id, NEW.window_id));
END;

CREATE TRIGGER maintenance_window_monitors_page_version_delete AFTER DELETE ON maintenance_window_monitors
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE team_id IN (SELECT team_id FROM maintenance_windows
	    WHERE id IN (OLD.window_id));
END;

CREATE TRIGGER maintenance_early_ends_page_version_insert AFTER INSERT ON maintenance_early_ends
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE team_id IN (SELECT team_id FROM maintenance_windows
	    WHERE id IN (NEW.window_id));
END;

CREATE TRIGGER maintenance_early_ends_page_version_update AFTER UPDATE ON maintenance_early_ends
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE team_id IN (SELECT team_id FROM maintenance_windows
	    WHERE id IN (OLD.window_id, NEW.window_id));
END;

CREATE TRIGGER maintenance_early_ends_page_version_delete AFTER DELETE ON maintenance_early_ends
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE team_id IN (SELECT team_id FROM maintenance_windows
	    WHERE id IN (OLD.window_id));
END;
