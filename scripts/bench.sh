#!/bin/sh
# `make bench`: figures and ratios, never pass or fail.
#
# 1. Checker throughput: one uptime-check pass over N HTTP monitors that
#    point at a local lighttpd, against `curl --parallel` fetching the
#    same URLs with the same concurrency (the same libcurl with no
#    bookkeeping: the reference).  Note that each check opens its own
#    connection (connect time is part of what it measures) while curl
#    reuses its connections, so the reference does less work.  Also the start lag: from the time the
#    checks were due to the time the pass started them.
# 2. Stats: a 30-day stats answer from rollups against the same figures
#    computed from raw rows (tests/bench/bench_stats.c).
#
# Sizes: BENCH_SIZES (default "1000 10000"), concurrency BENCH_CONC
# (default 64).  Loopback only; everything started here is stopped here.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/${BUILD:-build}"
sizes=${BENCH_SIZES:-1000 10000}
conc=${BENCH_CONC:-64}
work=$(mktemp -d /tmp/uptime-bench.XXXXXX)
lpid=
cleanup() {
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

ms() { date +%s%3N; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/www"
echo "ok" > "$work/www/index.html"
cat > "$work/lighttpd.conf" <<CONF
server.bind = "127.0.0.1"
server.port = $port
server.document-root = "$work/www"
server.errorlog = "$work/lighttpd.log"
server.max-connections = 4096
server.max-fds = 8192
CONF
lighttpd -D -f "$work/lighttpd.conf" &
lpid=$!
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$port/index.html"; do
	i=$((i + 1)); [ $i -gt 50 ] && { echo "lighttpd did not start"; exit 1; }
	sleep 0.1
done

export UPTIME_DB="$work/uptime.db" UPTIME_SECRET_FILE="$work/secret"
export UPTIME_ALLOW_PRIVATE_TARGETS=1 UPTIME_CHECK_CONCURRENCY=$conc
"$build/bin/uptime-admin" init 2>/dev/null
team=$("$build/bin/uptime-admin" team create bench)

echo "== checker throughput (concurrency $conc, target: local lighttpd)"
printf '%-8s %12s %12s %8s %14s\n' monitors "checker/s" "curl/s" ratio "start lag ms"
for n in $sizes; do
	sqlite3 "$UPTIME_DB" "DELETE FROM monitors;"
	due=$(ms)
	# Monitors are inserted with SQL (the API would take minutes for
	# 10,000); the config is what the API stores for a plain http one.
	python3 - "$n" "$team" "$port" "$due" <<'PY' | sqlite3 "$UPTIME_DB"
import sys, random, string
n, team, port, due = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
al = string.digits + string.ascii_letters
print("BEGIN;")
for i in range(n):
    mid = "mon_" + "".join(random.choice(al) for _ in range(20))
    cfg = ('{"url":"http://127.0.0.1:%s/index.html?m=%d","method":"GET",'
           '"headers":{},"body":null,"expectedStatusCodes":["200-299"],'
           '"followRedirects":true,"verifyTls":true,"degradedAfterMs":5000,'
           '"contentChecks":[],"sslExpiryWarningDays":14}') % (port, i)
    print("INSERT INTO monitors (id, team_id, name, type, interval_s, "
          "timeout_s, confirmations, config, next_check_at, created_at, "
          "updated_at) VALUES ('%s','%s','m%d','http',60,10,1,'%s',%d,%d,%d);"
          % (mid, team, i, cfg, due, due, due))
print("COMMIT;")
PY
	t0=$(ms)
	"$build/cron/uptime-check"
	t1=$(ms)
	checked=$(sqlite3 "$UPTIME_DB" "SELECT count(*) FROM monitors WHERE status = 'up'")
	# Every monitor was due before the pass began: the lag is from the
	# program's start to the moment its checks started.
	lag=$(sqlite3 "$UPTIME_DB" "SELECT min(checked_at) - $t0 FROM check_results")
	sqlite3 "$UPTIME_DB" "DELETE FROM check_results; DELETE FROM rollups_hourly;"

	: > "$work/urls"
	j=0
	while [ $j -lt "$n" ]; do
		printf 'url = "http://127.0.0.1:%s/index.html?m=%d"\noutput = "/dev/null"\n' "$port" $j >> "$work/urls"
		j=$((j + 1))
	done
	c0=$(ms)
	curl -s --no-progress-meter --parallel --parallel-max "$conc" -K "$work/urls"
	c1=$(ms)
	awk -v n="$n" -v up="$checked" -v a=$((t1 - t0)) -v b=$((c1 - c0)) -v lag="$lag" 'BEGIN {
		cs = n / (a / 1000); rs = n / (b / 1000);
		printf "%-8d %12.0f %12.0f %8.2f %14s   (%d of %d up; checker %d ms, curl %d ms)\n",
		    n, cs, rs, rs / cs, lag, up, n, a, b }'
done
echo "ratio = curl time / checker time per check; 1.0 means as fast as bare curl"
echo

if [ -x "$build/bench/bench_stats" ]; then
	echo "== stats from rollups against raw rows"
	# One monitor with 30 days of results a minute; more monitors only
	# make the load longer (bench_stats 1 100 to see).
	"$build/bench/bench_stats" -r 5 1
fi

# 3. The cost of the API's layers: an authenticated GET /v1/monitors of
#    50 monitors (key check, rate limit, query, JSON) against a bare
#    FastCGI responder that answers "OK", under the same lighttpd.
if [ -x "$build/bench/hello" ] && command -v wrk >/dev/null 2>&1; then
	echo
	echo "== API layers: GET /v1/monitors (50 monitors) against a bare FastCGI hello"
	api="$work/api"
	mkdir -p "$api/empty"
	aport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	export UPTIME_DB="$api/uptime.db" UPTIME_SECRET_FILE="$api/secret"
	export UPTIME_RATE_LIMIT=100000000
	"$build/bin/uptime-admin" init 2>/dev/null
	ateam=$("$build/bin/uptime-admin" team create bench)
	akey=$("$build/bin/uptime-admin" key create --team "$ateam" --name bench --scopes all)
	sed -e "s|@PORT@|$aport|g" -e "s|@BINDIR@|$build/cgi-bin|g" \
	    -e "s|@VARDIR@|$api|g" -e "s|@DB@|$UPTIME_DB|g" \
	    -e "s|@SECRET@|$UPTIME_SECRET_FILE|g" \
	    -e "s|@PUBLIC_URL@|http://127.0.0.1:$aport|g" \
	    -e "s|@ALLOW_PRIVATE@|0|g" "$top/lighttpd.conf.example" \
	    > "$api/lighttpd.conf"
	cat >> "$api/lighttpd.conf" <<CONF
\$HTTP["url"] =~ "^/hello" {
	fastcgi.server = ( "/" => ( (
		"bin-path" => "$build/bench/hello",
		"socket" => "$api/hello.sock",
		"check-local" => "disable",
		"max-procs" => 2,
	) ) )
}
CONF
	lighttpd -D -f "$api/lighttpd.conf" &
	apid=$!
	i=0
	until curl -sf -o /dev/null "http://127.0.0.1:$aport/hello"; do
		i=$((i + 1)); [ $i -gt 50 ] && { echo "lighttpd did not start"; kill $apid; exit 1; }
		sleep 0.1
	done
	j=0
	while [ $j -lt 50 ]; do
		curl -sf -o /dev/null "http://127.0.0.1:$aport/v1/monitors" \
		    -H "Authorization: Bearer $akey" -H "Content-Type: application/json" \
		    -d "{\"name\":\"m$j\",\"url\":\"https://example.com/$j\",\"tags\":[\"bench\"]}"
		j=$((j + 1))
	done
	rps() { wrk -t2 -c16 -d"${BENCH_SECONDS:-5}"s "$@" | awk '/Requests\/sec/ { print $2 }'; }
	hello=$(rps "http://127.0.0.1:$aport/hello")
	list=$(rps -H "Authorization: Bearer $akey" "http://127.0.0.1:$aport/v1/monitors")
	awk -v h="$hello" -v l="$list" 'BEGIN {
		printf "%-34s %10.0f req/s\n", "FastCGI hello", h;
		printf "%-34s %10.0f req/s\n", "GET /v1/monitors (50, with key)", l;
		printf "%-34s %10.2f (aim: 0.8 or more)\n", "ratio", l / h }'
	kill $apid 2>/dev/null || true
	wait $apid 2>/dev/null || true
fi
