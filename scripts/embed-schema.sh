#!/bin/sh
# Turn schema/NNN_*.sql into a C file holding each migration as a string,
# so that the programs carry their schema with them.  The files must be
# numbered 001, 002, ... without gaps.
set -eu
n=0
echo '/* Generated from schema/ by scripts/embed-schema.sh; do not edit. */'
echo 'extern const char *const schema_migrations[];'
echo 'extern const int schema_count;'
echo 'const char *const schema_migrations[] = {'
for f in "$@"; do
	n=$((n + 1))
	want=$(printf '%03d' "$n")
	case "$(basename "$f")" in
	"${want}"_*.sql) ;;
	*) echo "embed-schema.sh: expected ${want}_*.sql, found $f" >&2; exit 1 ;;
	esac
	echo "/* $f */"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$f"
	echo ','
done
echo '0 };'
echo "const int schema_count = $n;"
