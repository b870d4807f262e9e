-- Leases of due checks, for several checkers on one database
-- (lib/monitor.c, monitor_claim_due): the node whose checker took the
-- monitor's next check, and until when no other node may take it.
ALTER TABLE monitors ADD COLUMN lease_node TEXT;
ALTER TABLE monitors ADD COLUMN lease_until BIGINT;
