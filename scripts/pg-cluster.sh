#!/bin/sh
# A throwaway PostgreSQL cluster for tests, from Debian's PostgreSQL 15
# (PGBIN, default /usr/lib/postgresql/15/bin):
#
#   pg-cluster.sh start DIR   make a cluster in DIR (absent or empty), start
#                             it, create the database "uptime" and print its
#                             libpq URI on stdout
#   pg-cluster.sh stop DIR    stop that cluster (fast) and remove DIR; a DIR
#                             already gone is not an error
#
# The server listens on no TCP address, only on a unix socket in DIR
# (.s.PGSQL.<port>, the port a free one), trusts every local connection
# (user postgres) and runs with fsync off: for tests only, never for
# data anyone keeps.  synchronous_commit stays on, so a commit the server
# acknowledged survives the server being killed.  Text sorts by bytes
# (locale C), as SQLite's BINARY collation does.  As root, the cluster
# belongs to the user postgres (PostgreSQL will not run as root): DIR is
# handed to that user, and every folder above it must let it through.
# DIR/server.log is the server's log; DIR/pg-cluster marks a folder this
# script made, the only kind "stop" removes.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
MARK=pg-cluster
SOCK_MAX=107	# sun_path, less its final NUL

die() {
	echo "pg-cluster.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: pg-cluster.sh start|stop DIR" >&2
	exit 2
}

# Run a PostgreSQL program as the cluster's owner: postgres when this
# script runs as root, else the user running it.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# The folder's name goes into the URI and the server's configuration as
# it is: only characters that need no quoting there.
plain_name() {
	case $1 in
	*[!A-Za-z0-9._/-]*)
		die "$1: only letters, digits, '.', '_', '-' and '/' may name the folder" ;;
	esac
}

# A TCP port no one listens on (IPv4 or IPv6): it names the socket and
# keys the server's shared memory.
free_port() {
	used=$(awk 'NR > 1 && $4 == "0A" { split($2, a, ":"); print a[2] }' \
	    /proc/net/tcp /proc/net/tcp6 2>/dev/null || true)
	while :; do
		p=$(($(od -An -N2 -tu2 /dev/urandom) % 40000 + 20000))
		if ! printf '%s\n' "$used" | grep -qx "$(printf '%04X' "$p")"; then
			echo "$p"
			return
		fi
	done
}

# Stop the server of cluster $1 if it runs: fast (sessions ended, a clean
# shutdown), else immediate.  Fails if it still runs.
server_stop() {
	[ -f "$1/data/postmaster.pid" ] || return 0
	as_owner "$PGBIN/pg_ctl" -D "$1/data" -m fast -w -t 60 stop \
	    >/dev/null 2>&1 ||
	    as_owner "$PGBIN/pg_ctl" -D "$1/data" -m immediate -w -t 30 stop \
	    >/dev/null 2>&1 || true
	if as_owner "$PGBIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1; then
		echo "pg-cluster.sh: the server of $1 does not stop" >&2
		return 1
	fi
}

# A start that failed after initdb: say why (the last lines of $2), stop
# what runs, keep DIR for a look.
start_failed() {
	if [ -f "$2" ]; then
		echo "pg-cluster.sh: the end of $2:" >&2
		tail -n 20 "$2" >&2
	fi
	server_stop "$dir" || true
	die "$1 ('pg-cluster.sh stop $dir' removes it)"
}

start() {
	[ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] && [ -x "$PGBIN/psql" ] ||
	    die "no PostgreSQL programs in $PGBIN (Debian's postgresql and postgresql-client: make test-deps)"
	plain_name "$1"
	mkdir -p "$1" || die "cannot make the folder $1"
	dir=$(cd "$1" && pwd -P) || die "cannot enter the folder $1"
	plain_name "$dir"
	[ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
	[ $((${#dir} + 16)) -le $SOCK_MAX ] ||
	    die "$dir is too long: its socket path would pass $SOCK_MAX bytes"
	cd /
	: > "$dir/$MARK"
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 ||
		    die "no user postgres to run the server (Debian's postgresql package makes it)"
		chown postgres: "$dir" "$dir/$MARK"
		chmod 0711 "$dir"
		runuser -u postgres -- test -w "$dir" ||
		    die "the user postgres cannot write to $dir: a folder above it is closed to that user"
	fi

	port=$(free_port)
	as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust \
	    -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
	    start_failed "initdb failed" "$dir/initdb.log"
	cat >>"$dir/data/postgresql.conf" <<EOF

# pg-cluster.sh: a throwaway cluster for tests.
listen_addresses = ''
port = $port
unix_socket_directories = '$dir'
fsync = off
EOF
	as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	    start >/dev/null 2>&1 ||
	    start_failed "the server did not start" "$dir/server.log"
	"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" \
	    -U postgres -d postgres -c 'CREATE DATABASE uptime' \
	    >/dev/null 2>"$dir/createdb.log" ||
	    start_failed "the database uptime could not be made" "$dir/createdb.log"
	echo "postgresql:///uptime?host=$dir&port=$port&user=postgres"
}

stop() {
	[ -e "$1" ] || return 0
	dir=$(cd "$1" && pwd -P) || die "cannot enter the folder $1"
	cd /
	if [ ! -e "$dir/$MARK" ]; then
		[ -z "$(ls -A "$dir")" ] ||
		    die "$dir was not made by pg-cluster.sh start: left alone"
	fi
	server_stop "$dir" || exit 1
	rm -rf "$dir"
}

[ $# -eq 2 ] || usage
case $1 in
start) start "$2" ;;
stop) stop "$2" ;;
*) usage ;;
esac
