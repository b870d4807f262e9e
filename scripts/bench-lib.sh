# Shell functions scripts/bench.sh and scripts/bench-checker.sh share
# (sourced, not run).

# A free TCP port on 127.0.0.1.
freeport() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Now, in ms.
ms() { date +%s%3N; }

# The answering target: a lighttpd serving "ok" at /index.html from dir,
# with room for maxconn connections, on a free port: target_port, and
# its process target_pid (the caller stops it).
static_target() {	# dir maxconn
	target_port=$(freeport)
	mkdir -p "$1/www"
	echo "ok" > "$1/www/index.html"
	cat > "$1/lighttpd.conf" <<CONF
server.bind = "127.0.0.1"
server.port = $target_port
server.document-root = "$1/www"
server.errorlog = "$1/lighttpd.log"
server.max-connections = $2
server.max-fds = $(($2 * 2))
CONF
	lighttpd -D -f "$1/lighttpd.conf" &
	target_pid=$!
}

# SQL in the database db: a libpq URI (psql) or a SQLite file (sqlite3);
# the statements are stmt, else stdin.  Rows unaligned, "|" between
# columns, no header.
sql() {	# db [stmt]
	case $1 in
	*://*)
		if [ $# -gt 1 ]; then
			psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"
		else
			psql -X -q -At -v ON_ERROR_STOP=1 -d "$1"
		fi ;;
	*)
		if [ $# -gt 1 ]; then sqlite3 "$1" "$2"; else sqlite3 "$1"; fi ;;
	esac
}

# The SQL that inserts n HTTP monitors of team, due at due, each at its
# own URL of the target on port (?m=i), with the config the API stores
# for a plain one; one transaction, for either engine.
http_monitors() {	# n team port due
	python3 - "$1" "$2" "$3" "$4" <<'PY'
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
}

# Run a program and write its peak RSS (the kernel's high-water mark, the
# VmHWM of /proc/PID/status at its end, as getrusage reports it), in
# KiB, into the file out; the program's exit status is this one's.
peak_rss() {	# out program [argument...]
	python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$@"
}
