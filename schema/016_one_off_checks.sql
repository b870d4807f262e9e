-- One-off checks (POST /v1/checks) hold a lease while their probe runs,
-- outside any transaction, like the run-now leases of 011: they have no
-- monitor, so they are kept here, named by their token, and counted with
-- the team's run-now leases against UPTIME_MAX_RUN_NOW (lib/limit.h).
-- A lease whose expires_at has passed counts for nothing and is deleted
-- by the next one taken.

CREATE TABLE check_leases (
	token		TEXT PRIMARY KEY,
	team_id		TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	expires_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX check_leases_team ON check_leases(team_id);
