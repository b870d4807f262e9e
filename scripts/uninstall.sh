#!/bin/sh
# `make uninstall`: remove what `make install` put under $DESTDIR$PREFIX,
# as its manifest ($PREFIX/share/uptime/install-manifest) lists: the
# files, the manifest, then the folders it made, those that are empty.
# Nothing else: not the data folder (UPTIME_DB, the secret), not the
# examples copied into /etc, not a file added under PREFIX since.
#
# Environment: PREFIX, DESTDIR, set by the Makefile.
set -eu
prefix=${PREFIX:-/usr/local}
dest=${DESTDIR:-}

case $prefix in
/*) ;;
*) echo "uninstall: PREFIX must be an absolute path, not $prefix" >&2; exit 1 ;;
esac

manifest=$prefix/share/uptime/install-manifest
if [ ! -f "$dest$manifest" ]; then
	echo "uninstall: $dest$manifest is missing: make install did not" \
	    "install uptime under $prefix (PREFIX= and DESTDIR= as then)" >&2
	exit 1
fi
list=$(grep '^/' "$dest$manifest" || true)

say() { printf '  %-7s %s\n' "$1" "$2"; }

# Files, under PREFIX only: a manifest naming another path is not ours.
echo "$list" | grep -v '/$' | while IFS= read -r f; do
	case $f in
	"$prefix"/*) ;;
	*) echo "uninstall: $f is outside $prefix: left alone" >&2; continue ;;
	esac
	if [ -f "$dest$f" ] || [ -L "$dest$f" ]; then
		rm -f "$dest$f"
		say REMOVE "$f"
	fi
done
# Folders, deepest first, when empty: PREFIX, its parents and what is in
# it.
echo "$list" | grep '/$' | sort -ru | while IFS= read -r d; do
	case "$prefix/" in
	"$d"*) ;;
	*) case $d in "$prefix"/*) ;; *) continue ;; esac ;;
	esac
	if rmdir "$dest$d" 2>/dev/null; then
		say REMOVE "$d"
	fi
done
