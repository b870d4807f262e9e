-- Run-now leases (lib/limit.h): POST /v1/monitors/{id}/check holds one
-- while its check runs, outside any transaction.  One a monitor (the
-- primary key), at most UPTIME_MAX_RUN_NOW a team; a lease whose
-- expires_at has passed counts for nothing and is deleted by the next
-- one taken, so a worker killed mid-check does not hold it for ever.
-- token names the holder: giving back never drops a lease taken over.

CREATE TABLE run_now_leases (
	monitor_id	TEXT PRIMARY KEY REFERENCES monitors(id) ON DELETE CASCADE,
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	token		TEXT NOT NULL,
	expires_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX run_now_leases_team ON run_now_leases(team_id);
