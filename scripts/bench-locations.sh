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
#    target starts failing (404) at a random moment of the monitor's
#    interval; the delay is from then to the down webhook's arrival.
#    BENCH_LOC_TRIALS times (default 3), each with a monitor of its own
#    (the flap rule allows a monitor 4 notifications in 30 minutes).
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
sql "$UPTIME_DB" "DELETE FROM monitors"

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
delays=
k=1
while [ $k -le "$trials" ]; do
	mon=$(post /v1/monitors "{\"name\": \"alert $k\", \"url\": \"http://127.0.0.1:$tport/index.html\", \"intervalSeconds\": $interval, \"locations\": $lists}" | field id)
	status_is up
	# A random moment of the interval.
	sleep "$(awk -v s="$k$$" -v i="$interval" 'BEGIN { srand(s); printf "%.1f", rand() * i }')"
	tf=$(ms)
	mv "$work/target/www/index.html" "$work/target/www/gone.html"
	hook_count down "$k"
	delays="$delays $((got - tf))"
	curl -sf -X DELETE "$base/v1/monitors/$mon" -H "Authorization: Bearer $key"
	mv "$work/target/www/gone.html" "$work/target/www/index.html"
	k=$((k + 1))
done
agents_stop
echo
echo "from the target failing to the down webhook (quorum 2 of 3, confirmations 1, interval $interval s, no retryIntervalSeconds; uptime-notify --loop):"
echo "$delays" | awk '{ s = 0; min = $1; max = $1
	for (i = 1; i <= NF; i++) { s += $i; if ($i < min) min = $i; if ($i > max) max = $i;
		printf "  trial %d: %.1f s\n", i, $i / 1000 }
	printf "  mean %.1f s, min %.1f s, max %.1f s over %d trials\n", s / NF / 1000, min / 1000, max / 1000, NF }'
