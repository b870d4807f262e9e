#!/bin/sh
# The checker's schedule when targets hang (`make bench` runs it; figures
# in docs/bench.md).  HTTP monitors at a 60 s interval with a 10 s
# timeout, their first due times spread over the first minute; 10 % point
# at a target that accepts connections and never answers (each of those
# checks hangs to its timeout), the rest at a local lighttpd.
# `uptime-check --loop` runs CHECKER_BENCH_SECONDS (default 300), then
# gets SIGTERM.  Printed per run: the checks due (those whose result could
# be in before the stop: due at least 12 s before it), how many ran, how
# many were missed, the start lag (checkedAt - dueAt) p50, p99 and worst,
# the checker's CPU time (share of one core) and peak RSS.
#
# Scenarios: one team of N monitors for each N of CHECKER_BENCH_SIZES
# (default "5000 20000"); then the first size again beside a second team
# of CHECKER_BENCH_HANGING monitors (default: the same number) whose every
# target hangs, with the first team's figures printed beside its
# undisturbed run; then that again with UPTIME_CHECK_CONCURRENCY
# CHECKER_BENCH_SCARCE (default 512; 0 skips it), where slots are scarce
# and the per-team share has to hold the hanging team back.
#
# Loopback only; everything started here is stopped here.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/${BUILD:-build}"
secs=${CHECKER_BENCH_SECONDS:-300}
sizes=${CHECKER_BENCH_SIZES:-5000 20000}
scarce=${CHECKER_BENCH_SCARCE:-512}
work=$(mktemp -d /tmp/uptime-bench-checker.XXXXXX)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

. "$top/scripts/bench-lib.sh"

# The answering target: lighttpd and a small file.
static_target "$work" 8192
port=$target_port
pids="$pids $target_pid"

# The hanging target: accepts, reads, never answers.
hport=$(freeport)
python3 - "$hport" <<'PY' &
import asyncio, resource, sys
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
async def hold(r, w):
    try:
        while await r.read(65536):
            pass
    except Exception:
        pass
    w.close()
async def main():
    s = await asyncio.start_server(hold, "127.0.0.1", int(sys.argv[1]),
                                   backlog=8192)
    await s.serve_forever()
asyncio.run(main())
PY
pids="$pids $!"
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$port/index.html" &&
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $hport), 1)" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 50 ] && { echo "the targets did not start"; exit 1; }
	sleep 0.1
done

export UPTIME_DB="$work/uptime.db" UPTIME_SECRET_FILE="$work/secret"
export UPTIME_ALLOW_PRIVATE_TARGETS=1
unset UPTIME_CHECK_CONCURRENCY UPTIME_CHECK_TEAM_CONCURRENCY || true
"$build/bin/uptime-admin" init 2>/dev/null
teama=$("$build/bin/uptime-admin" team create "team a")
teamb=$("$build/bin/uptime-admin" team create "team b")

# Monitors with SQL (the API would take minutes): $1 of team $2, every
# $3-th one (0: every one) pointing at the hanging target; first due
# times spread over the minute from $4.
add() {
	python3 - "$1" "$2" "$3" "$4" "$port" "$hport" <<'PY' | sqlite3 "$UPTIME_DB"
import sys, random, string
n, team, every, t0, port, hport = sys.argv[1:]
n, every, t0 = int(n), int(every), int(t0)
al = string.digits + string.ascii_letters
print("BEGIN;")
for i in range(n):
    mid = "mon_" + "".join(random.choice(al) for _ in range(20))
    hang = every == 0 or i % every == 0
    url = ("http://127.0.0.1:%s/hang?m=%d" % (hport, i) if hang else
           "http://127.0.0.1:%s/index.html?m=%d" % (port, i))
    cfg = ('{"url":"%s","method":"GET","headers":{},"body":null,'
           '"expectedStatusCodes":["200-299"],"followRedirects":true,'
           '"verifyTls":true,"degradedAfterMs":5000,"contentChecks":[],'
           '"sslExpiryWarningDays":14}') % url
    due = t0 + i * 60000 // n
    print("INSERT INTO monitors (id, team_id, name, type, interval_s, "
          "timeout_s, confirmations, config, next_check_at, created_at, "
          "updated_at) VALUES ('%s','%s','m%d','http',60,10,1,'%s',%d,%d,%d);"
          % (mid, team, i, cfg, due, t0, t0))
print("COMMIT;")
PY
}

# Figures of one team from the database: $1 team, $2 first due, $3 stop.
figures() {
	python3 - "$UPTIME_DB" "$1" "$2" "$3" <<'PY'
import sqlite3, sys
db, team, t0, stop = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
until = stop - 12000      # a check due later may be cut short by the stop
c = sqlite3.connect(db)
# Monitor i of n is first due at t0 + i * 60 s / n, then every 60 s.
n = c.execute("SELECT count(*) FROM monitors WHERE team_id = ?", (team,)).fetchone()[0]
firsts = [t0 + i * 60000 // n for i in range(n)]
due = sum((until - f) // 60000 + 1 for f in firsts if f <= until)
lags = sorted(x for (x,) in c.execute(
    "SELECT r.checked_at - r.due_at FROM check_results r JOIN monitors m "
    "ON m.id = r.monitor_id WHERE m.team_id = ? AND r.due_at BETWEEN ? AND ?",
    (team, t0, until)))
timeouts = c.execute(
    "SELECT count(*) FROM check_results r JOIN monitors m ON m.id = "
    "r.monitor_id WHERE m.team_id = ? AND r.due_at BETWEEN ? AND ? AND "
    "r.error_code = 'timeout'", (team, t0, until)).fetchone()[0]
ran = len(lags)
def pct(q):
    if not lags:
        return "-"
    return "%d" % lags[max(0, -(-len(lags) * q // 100) - 1)]
print("%d %d %d %s %s %s %d" % (due, ran, due - ran, pct(50), pct(99),
      lags[-1] if lags else "-", timeouts))
PY
}

# One run: $1 label, $2 team a monitors, $3 team b monitors (all hanging),
# $4 extra environment (VAR=value ..., or "-").
scenario() {
	label=$1 na=$2 nb=$3 extra=$4
	sqlite3 "$UPTIME_DB" "DELETE FROM monitors; DELETE FROM check_results;
	    DELETE FROM rollups_hourly; DELETE FROM checker_state;"
	t0=$(( $(ms) + 10000 ))
	add "$na" "$teama" 10 "$t0"
	[ "$nb" -gt 0 ] && add "$nb" "$teamb" 0 "$t0"
	sqlite3 "$UPTIME_DB" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	if [ "$extra" = - ]; then
		"$build/cron/uptime-check" --loop 2>"$work/check.log" &
	else
		env $extra "$build/cron/uptime-check" --loop 2>"$work/check.log" &
	fi
	cpid=$!
	sleep "$secs"
	ticks=$(awk '{ print $14 + $15 }' "/proc/$cpid/stat")
	rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$cpid/status")
	stop=$(ms)
	s0=$(ms)
	kill -TERM "$cpid"
	wait "$cpid" || true
	s1=$(ms)
	behind=$(grep -c "falling behind" "$work/check.log" || true)
	slots=$(sqlite3 "$UPTIME_DB" "SELECT slots || '/' || team_slots FROM checker_state")
	set -- $(figures "$teama" "$t0" "$stop")
	awk -v l="$label" -v n="$na" -v due="$1" -v ran="$2" -v miss="$3" \
	    -v p50="$4" -v p99="$5" -v max="$6" -v tmo="$7" -v t="$ticks" \
	    -v hz="$(getconf CLK_TCK)" -v s="$secs" -v rss="$rss" \
	    -v stopms="$((s1 - s0))" -v behind="$behind" -v slots="$slots" 'BEGIN {
		printf "%-30s %6d %7d %7d %6d %7s %7s %7s %6.1f%% %7.1f MiB  (%d timeouts; slots %s; stop %d ms; %d \"falling behind\")\n",
		    l, n, due, ran, miss, p50, p99, max,
		    100 * t / hz / s, rss / 1024, tmo, slots, stopms, behind }'
	if [ "$nb" -gt 0 ]; then
		set -- $(figures "$teamb" "$t0" "$stop")
		awk -v n="$nb" -v due="$1" -v ran="$2" -v miss="$3" \
		    -v p50="$4" -v p99="$5" -v max="$6" 'BEGIN {
			printf "%-30s %6d %7d %7d %6d %7s %7s %7s\n",
			    "  team b (every target hangs)", n, due, ran, miss,
			    p50, p99, max }'
	fi
}

echo "== checker schedule: 60 s interval, 10 s timeout, 10 % of targets hang; ${secs} s a run"
echo "   ($(nproc) cores; lag = checkedAt - dueAt in ms; CPU = checker's share of one core)"
printf '%-30s %6s %7s %7s %6s %7s %7s %7s %7s %11s\n' run monitors due ran missed \
    "p50" "p99" "worst" CPU "peak RSS"
first=
for n in $sizes; do
	first=${first:-$n}
	scenario "team a alone" "$n" 0 -
done
hanging=${CHECKER_BENCH_HANGING:-$first}
if [ "$hanging" -gt 0 ]; then
	scenario "team a beside team b" "$first" "$hanging" -
	if [ "$scarce" -gt 0 ]; then
		scenario "the same, $scarce slots" "$first" "$hanging" \
		    "UPTIME_CHECK_CONCURRENCY=$scarce"
	fi
fi
