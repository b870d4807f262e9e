-- A status page's logo, an https URL shown in the public page's header
-- (NULL: none), and whether the public page shows the overall-status
-- banner (1, the default, as every page did before).
ALTER TABLE status_pages ADD COLUMN logo_url TEXT;
ALTER TABLE status_pages ADD COLUMN show_overall_status INTEGER NOT NULL DEFAULT 1;
