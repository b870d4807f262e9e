/*
 * A monitor's record: its limits, types, statuses, health and struct
 * monitor, without the functions over them (monitor.h).  Below both the
 * monitors module and the heartbeat schedule (hbsched.h).
 */
#ifndef MONITORREC_H
#define MONITORREC_H

#include "base.h"
#include "ref.h"

#define MON_MAXTAGS		20
#define MON_MAXTAGLEN		64
#define MON_MAXURL		2048
#define MON_MAXHEADERS		32
#define MON_MAXHEADERLEN	1024
#define MON_MAXBODY		(64 * 1024)
#define MON_MAXCODES		20
#define MON_MAXCHECKS		10
#define MON_MAXCHECKLEN		1024
#define MON_MAXHOST		253
#define MON_PINGTOKEN_MAX	40	/* a ping token and its NUL */
#define MON_MAXLOCATIONS	16	/* locations a monitor is checked from */
#define MON_LOCAL		"local"	/* this host's checker, a location */

enum mon_type {
	MON_HTTP,
	MON_TCP,
	MON_DNS,
	MON_HEARTBEAT,
	MON_TYPE__MAX
};

enum mon_status {
	MST_PENDING,
	MST_UP,
	MST_DEGRADED,
	MST_DOWN,
	MST_PAUSED,
	MST_MAINTENANCE,
	MST__MAX
};

/*
 * The health of a monitor, or of a set of them (a team's monitors, a
 * status page's components), mildest first, so that the worse of two is
 * the greater.
 */
enum health {
	HEALTH_UNKNOWN,
	HEALTH_OPERATIONAL,
	HEALTH_MAINTENANCE,
	HEALTH_DEGRADED,
	HEALTH_PARTIAL,
	HEALTH_MAJOR,
	HEALTH__MAX
};

struct monitor {
	char		 id[ID_MAX];
	char		 team_id[ID_MAX];
	char		 name[NAME_MAXBYTES];
	char		 ref[REF_MAX];	/* "" until stored (lib/ref.h) */
	enum mon_type	 type;
	long		 interval_s;
	long		 timeout_s;
	long		 confirmations;
	int		 paused;
	cJSON		*tags;		/* array of strings, owned */
	cJSON		*config;	/* object, owned */
	cJSON		*locations;	/* array of "local" and location ids,
					   owned (lib/location.h) */
	long		 quorum;	/* 0: a majority of its locations */
	long		 recovery;	/* recoveryConfirmations */
	long		 retry_s;	/* retryIntervalSeconds, 0: none */

	/* State, kept by the checker. */
	cJSON		*loc_states;	/* locationStates as read, owned, or
					   NULL */
	long		 loc_fails;	/* the last result's location's
					   failures in a row (check_record) */
	enum mon_status	 status;
	int		 in_maintenance;	/* shown as "maintenance" */
	long		 fails;		/* consecutive failures */
	int64_t		 last_checked_at;
	int64_t		 next_check_at;
	int64_t		 last_change_at;
	long		 last_response_ms;	/* -1: none */
	int64_t		 ssl_expires_at;
	char		 ssl_issuer[256];
	char		 ssl_status[16];	/* "" when not https */
	int64_t		 ssl_warned_at;
	int64_t		 created_at;
	int64_t		 updated_at;

	/* DNS only: the last answer set (a sorted JSON array of strings,
	 * owned), NULL before the first answer (lib/check.c). */
	cJSON		*last_value;

	/* Heartbeats only (lib/heartbeat.c). */
	char		 ping_token[MON_PINGTOKEN_MAX];	/* "" for the others */
	int64_t		 last_ping_at;
	int64_t		 run_started_at;	/* an open /start, 0: none */
	int64_t		 ping_expected_at;	/* the next ping, no grace */
	int64_t		 ping_window;	/* rate limit: the minute counted */
	long		 ping_count;	/* pings in that minute */
};

#endif /* MONITORREC_H */
