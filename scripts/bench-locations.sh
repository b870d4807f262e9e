#!/bin/sh
# `make bench`, part 6 (BENCH_ONLY=locations runs it alone): probe
# locations (docs/locations.md), three uptime-probe agents bound to
# 127.0.0.2, 127.0.0.3 and 127.0.0.4 (--source-address) against the API
# under lighttpd.conf.example and a local lighttpd target.
#
# 1. Checks per second per agent: BENCH_LOC_MONITORS monitors (default
#    1000) every 30 s (the shortest interval), each naming the three
#    locations, all due at once; the three agents run as services
#    (no --once) at once with --concurrency BENCH_CONC (default 64, the
#    agent's default), each until the server holds a result of its
#    location for every monitor.  An agent leases at most 500 checks a
#    round and starts a round at most once a second.
# 2. From a failure to the alert: one monitor naming the three
#    locations (default quorum: 2 of 3; confirmations 1,
#    recoveryConfirmations 1, no retryIntervalSeconds; every 30 s), a
#    webhook channel to a receiver on loopback, the agents as services
#    and uptime-notify --loop.  Once the agents have seen it up, the
#    target starts failing (404) at a moment of the monitor's interval
#    (the phase: seconds after a planned check); the delay is from then
#    to the down webhook's arrival, with the check that made the quorum
#    and the notification's row on the way.  BENCH_LOC_TRIALS times
#    (default 3), each with a monitor of its own (the flap rule allows a
#    monitor 4 notifications in 30 minutes), the phases spread over the
#    interval: trial k of n at a random moment of its k-th n-th of it,
#    all drawn from one seed (awk's generator seeded with neighbouring
#    numbers once per trial gave phases less than a second apart).
#
# Loopback only; everything started here is stopped here, and each wait
# has a limit.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/${BUILD:-build}"
n=${BENCH_LOC_MONITORS:-1000}
conc=${BENCH_CONC:-64}
trials=${BENCH_LOC_TRIALS:-3}
interval=30
work=$(mktemp -d /tmp/uptime-bench-loc.XXXXXX)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$top/scripts/bench-lib.sh"

echo "== probe locations: three agents (127.0.0.2-4), concurrency $conc each"

# The target: "ok" at /index.html; gone (404) while it fails.
static_target "$work/target" 4096
tport=$target_port pids="$pids $target_pid"

# The API, as lighttpd.conf.example serves it, with private targets
# allowed (the target and the receiver are on loopback).
export UPTIME_DB="$work/uptime.db" UPTIME_SECRET_FILE="$work/secret"
export UPTIME_RATE_LIMIT=1000000 UPTIME_ALLOW_PRIVATE_TARGETS=1
aport=$(freeport)
for f in examples/uptime.conf lighttpd.conf.example; do
	sed -e "s|@PORT@|$aport|g" -e "s|@BINDIR@|$build/cgi-bin|g" \
	    -e "s|@VARDIR@|$work|g" -e "s|@DB@|$UPTIME_DB|g" \
	    -e "s|@SECRET@|$UPTIME_SECRET_FILE|g" \
	    -e "s|@CONFIG@|$work/uptime.conf|g" \
	    -e "s|@PUBLIC_URL@|http://127.0.0.1:$aport|g" \
	    -e "s|@ALLOW_PRIVATE@|1|g" "$top/$f" \
	    > "$work/$(basename "${f%.example}")"
done
"$build/bin/uptime-admin" init 2>/dev/null
team=$("$build/bin/uptime-admin" team create bench)
key=$("$build/bin/uptime-admin" key create --team "$team" --name bench --scopes all)
lighttpd -D -f "$work/lighttpd.conf" 2>>"$work/api.log" &
pids="$pids $!"
base="http://127.0.0.1:$aport"
i=0
until curl -s -o /dev/null "$base/"; do
	i=$((i + 1)); [ $i -gt 50 ] && { echo "lighttpd did not start"; exit 1; }
	sleep 0.1
done

# The value of member name in the JSON on stdin's data.
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][sys.argv[1]])' "$1"; }
# POST body (JSON) to path with the key; the answer.
post() { curl -sf "$base$1" -H "Authorization: Bearer $key" -H "Content-Type: application/json" -d "$2"; }

locs= tokens=
for name in A B C; do
	ans=$(post /v1/locations "{\"name\": \"bench $name\"}")
	locs="$locs $(echo "$ans" | field id)"
	tokens="$tokens $(echo "$ans" | field token)"
done
set -- $locs
la=$1 lb=$2 lc=$3
lists="[\"$la\",\"$lb\",\"$lc\"]"

# The agents as services, agent i (1..3) from 127.0.0.(i + 1); their
# pids in agent_pids.
agents_start() {
	agent_pids=
	j=1
	for t in $tokens; do
		mkdir -p "$work/spool$j"
		UPTIME_PROBE_TOKEN=$t "$build/cron/uptime-probe" \
		    --server "$base" --source-address "127.0.0.$((j + 1))" \
		    --concurrency "$conc" --spool "$work/spool$j" \
		    2>>"$work/agent$j.log" &
		agent_pids="$agent_pids $!"
		j=$((j + 1))
	done
	pids="$pids $agent_pids"
}
agents_stop() {
	for p in $agent_pids; do kill "$p" 2>/dev/null || true; done
	for p in $agent_pids; do wait "$p" 2>/dev/null || true; done
}

# 1. Throughput.  The monitors inserted with SQL (as bench.sh part 1),
#    then named by the three locations, due now.
now=$(ms)
http_monitors "$n" "$team" "$tport" "$now" | sql "$UPTIME_DB"
sql "$UPTIME_DB" "BEGIN; UPDATE monitors SET interval_s = $interval, locations = '$lists';
INSERT INTO monitor_locations (monitor_id, location_id, next_check_at)
    SELECT id, '$la', $now FROM monitors UNION ALL
    SELECT id, '$lb', $now FROM monitors UNION ALL
    SELECT id, '$lc', $now FROM monitors; COMMIT;"
t0=$(ms)
agents_start
done_a= done_b= done_c=
while [ -z "$done_a" ] || [ -z "$done_b" ] || [ -z "$done_c" ]; do
	[ $(($(ms) - t0)) -lt 300000 ] || { echo "the agents did not finish in 300 s"; exit 1; }
	set -- $(sql "$UPTIME_DB" "SELECT
	    (SELECT count(DISTINCT monitor_id) FROM check_results WHERE location = '$la'),
	    (SELECT count(DISTINCT monitor_id) FROM check_results WHERE location = '$lb'),
	    (SELECT count(DISTINCT monitor_id) FROM check_results WHERE location = '$lc')" |
	    tr '|' ' ')
	t=$(ms)
	[ -n "$done_a" ] || [ "$1" -lt "$n" ] || done_a=$((t - t0))
	[ -n "$done_b" ] || [ "$2" -lt "$n" ] || done_b=$((t - t0))
	[ -n "$done_c" ] || [ "$3" -lt "$n" ] || done_c=$((t - t0))
	sleep 0.1
done
agents_stop
up=$(sql "$UPTIME_DB" "SELECT count(*) FROM monitors WHERE status = 'up'")
printf '%-8s %-12s %10s %12s\n' monitors agent "time ms" "checks/s"
j=1
for d in $done_a $done_b $done_c; do
	awk -v n="$n" -v a="127.0.0.$((j + 1))" -v d="$d" 'BEGIN {
		printf "%-8d %-12s %10d %12.0f\n", n, a, d, n / (d / 1000) }'
	j=$((j + 1))
done
echo "(all three at once on this machine, with the API and the target; $up of $n monitors up)"
sql "$UPTIME_DB" "PRAGMA foreign_keys = ON; DELETE FROM monitors"

# 2. From a failure to the alert.  A receiver on loopback writes one
#    line a webhook: its arrival (ms) and event.
rport=$(freeport)
python3 - "$rport" "$work/hooks" <<'PY' &
import http.server, json, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        t = int(time.time() * 1000)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            ev = json.loads(body).get("event", "?")
        except ValueError:
            ev = "?"
        with open(out, "a") as f:
            f.write("%d %s\n" % (t, ev))
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
PY
pids="$pids $!"
: > "$work/hooks"
post /v1/alert-channels "{\"name\": \"bench\", \"type\": \"webhook\", \"config\": {\"url\": \"http://127.0.0.1:$rport/hook\"}}" >/dev/null
"$build/cron/uptime-notify" --loop 2>>"$work/notify.log" &
pids="$pids $!"
agents_start

# Until the monitor's status is want (limit: 120 s).
status_is() {	# want
	t=$(ms)
	until [ "$(sql "$UPTIME_DB" "SELECT status FROM monitors WHERE id = '$mon'")" = "$1" ]; do
		[ $(($(ms) - t)) -lt 120000 ] || { echo "the monitor did not become $1 in 120 s"; exit 1; }
		sleep 0.1
	done
}
# Until the receiver has had count webhooks of event (limit: 120 s);
# the arrival of the last one in got.
hook_count() {	# event count
	t=$(ms)
	until [ "$(grep -c " $1\$" "$work/hooks" || true)" -ge "$2" ]; do
		[ $(($(ms) - t)) -lt 120000 ] || { echo "no $1 webhook in 120 s"; exit 1; }
		sleep 0.05
	done
	got=$(grep " $1\$" "$work/hooks" | sed -n "$2p" | cut -d' ' -f1)
}
# The phases (ms after a planned check), trial k's in the k-th
# trials-th of the interval.
phases=$(awk -v n="$trials" -v i="$interval" 'BEGIN { srand()
	for (k = 0; k < n; k++) printf "%d ", (k + rand()) / n * i * 1000 }')
rows=
k=1
for phase in $phases; do
	mon=$(post /v1/monitors "{\"name\": \"alert $k\", \"url\": \"http://127.0.0.1:$tport/index.html\", \"intervalSeconds\": $interval, \"locations\": $lists}" | field id)
	status_is up
	# The failure at phase ms after the next planned check, once every
	# location has made its first (planned the next).
	t=$(ms)
	while due=$(sql "$UPTIME_DB" "SELECT min(next_check_at) FROM monitor_locations WHERE monitor_id = '$mon'")
	    [ "$due" -le "$(ms)" ]; do
		[ $(($(ms) - t)) -lt 120000 ] || { echo "the agents did not check the monitor in 120 s"; exit 1; }
		sleep 0.1
	done
	sleep "$(awk -v t="$((due + phase - $(ms)))" 'BEGIN { printf "%.3f", (t > 0 ? t / 1000 : 0) }')"
	tf=$(ms)
	mv "$work/target/www/index.html" "$work/target/www/gone.html"
	hook_count down "$k"
	# The check that made the quorum (the second location's failure)
	# and the notification's row.
	set -- $(sql "$UPTIME_DB" "SELECT
	    (SELECT checked_at FROM check_results WHERE monitor_id = '$mon' AND
	        status = 'down' ORDER BY checked_at LIMIT 1 OFFSET 1),
	    (SELECT min(created_at) FROM notifications WHERE monitor_id = '$mon' AND
	        event = 'down')" | tr '|' ' ')
	rows="$rows$k $phase $(($1 - tf)) $(($2 - tf)) $((got - tf))
"
	curl -sf -X DELETE "$base/v1/monitors/$mon" -H "Authorization: Bearer $key"
	mv "$work/target/www/gone.html" "$work/target/www/index.html"
	k=$((k + 1))
done
agents_stop
echo
echo "from the target failing to the down webhook (quorum 2 of 3, confirmations 1, interval $interval s, no retryIntervalSeconds; uptime-notify --loop):"
printf '%-6s %10s %10s %14s %10s\n' trial phase "quorum's" notification webhook
printf '%-6s %10s %10s %14s %10s\n' "" "" check row ""
printf '%s' "$rows" | awk -v i="$interval" '{ n++; s += $5; e += i * 1000 - $2
	printf "%-6d %8.1f s %8.1f s %12.1f s %8.1f s\n", $1, $2 / 1000, $3 / 1000, $4 / 1000, $5 / 1000 }
	END { printf "mean delay %.1f s over %d trials; the interval less the phase: %.1f s\n", s / n / 1000, n, e / n / 1000 }'
