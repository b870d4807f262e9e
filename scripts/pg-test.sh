#!/bin/sh
# pg-test.sh FILE...: run HTTP test files on PostgreSQL.  A throwaway
# cluster (scripts/pg-cluster.sh) lives for the run; each test instance
# gets its own database in it (UPTIME_TEST_PG, tests/http/lib/harness.mjs).
# The server is lighttpd unless UPTIME_SERVER says otherwise.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/uptime-pg.XXXXXX") || exit 1
chmod 755 "$dir"
trap 'sh "$root/scripts/pg-cluster.sh" stop "$dir/c"; rmdir "$dir" 2>/dev/null' EXIT
trap 'exit 130' INT TERM HUP
uri=$(sh "$root/scripts/pg-cluster.sh" start "$dir/c") || exit 1
# TEST_TAP names a file for a TAP report beside the spec one.
set -- --test-reporter="${REPORTER:-spec}" --test-reporter-destination=stdout \
	${TEST_TAP:+--test-reporter=tap --test-reporter-destination="$TEST_TAP"} "$@"
UPTIME_TEST_PG=$uri node --test "$@"
