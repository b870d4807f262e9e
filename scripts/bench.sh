#!/bin/sh
# `make bench`: figures and ratios, never pass or fail.
#
# 1. Checker throughput: one uptime-check --once pass over N HTTP monitors that
#    point at a local lighttpd, against `curl --parallel` fetching the
#    same URLs with the same concurrency (the same libcurl with no
#    bookkeeping: the reference).  Note that each check opens its own
#    connection (connect time is part of what it measures) while curl
#    reuses its connections, so the reference does less work.  Also the start lag: from the time the
#    checks were due to the time the pass started them.
# 2. Stats: a 30-day stats answer from rollups against the same figures
#    computed from raw rows (tests/bench/bench_stats.c).
# 3. With wrk: the API's routes (a list, a monitor, a results page, the
#    public status page and its 304, heartbeat pings), each against the
#    exact bytes it answered served from memory (tests/bench/bytes.c)
#    and a bare FastCGI "OK" (tests/bench/hello.c), under the same
#    lighttpd (BENCH_SECONDS each, default 5; BENCH_PING_TOKENS, default
#    5000 heartbeats to spread the pings over).  Then the peak RSS of
#    the list's, the pings' and the page's workers after
#    BENCH_RSS_REQUESTS requests each (default 100000).
#
# 4. One scrape of GET /v1/metrics for a team of BENCH_METRICS_MONITORS
#    monitors (default 1000) with 30 days of rollups, one request at a
#    time, against the same hello.
#
# 5. The checker's schedule when targets hang: scripts/bench-checker.sh
#    (CHECKER_BENCH_SECONDS a run, default 300; CHECKER_BENCH_SECONDS=0
#    skips it).
#
# 6. Probe locations: three uptime-probe agents' checks per second, and
#    the delay from a failure to its alert across them:
#    scripts/bench-locations.sh (BENCH_LOC_MONITORS, BENCH_LOC_TRIALS).
#
# PostgreSQL beside SQLite: a throwaway cluster (scripts/pg-cluster.sh,
# a unix socket in the bench's temporary folder, fsync off) lives for the
# run.  Part 1 runs the checker's pass at each size of BENCH_PG_SIZES
# (default 10000) on it too, with one checker and then split over two
# (two nodes: two data folders on one database), and counts the results
# of each monitor; part 3 measures the list and pings on it through a
# second lighttpd of the same configuration, against the same
# references.  BENCH_PG=0, or no PostgreSQL programs, leaves it out.
#
# Sizes: BENCH_SIZES (default "1000 10000"), concurrency BENCH_CONC
# (default 64; each checker's).  BENCH_ONLY=api runs part 3 alone,
# BENCH_ONLY=locations part 6.
# Loopback only; everything started here is stopped here.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${BENCH_ONLY:-}" = locations ]; then
	exec "$top/scripts/bench-locations.sh"
fi
build="$top/${BUILD:-build}"
sizes=${BENCH_SIZES:-1000 10000}
pgsizes=${BENCH_PG_SIZES:-10000}
conc=${BENCH_CONC:-64}
work=$(mktemp -d /tmp/uptime-bench.XXXXXX)
lpid=
apid=
ppid_pg=
pguri=
cleanup() {
	for p in $lpid $apid $ppid_pg; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -z "$pguri" ] || sh "$top/scripts/pg-cluster.sh" stop "$work/pg" || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$top/scripts/bench-lib.sh"

if [ "${BENCH_PG:-1}" != 0 ] && command -v psql >/dev/null 2>&1 &&
    [ -x "${PGBIN:-/usr/lib/postgresql/15/bin}/initdb" ]; then
	chmod 755 "$work"	# the server runs as postgres
	pguri=$(sh "$top/scripts/pg-cluster.sh" start "$work/pg") || {
		echo "no PostgreSQL figures: the cluster did not start"
		pguri=
	}
else
	echo "no PostgreSQL figures (BENCH_PG=0, or no psql and initdb)"
fi

static_target "$work" 4096
port=$target_port lpid=$target_pid
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$port/index.html"; do
	i=$((i + 1)); [ $i -gt 50 ] && { echo "lighttpd did not start"; exit 1; }
	sleep 0.1
done

export UPTIME_DB="$work/uptime.db" UPTIME_SECRET_FILE="$work/secret"
export UPTIME_ALLOW_PRIVATE_TARGETS=1 UPTIME_CHECK_CONCURRENCY=$conc
"$build/bin/uptime-admin" init 2>/dev/null
team=$("$build/bin/uptime-admin" team create bench)
if [ -n "$pguri" ] && [ "${BENCH_ONLY:-}" != api ]; then
	# Node a is this folder, node b a folder of its own with the same
	# secret: two nodes' checkers on one database.
	mkdir "$work/b"
	cp -p "$work/secret" "$work/b/secret"
	UPTIME_DB=$pguri "$build/bin/uptime-admin" init 2>/dev/null
	pgteam=$(UPTIME_DB=$pguri "$build/bin/uptime-admin" team create bench)
fi

# One pass of uptime-check --once over n HTTP monitors of team in the
# database db, with each of the data folders given (one checker each, all
# at once); its figures go to pass_ms, pass_lag (ms from the start to the
# first check), pass_up, pass_results, pass_monitors (monitors with a
# result), pass_once (those with exactly one), pass_nodes (the
# monitors each node claimed last, PostgreSQL only) and pass_rss (each
# checker's peak RSS, MiB, "+" between them).
check_pass() {	# db team n folder...
	db=$1 pteam=$2 pn=$3; shift 3
	sql "$db" "DELETE FROM check_results; DELETE FROM rollups_hourly; DELETE FROM monitors;"
	http_monitors "$pn" "$pteam" "$port" "$(ms)" | sql "$db"
	case $db in *://*) sql "$db" "VACUUM ANALYZE" ;; esac
	pids=
	t0=$(ms)
	k=0
	for f in "$@"; do
		k=$((k + 1))
		UPTIME_DB=$db UPTIME_SECRET_FILE=$f/secret \
		    peak_rss "$work/rss.$k" "$build/cron/uptime-check" --once &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p"; done
	t1=$(ms)
	pass_ms=$((t1 - t0))
	pass_rss=$(for f in "$work"/rss.*; do
		awk '{ printf "%.1f\n", $1 / 1024 }' "$f"; done | paste -sd+)
	rm -f "$work"/rss.*
	pass_up=$(sql "$db" "SELECT count(*) FROM monitors WHERE status = 'up'")
	# Every monitor was due before the pass began: the lag is from the
	# programs' start to the moment the first check started.
	pass_lag=$(sql "$db" "SELECT min(checked_at) - $t0 FROM check_results")
	set -- $(sql "$db" "SELECT count(*), count(*) FILTER (WHERE n = 1), coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM check_results GROUP BY monitor_id) r" | tr '|' ' ')
	pass_monitors=$1 pass_once=$2 pass_results=$3
	pass_nodes=
	case $db in *://*)
		pass_nodes=$(sql "$db" "SELECT count(*) FROM monitors GROUP BY lease_node ORDER BY lease_node" | paste -sd+) ;;
	esac
}

if [ "${BENCH_ONLY:-}" != api ]; then
	echo "== checker throughput (concurrency $conc a checker, target: local lighttpd)"
	printf '%-8s %-16s %12s %12s %8s %12s %8s %14s %12s\n' monitors database "checker/s" "curl/s" ratio "curl new/s" "ratio" "start lag ms" "peak RSS MiB"
	# One line: label, then curl's times (reused connections, fresh
	# ones); the pass_ figures of the pass.
	pass_line() {
		awk -v n="$n" -v l="$1" -v b="$2" -v f="$3" -v a="$pass_ms" -v lag="$pass_lag" \
		    -v rss="$pass_rss" \
		    -v up="$pass_up" -v res="$pass_results" -v mon="$pass_monitors" \
		    -v once="$pass_once" -v nodes="$pass_nodes" 'BEGIN {
			cs = n / (a / 1000); rs = n / (b / 1000); fs = n / (f / 1000);
			printf "%-8d %-16s %12.0f %12.0f %8.2f %12.0f %8.2f %14s %12s   (%d of %d up; %d results, %d of %d monitors checked exactly once%s; checker %d ms, curl %d ms, curl fresh %d ms)\n",
			    n, l, cs, rs, rs / cs, fs, fs / cs, lag, rss, up, n, res, once, n,
			    nodes == "" ? "" : "; by node " nodes, a, b, f }'
	}
	for n in $sizes; do
		# Monitors are inserted with SQL (the API would take minutes for
		# 10,000); the config is what the API stores for a plain http one.
		check_pass "$UPTIME_DB" "$team" "$n" "$work"
		: > "$work/urls"
		j=0
		while [ $j -lt "$n" ]; do
			printf 'url = "http://127.0.0.1:%s/index.html?m=%d"\noutput = "/dev/null"\n' "$port" $j >> "$work/urls"
			j=$((j + 1))
		done
		c0=$(ms)
		curl -s --no-progress-meter --parallel --parallel-max "$conc" -K "$work/urls"
		c1=$(ms)
		# The fair reference: a new connection for every fetch, as
		# the checker makes for every check.
		curl -s --no-progress-meter --parallel --parallel-max "$conc" \
		    -H 'Connection: close' -K "$work/urls"
		c2=$(ms)
		pass_line SQLite $((c1 - c0)) $((c2 - c1))
		case " $pgsizes " in *" $n "*) [ -n "$pguri" ] || continue ;; *) continue ;; esac
		check_pass "$pguri" "$pgteam" "$n" "$work"
		pass_line PostgreSQL $((c1 - c0)) $((c2 - c1))
		check_pass "$pguri" "$pgteam" "$n" "$work" "$work/b"
		pass_line "PostgreSQL x2" $((c1 - c0)) $((c2 - c1))
	done
	echo "ratio = checker time / curl time for the same checks; 1.0 means as fast as bare curl"
	echo "curl new: curl with a new connection for every fetch (Connection: close), as the checker's checks each open one"
	echo "peak RSS: the checker's VmHWM at its end (each checker's, with two)"
	[ -z "$pguri" ] || echo "PostgreSQL x2: two checkers at once, two nodes (data folders) on one database; by node: the monitors each one claimed"
	echo

	if [ -x "$build/bench/bench_stats" ]; then
		echo "== stats from rollups against raw rows"
		# One monitor with 30 days of results a minute; more monitors only
		# make the load longer (bench_stats 1 100 to see).
		"$build/bench/bench_stats" -r 5 1
	fi
fi

# 3. The API under the same lighttpd as lighttpd.conf.example, each route
#    against two references: tests/bench/hello.c (a bare FastCGI "OK")
#    and tests/bench/bytes.c (the exact body the route answered, from
#    memory: what carrying that answer costs).  Routes: an authenticated
#    GET /v1/monitors (50 monitors), GET /v1/monitors/{id}, a 50-item
#    results page, the public status page (5 components, 90 days of
#    daily rollups, an open incident) and its 304, and heartbeat pings
#    (spread over BENCH_PING_TOKENS heartbeats, default 5000, so that no
#    token reaches its 60 pings a minute).  Besides requests a second,
#    the CPU time the lighttpd's workers of each program spent per
#    request (user + system, from /proc): a figure a busy machine
#    disturbs much less.
if [ -x "$build/bench/hello" ] && [ -x "$build/bench/bytes" ] &&
    command -v wrk >/dev/null 2>&1; then
	echo
	echo "== API routes against the same bytes from memory and a bare FastCGI hello"
	api="$work/api"
	mkdir -p "$api/empty" "$api/bytes"
	aport=$(freeport)
	export UPTIME_DB="$api/uptime.db" UPTIME_SECRET_FILE="$api/secret"
	export UPTIME_RATE_LIMIT=1000000
	"$build/bin/uptime-admin" init 2>/dev/null
	ateam=$("$build/bin/uptime-admin" team create bench)
	akey=$("$build/bin/uptime-admin" key create --team "$ateam" --name bench --scopes all)
	# The status page and the heartbeats in a team of their own, so
	# that the list is 50 monitors.
	pteam=$("$build/bin/uptime-admin" team create pages)
	pkey=$("$build/bin/uptime-admin" key create --team "$pteam" --name bench --scopes all)
	# lighttpd.conf.example and examples/uptime.conf, rendered into
	# the folder dir for a server on port whose programs use db.
	api_conf() {	# dir port db
		for f in examples/uptime.conf lighttpd.conf.example; do
			sed -e "s|@PORT@|$2|g" -e "s|@BINDIR@|$build/cgi-bin|g" \
			    -e "s|@VARDIR@|$1|g" -e "s|@DB@|$3|g" \
			    -e "s|@SECRET@|$UPTIME_SECRET_FILE|g" \
			    -e "s|@CONFIG@|$1/uptime.conf|g" \
			    -e "s|@PUBLIC_URL@|http://127.0.0.1:$2|g" \
			    -e "s|@ALLOW_PRIVATE@|0|g" "$top/$f" \
			    > "$1/$(basename "${f%.example}")"
		done
	}
	# Until the server on port answers.
	api_wait() {	# port
		i=0
		until curl -s -o /dev/null "http://127.0.0.1:$1/"; do
			i=$((i + 1)); [ $i -gt 50 ] && { echo "lighttpd did not start"; exit 1; }
			sleep 0.1
		done
	}
	# 50 monitors through the API at base with key; prints the last id.
	api_monitors() {	# base key
		j=0
		while [ $j -lt 50 ]; do
			last=$(curl -sf "$1/v1/monitors" \
			    -H "Authorization: Bearer $2" -H "Content-Type: application/json" \
			    -d "{\"name\":\"m$j\",\"url\":\"https://example.com/$j\",\"tags\":[\"bench\"]}" |
			    sed -e 's/^{"data":{"id":"\([^"]*\)".*/\1/')
			j=$((j + 1))
		done
		echo "$last"
	}
	# BENCH_PING_TOKENS heartbeats of team in db, inserted with SQL as
	# the API stores them (the API would take a while for 5000); their
	# tokens into the file tokens, and a wrk script that spreads GET
	# /v1/ping/{token} over them into the file lua.
	heartbeats() {	# db team tokens lua
		python3 - "${BENCH_PING_TOKENS:-5000}" "$2" "$(ms)" "$3" <<'PY' | sql "$1"
import sys, random, string
n, team, now, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
al = string.digits + string.ascii_letters
rnd = random.SystemRandom()
cfg = '{"schedule":null,"timezone":null,"gracePeriodSeconds":300}'
toks = []
print("BEGIN;")
for i in range(n):
    mid = "mon_" + "".join(rnd.choice(al) for _ in range(20))
    tok = "".join(rnd.choice(al) for _ in range(32))
    toks.append(tok)
    exp = now + 3600 * 1000
    print("INSERT INTO monitors (id, team_id, name, type, interval_s, "
          "timeout_s, confirmations, config, next_check_at, ping_token, "
          "ping_expected_at, created_at, updated_at) VALUES ('%s','%s',"
          "'hb%d','heartbeat',3600,10,1,'%s',%d,'%s',%d,%d,%d);"
          % (mid, team, i, cfg, exp + 300000, tok, exp, now, now))
print("COMMIT;")
open(out, "w").write("\n".join(toks) + "\n")
PY
		cat > "$4" <<LUA
local tokens = {}
for line in io.lines("$3") do tokens[#tokens + 1] = line end
local threads = 0
function setup(thread)
	thread:set("first", threads * 2503)
	threads = threads + 1
end
function init(args)
	n = first
end
function request()
	n = n + 1
	return wrk.format("GET", "/v1/ping/" .. tokens[n % #tokens + 1])
end
LUA
	}
	api_conf "$api" "$aport" "$UPTIME_DB"
	cat >> "$api/lighttpd.conf" <<CONF
\$HTTP["url"] =~ "^/hello" {
	fastcgi.server = ( "/" => ( (
		"bin-path" => "$build/bench/hello",
		"socket" => "$api/hello.sock",
		"check-local" => "disable",
		"max-procs" => 2,
	) ) )
}
\$HTTP["url"] =~ "^/bytes/" {
	fastcgi.server = ( "/" => ( (
		"bin-path" => "$build/bench/bytes",
		"socket" => "$api/bytes.sock",
		"check-local" => "disable",
		"bin-environment" => ( "BENCH_BYTES_DIR" => "$api/bytes" ),
		"max-procs" => 2,
	) ) )
}
CONF
	lighttpd -D -f "$api/lighttpd.conf" &
	apid=$!
	api_wait "$aport"
	base="http://127.0.0.1:$aport"
	mid=$(api_monitors "$base" "$akey")
	# 60 results for the last monitor, as the checker writes them.
	python3 - "$mid" "$(ms)" <<'PY' | sqlite3 "$UPTIME_DB"
import sys
mid, now = sys.argv[1], int(sys.argv[2])
print("BEGIN;")
for i in range(60):
    print("INSERT INTO check_results (monitor_id, checked_at, due_at, status, "
          "response_ms, status_code, dns_ms, connect_ms, tls_ms, first_byte_ms) "
          "VALUES ('%s', %d, %d, 'up', %d, 200, 3, 11, 25, %d);"
          % (mid, now - i * 60000, now - i * 60000, 120 + i, 90 + i))
print("COMMIT;")
PY
	# The status page: its components' monitors, 90 days of daily
	# rollups and an outage each, as the checker and the maintainer
	# would have left them, and an open incident.
	comps=
	j=0
	while [ $j -lt 5 ]; do
		cid=$(curl -sf "$base/v1/monitors" \
		    -H "Authorization: Bearer $pkey" -H "Content-Type: application/json" \
		    -d "{\"name\":\"Service $j\",\"url\":\"https://example.com/s$j\"}" |
		    sed -e 's/^{"data":{"id":"\([^"]*\)".*/\1/')
		comps="$comps${comps:+,}{\"monitorId\":\"$cid\",\"group\":\"Group $((j % 2))\"}"
		python3 - "$cid" "$(ms)" <<'PY' | sqlite3 "$UPTIME_DB"
import sys
mid, now = sys.argv[1], int(sys.argv[2])
day = 86400000
today = now - now % day
print("BEGIN;")
print("UPDATE monitors SET created_at = %d, status = 'up', last_checked_at = %d "
      "WHERE id = '%s';" % (today - 100 * day, now, mid))
for d in range(1, 91):
    print("INSERT INTO rollups_daily (monitor_id, bucket, total, up) "
          "VALUES ('%s', %d, 1440, 1440);" % (mid, today - d * day))
print("INSERT INTO outages (id, monitor_id, started_at, ended_at) VALUES "
      "('out_%s', '%s', %d, %d);" % (mid[4:], mid, today - 3 * day,
      today - 3 * day + 1800000))
print("COMMIT;")
PY
		j=$((j + 1))
	done
	sid=$(curl -sf "$base/v1/status-pages" \
	    -H "Authorization: Bearer $pkey" -H "Content-Type: application/json" \
	    -d "{\"name\":\"Bench\",\"slug\":\"bench\",\"components\":[$comps]}" |
	    sed -e 's/^{"data":{"id":"\([^"]*\)".*/\1/')
	curl -sf -o /dev/null "$base/v1/status-pages/$sid/incidents" \
	    -H "Authorization: Bearer $pkey" -H "Content-Type: application/json" \
	    -d '{"title":"Slow responses","impact":"minor","message":"Looking into it."}'
	heartbeats "$UPTIME_DB" "$pteam" "$api/tokens" "$api/ping.lua"

	# The same list and heartbeats on PostgreSQL (a database of its
	# own), through a second lighttpd of the same configuration.
	if [ -n "$pguri" ]; then
		papi="$api/pg"
		mkdir -p "$papi/empty"
		sql "$pguri" "CREATE DATABASE api"
		pgdb=$(printf '%s\n' "$pguri" | sed -e 's|^postgresql:///uptime?|postgresql:///api?|')
		export UPTIME_DB="$pgdb"	# lighttpd passes it on
		"$build/bin/uptime-admin" init 2>/dev/null
		pgateam=$("$build/bin/uptime-admin" team create bench)
		pgakey=$("$build/bin/uptime-admin" key create --team "$pgateam" --name bench --scopes all)
		pgpteam=$("$build/bin/uptime-admin" team create pages)
		pport=$(freeport)
		api_conf "$papi" "$pport" "$pgdb"
		lighttpd -D -f "$papi/lighttpd.conf" &
		ppid_pg=$!
		export UPTIME_DB="$api/uptime.db"
		api_wait "$pport"
		pbase="http://127.0.0.1:$pport"
		api_monitors "$pbase" "$pgakey" >/dev/null
		heartbeats "$pgdb" "$pgpteam" "$papi/tokens" "$papi/ping.lua"
	fi

	# The CPU ticks of the workers of the lighttpd srv (the one on
	# SQLite unless set) whose command line matches the pattern.
	srv=$apid
	ticks() {	# pattern
		for p in $(pgrep -P "$srv" -f "$1"); do
			awk '{ print $14 + $15 }' "/proc/$p/stat"
		done | awk '{ s += $1 } END { print s + 0 }'
	}
	# The CPU ticks of the PostgreSQL server's processes (the
	# postmaster and its children: a backend for each worker, and the
	# server's own) while the lighttpd on PostgreSQL is measured; 0
	# otherwise.
	pgticks() {
		if [ -z "$ppid_pg" ] || [ "$srv" != "$ppid_pg" ]; then
			echo 0
			return
		fi
		pm=$(head -n 1 "$work/pg/data/postmaster.pid")
		for p in $pm $(pgrep -P "$pm"); do
			awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || true
		done | awk '{ s += $1 } END { print s + 0 }'
	}
	# Requests a second, worker CPU ms a request, answers not 2xx (a
	# 304 counts as one) and the PostgreSQL server's CPU ms a request
	# of wrk on a program's route.
	measure() {	# program pattern, then wrk's arguments
		pat=$1; shift
		t0=$(ticks "$pat") s0=$(pgticks)
		out=$(wrk ${WRK_LOAD:--t2 -c16} -d"${BENCH_SECONDS:-5}"s "$@")
		t1=$(ticks "$pat") s1=$(pgticks)
		echo "$out" | awk -v t="$((t1 - t0))" -v s="$((s1 - s0))" \
		    -v hz="$(getconf CLK_TCK)" '
		    /requests in/ { n = $1 } /Requests\/sec/ { r = $2 }
		    /Non-2xx/ { bad = $NF }
		    END { printf "%s %.3f %d %.3f\n", r, n ? t * 1000 / hz / n : 0,
			bad, n ? s * 1000 / hz / n : 0 }'
	}
	printf '%-34s %9s %8s %9s %8s %7s %7s  %s\n' route "req/s" "CPU ms" \
	    "bytes/s" "CPU ms" "/bytes" "/hello" "answer"
	set -- $(measure bench/hello "$base/hello")
	hello=$1 hcpu=$2
	printf '%-34s %9.0f %8.3f\n' "FastCGI hello" "$hello" "$hcpu"
	# One route against its bytes: label, file name, program, URL, then
	# curl's and wrk's extra arguments.  The route is measured on the
	# lighttpd srv, its bytes always on the first one.
	route() {
		label=$1 file=$2 prog=$3 url=$4; shift 4
		curl -sf -o "$api/bytes/$file" "$@" "$url"
		set -- $(measure "$prog" "$@" "$url") \
		    $(srv=$apid; measure bench/bytes "$base/bytes/$file")
		awk -v l="$label" -v r="$1" -v c="$2" -v pg="$4" -v br="$5" \
		    -v bc="$6" -v h="$hello" \
		    -v size="$(wc -c < "$api/bytes/$file")" 'BEGIN {
			printf "%-34s %9.0f %8.3f %9.0f %8.3f %7.2f %7.2f  %d bytes%s\n",
			    l, r, c, br, bc, r / br, r / h, size,
			    (pg > 0 ? sprintf(" (and %.3f ms CPU of the PostgreSQL server)", pg) : "") }'
	}
	auth="Authorization: Bearer $akey"
	route "GET /v1/monitors (50)" list.json cgi-bin/monitors.fcgi \
	    "$base/v1/monitors" -H "$auth"
	if [ -n "$pguri" ]; then
		srv=$ppid_pg
		route "  the same on PostgreSQL" list-pg.json cgi-bin/monitors.fcgi \
		    "$pbase/v1/monitors" -H "Authorization: Bearer $pgakey"
		srv=$apid
	fi
	route "GET /v1/monitors/{id}" one.json cgi-bin/monitors.fcgi \
	    "$base/v1/monitors/$mid" -H "$auth"
	route "GET .../results (50)" results.json cgi-bin/monitors.fcgi \
	    "$base/v1/monitors/$mid/results?perPage=50" -H "$auth"
	purl="$base/status/bench"
	route "GET /status/{slug}" page.html cgi-bin/status-pages.fcgi "$purl"
	etag=$(curl -sfI "$purl" | awk -F': ' 'tolower($1) == "etag" { sub(/\r$/, "", $2); print $2 }')
	set -- $(measure cgi-bin/status-pages.fcgi -H "If-None-Match: $etag" "$purl")
	printf '%-34s %9.0f %8.3f %9s %8s %7s %7.2f  (%s not 2xx or 3xx)\n' \
	    "  the same, 304" "$1" "$2" "" "" "" "$(awk -v r="$1" -v h="$hello" 'BEGIN { print r / h }')" "$3"
	# Pings: label, the lighttpd, its base URL, its database and the
	# folder of its wrk script.
	pings() {	# label srv base db dir
		srv=$2
		set -- "$1" "$3" "$4" $(measure cgi-bin/ping.fcgi -s "$5/ping.lua" "$3/")
		srv=$apid
		printf '%-34s %9.0f %8.3f %9s %8s %7s %7.2f  (%d pings recorded, %d not 200%s)\n' \
		    "$1" "$4" "$5" "" "" "" "$(awk -v r="$4" -v h="$hello" 'BEGIN { print r / h }')" \
		    "$(sql "$3" "SELECT count(*) FROM pings")" "$6" \
		    "$(awk -v pg="$7" 'BEGIN { if (pg > 0) printf "; and %.3f ms CPU of the PostgreSQL server", pg }')"
	}
	pings "GET /v1/ping/{token}" "$apid" "$base" "$UPTIME_DB" "$api"
	[ -z "$pguri" ] ||
	    pings "  the same on PostgreSQL" "$ppid_pg" "$pbase" "$pgdb" "$papi"
	# Memory: the peak RSS (VmHWM) of a program's workers after
	#    BENCH_RSS_REQUESTS requests each (default 100000; wrk runs of 5 s
	#    until the workers together served that many times their
	#    number), and their RSS then: what a long-lived worker holds.
	worker_mem() {	# label pattern, then wrk's arguments
		label=$1 pat=$2; shift 2
		nw=$(pgrep -P "$srv" -f "$pat" | wc -l)
		want=$((${BENCH_RSS_REQUESTS:-100000} * nw)) served=0
		while [ "$served" -lt "$want" ]; do
			c=$(wrk ${WRK_LOAD:--t2 -c16} -d5s "$@" |
			    awk '/requests in/ { print $1 }')
			[ "${c:-0}" -gt 0 ] || break
			served=$((served + c))
		done
		for p in $(pgrep -P "$srv" -f "$pat"); do
			awk '/^VmHWM/ { h = $2 } /^VmRSS/ { r = $2 }
			    END { print h, r }' "/proc/$p/status"
		done | awk -v l="$label" -v n="$served" -v nw="$nw" '
		    { if ($1 > h) h = $1; if ($2 > r) r = $2 }
		    END { printf "%-34s %9.1f MiB peak, %.1f MiB now, after %d requests over %d worker%s\n",
			l, h / 1024, r / 1024, n, nw, nw == 1 ? "" : "s" }'
	}
	echo
	echo "== memory: a worker's peak RSS (VmHWM) after ${BENCH_RSS_REQUESTS:-100000} requests each"
	worker_mem "GET /v1/monitors (50)" cgi-bin/monitors.fcgi -H "$auth" \
	    "$base/v1/monitors"
	worker_mem "GET /v1/ping/{token}" cgi-bin/ping.fcgi -s "$api/ping.lua" \
	    "$base/"
	worker_mem "GET /status/{slug}" cgi-bin/status-pages.fcgi "$purl"
	echo "FastCGI hello, for scale: $(for p in $(pgrep -P "$srv" -f bench/hello); do
		awk '/^VmHWM/ { print $2 }' "/proc/$p/status"; done |
		awk '{ if ($1 > h) h = $1 } END { printf "%.1f MiB peak", h / 1024 }')"
	echo "aims: /bytes 0.8 or more for the JSON routes and the page; /hello 0.8 for the 304, 0.5 for pings"
	[ -z "$pguri" ] || echo "on PostgreSQL: the same configuration through a second lighttpd; /bytes and /hello against the same references"
	if [ -n "$ppid_pg" ]; then
		kill "$ppid_pg"
		wait "$ppid_pg" 2>/dev/null || true
		ppid_pg=
	fi
	echo "(load average $(cut -d' ' -f1 /proc/loadavg))"
	# 4. A Prometheus scrape: GET /v1/metrics for a team of its own
	#    whose monitors have 30 days of hourly rollups and the daily rows
	#    the maintainer builds from them (every completed day), as a
	#    service running a month would have; one request at a time
	#    (wrk -t1 -c1), as Prometheus scrapes, against the same hello.
	if [ -x "$build/cgi-bin/monitors.fcgi" ]; then
		nm=${BENCH_METRICS_MONITORS:-1000}
		echo
		echo "== GET /v1/metrics ($nm monitors, 30 days of rollups) against the bare FastCGI hello, one request at a time"
		mteam=$("$build/bin/uptime-admin" team create metrics)
		mkey=$("$build/bin/uptime-admin" key create --team "$mteam" \
		    --name metrics --scopes monitors:read)
		now=$(ms)
		python3 - "$nm" "$mteam" "$now" <<'PY' | sqlite3 "$UPTIME_DB"
import sys, random, string
n, team, now = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
al = string.digits + string.ascii_letters
hour, day = 3600000, 86400000
nowh, today = now - now % hour, now - now % day
cfg = ('{"url":"https://example.com/%d","method":"GET","headers":{},'
       '"body":null,"expectedStatusCodes":["200-299"],"followRedirects":true,'
       '"verifyTls":true,"degradedAfterMs":5000,"contentChecks":[],'
       '"sslExpiryWarningDays":14}')
print("BEGIN;")
for i in range(n):
    mid = "mon_" + "".join(random.choice(al) for _ in range(20))
    print("INSERT INTO monitors (id, team_id, name, type, interval_s, "
          "timeout_s, confirmations, tags, config, status, "
          "last_checked_at, next_check_at, last_response_ms, "
          "ssl_expires_at, ssl_status, created_at, updated_at) VALUES "
          "('%s','%s','Service %d','http',60,10,1,"
          "'[\"env:prod\",\"team:web\",\"bench\"]','%s','up',%d,%d,%d,%d,"
          "'valid',%d,%d);"
          % (mid, team, i, cfg % i, now, now + 60000, 50 + i % 400,
             now + 60 * day, now - 40 * day, now))
# A result a minute: an hourly row for each of the last 720 hours
# (dirty: not rolled up, today's only), a daily row for each of the
# last 30 completed days.
print("WITH RECURSIVE h(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM h "
      "WHERE k < 719) INSERT INTO rollups_hourly (monitor_id, bucket, "
      "total, up, degraded, down, samples, sum_ms, min_ms, max_ms, hist, "
      "dirty) SELECT m.id, %d - k * %d, 60, 59, 0, 1, 59, 5900, 50, 400, "
      "zeroblob(192), %d - k * %d >= %d FROM monitors m, h "
      "WHERE m.team_id = '%s';" % (nowh, hour, nowh, hour, today, team))
print("WITH RECURSIVE d(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM d "
      "WHERE k < 30) INSERT INTO rollups_daily (monitor_id, bucket, total, "
      "up, degraded, down, samples, sum_ms, min_ms, max_ms, hist) "
      "SELECT m.id, %d - k * %d, 1440, 1416, 0, 24, 1416, 141600, 50, "
      "400, zeroblob(192) FROM monitors m, d WHERE m.team_id = '%s';"
      % (today, day, team))
print("COMMIT;")
PY
		murl="http://127.0.0.1:$aport/v1/metrics"
		size=$(curl -sf -H "Authorization: Bearer $mkey" "$murl" | wc -c)
		samples=$(curl -sf -H "Authorization: Bearer $mkey" "$murl" | grep -vc '^#')
		set -- $(WRK_LOAD="-t1 -c1" measure bench/hello "http://127.0.0.1:$aport/hello")
		hello=$1 hcpu=$2
		set -- $(WRK_LOAD="-t1 -c1" measure cgi-bin/monitors.fcgi -H "Authorization: Bearer $mkey" "$murl")
		scrapes=$1 scpu=$2 bad=$3
		awk -v h="$hello" -v s="$scrapes" -v hc="$hcpu" -v sc="$scpu" \
		    -v size="$size" -v samples="$samples" -v bad="$bad" \
		    -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
			printf "%-34s %10.0f req/s   %7.2f ms a request   %.3f ms CPU\n",
			    "FastCGI hello", h, 1000 / h, hc;
			printf "%-34s %10.1f req/s   %7.2f ms a scrape    %.3f ms CPU\n",
			    "GET /v1/metrics", s, 1000 / s, sc;
			printf "%-34s %10.1f (time of a scrape / time of a hello)\n",
			    "ratio", h / s;
			printf "(%d bytes, %d samples; every 15 s: %.2f %% of one core for the program; %d answers not 200; load average %s)\n",
			    size, samples, sc / 150, bad, load }'
	fi
	kill $apid 2>/dev/null || true
	wait $apid 2>/dev/null || true
fi

if [ "${BENCH_ONLY:-}" != api ] && [ "${CHECKER_BENCH_SECONDS:-300}" -gt 0 ]; then
	echo
	BUILD=${BUILD:-build} "$top/scripts/bench-checker.sh"
fi

if [ "${BENCH_ONLY:-}" != api ]; then
	echo
	BUILD=${BUILD:-build} "$top/scripts/bench-locations.sh"
fi
