#!/bin/sh
# embed-schema.sh PREFIX FILE...: turn one engine's migrations NNN_*.sql
# into C, each migration a string, so that the programs carry their schema
# with them: PREFIXmigrations[], PREFIXnumbers[] and PREFIXcount.  The
# schema version of a database is the number of the last migration
# applied; numbers must increase, and each is used once.
set -eu
p=$1
shift
last=0
nums=
echo '/* Generated from schema/ by scripts/embed-schema.sh; do not edit. */'
echo "extern const char *const ${p}migrations[];"
echo "extern const int ${p}numbers[];"
echo "extern const int ${p}count;"
echo "const char *const ${p}migrations[] = {"
for f in "$@"; do
	base=$(basename "$f")
	case "$base" in
	[0-9][0-9][0-9]_*.sql) ;;
	*) echo "embed-schema.sh: $f is not named NNN_what.sql" >&2; exit 1 ;;
	esac
	n=$(expr "${base%%_*}" + 0)
	if [ "$n" -le "$last" ]; then
		echo "embed-schema.sh: $f does not come after migration $last" >&2
		exit 1
	fi
	last=$n
	nums="$nums $n,"
	echo "/* $f */"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$f"
	echo ','
done
echo '0 };'
echo "const int ${p}numbers[] = {$nums 0 };"
echo "const int ${p}count = $(echo "$nums" | tr -cd , | wc -c);"
