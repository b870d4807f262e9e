#!/bin/sh
# Print every route of cgi-bin/*.c as a C initializer line
# '{ "METHOD", "/pattern" },' for tests/fuzz/fuzz_router.c, so that the
# router is fuzzed with the tables the programs really have.
set -eu
for f in "$@"; do
	tr '\n\t' '  ' < "$f" |
	    grep -oE '\{ "(GET|POST|PUT|PATCH|DELETE)", "/[^"]*"' |
	    sed 's/$/ },/'
done
