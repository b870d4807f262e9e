#!/bin/sh
# `make run`: serve uptime on http://127.0.0.1:$PORT through lighttpd,
# with the configuration file, database, secret, sockets and logs under
# var/, and the background programs beside it.  Ctrl-C stops everything
# started here.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/${BUILD:-build}"
port=${PORT:-8080}
var="$top/var"
admin="$build/bin/uptime-admin"

mkdir -p "$var/empty"
chmod 700 "$var"
# Every program started here reads var/uptime.conf, written from
# examples/uptime.conf on the first run; edit it, or remove it to have it
# written again (for another PORT, say).  With DB (make run
# DB=postgresql://...) the database is that PostgreSQL one, with its own
# file var/uptime-postgresql.conf and its own default team.
export UPTIME_CONFIG="$var/uptime.conf"
db="$var/uptime.db"
engine=
if [ -n "${DB:-}" ]; then
	export UPTIME_CONFIG="$var/uptime-postgresql.conf"
	db=$(printf '%s' "$DB" | sed 's/[&|\\]/\\&/g')
	engine=-postgresql
fi
if [ ! -e "$UPTIME_CONFIG" ]; then
	sed -e "s|@DB@|$db|g" -e "s|@SECRET@|$var/secret|g" \
	    -e "s|@PUBLIC_URL@|http://127.0.0.1:$port|g" \
	    -e "s|@ALLOW_PRIVATE@|${UPTIME_ALLOW_PRIVATE_TARGETS:-0}|g" \
	    "$top/examples/uptime.conf" > "$UPTIME_CONFIG"
fi
url="http://127.0.0.1:$port"

"$admin" init 2>/dev/null

if [ ! -s "$var/default-team$engine" ]; then
	team=$("$admin" team create "Default team")
	echo "$team" > "$var/default-team$engine"
	key=$("$admin" key create --team "$team" --name "make run" --scopes all)
	cat <<MSG

uptime: created the team $team and an API key with every scope.
This is the only time the key is shown; keep it:

    $key

Try it (README's "A first monitor" goes on from there):

    export UPTIME_KEY=$key
    curl $url/v1/api-keys/current -H "Authorization: Bearer \$UPTIME_KEY"

MSG
else
	team=$(cat "$var/default-team$engine")
	cat <<MSG

uptime: using the data in $var (team $team).
Make another key with:

    UPTIME_CONFIG=$UPTIME_CONFIG \\
        $admin key create --team $team --name NAME --scopes all

MSG
fi

sed -e "s|@PORT@|$port|g" -e "s|@BINDIR@|$build/cgi-bin|g" \
    -e "s|@VARDIR@|$var|g" -e "s|@CONFIG@|$UPTIME_CONFIG|g" \
    "$top/lighttpd.conf.example" > "$var/lighttpd.conf"

pids=
stop() {
	trap - INT TERM EXIT
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill $pids 2>/dev/null || true
	wait 2>/dev/null || true
	echo "uptime: stopped"
}
trap stop INT TERM EXIT

lighttpd -D -f "$var/lighttpd.conf" &
pids="$pids $!"
for prog in uptime-check uptime-notify; do
	if [ -x "$build/cron/$prog" ]; then
		"$build/cron/$prog" --loop >>"$var/$prog.log" 2>&1 &
		pids="$pids $!"
	fi
done
if [ -x "$build/cron/uptime-maintain" ]; then
	# Hourly, as cron would run it.
	while :; do
		"$build/cron/uptime-maintain" >>"$var/uptime-maintain.log" 2>&1
		sleep 3600
	done &
	pids="$pids $!"
fi
echo "uptime: serving on $url (settings in $UPTIME_CONFIG, logs in $var);" \
    "Ctrl-C stops"
wait
