-- Status pages' data versions on PostgreSQL: schema/024_status_page_versions.sql
-- says what and why; the same triggers, each table's through one
-- function that finds the pages to move from the old and the new row
-- (the column that leads to them is the trigger's argument).

ALTER TABLE status_pages ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;

-- The page's own row: any change but the version's own moves it.
CREATE FUNCTION uptime_page_version_self() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.data_version = OLD.data_version THEN
		NEW.data_version := OLD.data_version + 1;
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER status_pages_version BEFORE UPDATE ON status_pages
FOR EACH ROW EXECUTE FUNCTION uptime_page_version_self();

-- The keys (the column TG_ARGV[0] of the old row, the new row or both)
-- of the rows a trigger saw.
CREATE FUNCTION uptime_page_version_keys(op text, o anyelement,
    n anyelement, col text) RETURNS text[]
LANGUAGE plpgsql AS $$
BEGIN
	IF op = 'INSERT' THEN
		RETURN ARRAY[to_jsonb(n) ->> col];
	ELSIF op = 'DELETE' THEN
		RETURN ARRAY[to_jsonb(o) ->> col];
	END IF;
	RETURN ARRAY[to_jsonb(o) ->> col, to_jsonb(n) ->> col];
END $$;

-- The pages showing the monitor TG_ARGV[0] names.  Also a trigger
-- BEFORE DELETE (while the components still name the monitor), which
-- must give the row back for the delete to go on.
CREATE FUNCTION uptime_page_version_monitor() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM status_page_components
	    WHERE monitor_id = ANY (uptime_page_version_keys(TG_OP, OLD, NEW,
	    TG_ARGV[0])));
	IF TG_OP = 'DELETE' THEN
		RETURN OLD;
	END IF;
	RETURN NEW;
END $$;

-- The page TG_ARGV[0] names.
CREATE FUNCTION uptime_page_version_page() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id = ANY (uptime_page_version_keys(TG_OP, OLD, NEW,
	    TG_ARGV[0]));
	RETURN NULL;
END $$;

-- The page of the incident TG_ARGV[0] names.
CREATE FUNCTION uptime_page_version_incident() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE id IN (SELECT page_id FROM incidents
	    WHERE id = ANY (uptime_page_version_keys(TG_OP, OLD, NEW,
	    TG_ARGV[0])));
	RETURN NULL;
END $$;

-- Every page of the team TG_ARGV[0] names.
CREATE FUNCTION uptime_page_version_team() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE team_id = ANY (uptime_page_version_keys(TG_OP, OLD, NEW,
	    TG_ARGV[0]));
	RETURN NULL;
END $$;

-- Every page of the team of the maintenance window TG_ARGV[0] names.
CREATE FUNCTION uptime_page_version_window() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE status_pages SET data_version = data_version + 1
	WHERE team_id IN (SELECT team_id FROM maintenance_windows
	    WHERE id = ANY (uptime_page_version_keys(TG_OP, OLD, NEW,
	    TG_ARGV[0])));
	RETURN NULL;
END $$;

-- The monitor of a component: what the page shows of it.
CREATE TRIGGER monitors_page_version
AFTER UPDATE OF status, paused, created_at, last_checked_at, team_id ON monitors
FOR EACH ROW EXECUTE FUNCTION uptime_page_version_monitor('id');
CREATE TRIGGER monitors_page_version_delete BEFORE DELETE ON monitors
FOR EACH ROW EXECUTE FUNCTION uptime_page_version_monitor('id');

-- Its rollups, only a row that starts or stops counting a day (see
-- schema/024_status_page_versions.sql), and its downtime.
CREATE TRIGGER rollups_hourly_page_version_insert AFTER INSERT ON rollups_hourly
FOR EACH ROW WHEN (NEW.total > 0)
EXECUTE FUNCTION uptime_page_version_monitor('monitor_id');
CREATE TRIGGER rollups_hourly_page_version_update AFTER UPDATE ON rollups_hourly
FOR EACH ROW WHEN ((OLD.total > 0) <> (NEW.total > 0)
    OR OLD.monitor_id <> NEW.monitor_id OR OLD.bucket <> NEW.bucket)
EXECUTE FUNCTION uptime_page_version_monitor('monitor_id');
CREATE TRIGGER rollups_hourly_page_version_delete AFTER DELETE ON rollups_hourly
FOR EACH ROW WHEN (OLD.total > 0)
EXECUTE FUNCTION uptime_page_version_monitor('monitor_id');
CREATE TRIGGER rollups_daily_page_version_insert AFTER INSERT ON rollups_daily
FOR EACH ROW WHEN (NEW.total > 0)
EXECUTE FUNCTION uptime_page_version_monitor('monitor_id');
CREATE TRIGGER rollups_daily_page_version_update AFTER UPDATE ON rollups_daily
FOR EACH ROW WHEN ((OLD.total > 0) <> (NEW.total > 0)
    OR OLD.monitor_id <> NEW.monitor_id OR OLD.bucket <> NEW.bucket)
EXECUTE FUNCTION uptime_page_version_monitor('monitor_id');
CREATE TRIGGER rollups_daily_page_version_delete AFTER DELETE ON rollups_daily
FOR EACH ROW WHEN (OLD.total > 0)
EXECUTE FUNCTION uptime_page_version_monitor('monitor_id');
CREATE TRIGGER outages_page_version
AFTER INSERT OR UPDATE OR DELETE ON outages
FOR EACH ROW EXECUTE FUNCTION uptime_page_version_monitor('monitor_id');

-- The page's components and incidents.
CREATE TRIGGER status_page_components_page_version
AFTER INSERT OR UPDATE OR DELETE ON status_page_components
FOR EACH ROW EXECUTE FUNCTION uptime_page_version_page('page_id');
CREATE TRIGGER incidents_page_version
AFTER INSERT OR UPDATE OR DELETE ON incidents
FOR EACH ROW EXECUTE FUNCTION uptime_page_version_page('page_id');
CREATE TRIGGER incident_updates_page_version
AFTER INSERT OR UPDATE OR DELETE ON incident_updates
FOR EACH ROW EXECUTE FUNCTION uptime_page_version_incident('incident_id');
CREATE TRIGGER incident_components_page_version
AFTER INSERT OR UPDATE OR DELETE ON incident_components
FOR EACH ROW EXECUTE FUNCTION uptime_page_version_incident('incident_id');

-- Maintenance: a window may cover any monitor of its team.
CREATE TRIGGER maintenance_windows_page_version
AFTER INSERT OR UPDATE OR DELETE ON maintenance_windows
FOR EACH ROW EXECUTE FUNCTION uptime_page_version_team('team_id');
CREATE TRIGGER maintenance_window_monitors_page_version
AFTER INSERT OR UPDATE OR DELETE ON maintenance_window_monitors
FOR EACH ROW EXECUTE FUNCTION uptime_page_version_window('window_id');
CREATE TRIGGER maintenance_early_ends_page_version
AFTER INSERT OR UPDATE OR DELETE ON maintenance_early_ends
FOR EACH ROW EXECUTE FUNCTION uptime_page_version_window('window_id');
