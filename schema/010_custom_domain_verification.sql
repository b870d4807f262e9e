-- A custom domain is served only once the team has proved it holds it,
-- with a DNS TXT record (docs/lib/statuspage.md "Custom domains").
--
-- The column that was unique becomes the verified domain, the one a
-- request's Host is looked up by: still unique, so one page serves a
-- host.  custom_domain is what a team asks for; several pages (of any
-- teams) may ask for the same one while none has verified it.  Domains
-- set before this were never proved: they start pending.
ALTER TABLE status_pages RENAME COLUMN custom_domain TO verified_domain;
ALTER TABLE status_pages ADD COLUMN custom_domain TEXT;
UPDATE status_pages SET custom_domain = verified_domain, verified_domain = NULL;
-- The last verification: when it ran, and why it failed (NULL when it
-- passed or none ran since custom_domain was set).
ALTER TABLE status_pages ADD COLUMN domain_checked_at INTEGER;
ALTER TABLE status_pages ADD COLUMN domain_error TEXT;
