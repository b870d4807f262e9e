-- uptime-maintain forgets delivered notifications (their attempts go
-- with them) and the mail log after UPTIME_AUDIT_RETENTION_DAYS; this
-- index lets it find them without a scan.  Pending ones are never pruned.
CREATE INDEX notifications_done_at ON notifications(created_at)
    WHERE status <> 'pending';
