#!/bin/sh
# `make install`: copy the built programs, the schema, the docs and the
# example configurations under $DESTDIR$PREFIX.  The examples are
# templates (@NAME@ placeholders); the installed copies have them
# replaced by the installed paths and the defaults below, so that they
# are ready to read, adjust and copy into place (docs/deploy.md).
#
#   $PREFIX/bin/                    uptime-admin and the cron programs
#   $PREFIX/lib/uptime/cgi-bin/     the FastCGI/CGI programs, *.fcgi
#   $PREFIX/share/uptime/schema/    the migrations (the programs carry them)
#   $PREFIX/share/uptime/examples/  web server, cron and systemd examples
#   $PREFIX/share/doc/uptime/       README.md and docs/
#   $PREFIX/share/uptime/install-manifest
#
# It prints each file it installs, and lists them in the manifest with
# the folders it had to make (those end with "/"), so that `make
# uninstall` (scripts/uninstall.sh) removes exactly that.  Installed
# again, it removes the files of the last install that this one no
# longer has, and keeps the folders that one made in the list.
#
# Environment: BUILD (the build folder), PREFIX, DESTDIR, SYSCONFDIR,
# LOCALSTATEDIR, RUNSTATEDIR, all set by the Makefile.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
prefix=${PREFIX:-/usr/local}
dest=${DESTDIR:-}
sysconfdir=${SYSCONFDIR:-/etc}
localstatedir=${LOCALSTATEDIR:-/var}
runstatedir=${RUNSTATEDIR:-/run}

case $prefix in
/*) ;;
*) echo "install: PREFIX must be an absolute path, not $prefix" >&2; exit 1 ;;
esac

bindir=$prefix/bin
cgidir=$prefix/lib/uptime/cgi-bin
sharedir=$prefix/share/uptime
docdir=$prefix/share/doc/uptime
datadir=$localstatedir/lib/uptime

for f in "$build/bin/uptime-admin" "$build"/cgi-bin/*.fcgi; do
	if [ ! -x "$f" ]; then
		echo "install: $f is missing: run make first" >&2
		exit 1
	fi
done

say() { printf '  %-7s %s\n' "$1" "$2"; }

manifest=$sharedir/install-manifest
files=$(mktemp)
dirs=$(mktemp)
trap 'rm -f "$files" "$dirs" "$dest$manifest.tmp"' EXIT

# Make the installed folder $1 and those missing above it; note each one
# made.
mkdirs() {
	d=$1
	while [ "$d" != / ] && [ ! -d "$dest$d" ]; do
		echo "$d/" >> "$dirs"
		d=$(dirname "$d")
	done
	install -d "$dest$1"
}

# Note the installed file $1 and say so.
noted() {
	echo "$1" >> "$files"
	say INSTALL "$1"
}

# Install $2 with mode $1 into the installed folder $3.
put() {
	install -m "$1" "$2" "$dest$3/"
	noted "$3/${2##*/}"
}

for d in "$bindir" "$cgidir" "$sharedir/schema" "$sharedir/examples/systemd" \
    "$docdir/lib"; do
	mkdirs "$d"
done

put 0755 "$build/bin/uptime-admin" "$bindir"
for f in "$build"/cron/*; do
	if [ -f "$f" ] && [ -x "$f" ]; then
		put 0755 "$f" "$bindir"
	fi
done
for f in "$build"/cgi-bin/*.fcgi; do
	put 0755 "$f" "$cgidir"
done
for f in "$top"/schema/*.sql; do
	put 0644 "$f" "$sharedir/schema"
done
for f in "$top/README.md" "$top"/docs/*.md "$top/docs/openapi.yaml"; do
	put 0644 "$f" "$docdir"
done
for f in "$top"/docs/lib/*.md; do
	put 0644 "$f" "$docdir/lib"
done

# The examples, with every placeholder replaced; one left over (outside a
# comment) means a template uses a name this script does not know.
render() {
	sed -e "s|@BINDIR@|$cgidir|g" \
	    -e "s|@CRONDIR@|$bindir|g" \
	    -e "s|@CONFIG@|$sysconfdir/uptime/uptime.conf|g" \
	    -e "s|@RUNDIR@|$runstatedir/uptime|g" \
	    -e "s|@VARDIR@|$datadir|g" \
	    -e "s|@DB@|$datadir/uptime.db|g" \
	    -e "s|@SECRET@|$datadir/secret|g" \
	    -e "s|@FCGIWRAP@|$runstatedir/fcgiwrap.socket|g" \
	    -e "s|@PORT@|8080|g" \
	    -e "s|@PUBLIC_URL@|http://127.0.0.1:8080|g" \
	    -e "s|@ALLOW_PRIVATE@|0|g" \
	    "$1" > "$dest$2.tmp"
	if grep -v '^[[:space:]]*#' "$dest$2.tmp" | grep -q '@[A-Z_]*@'; then
		echo "install: $1 has a placeholder install.sh does not know:" >&2
		grep -v '^[[:space:]]*#' "$dest$2.tmp" | grep -o '@[A-Z_]*@' |
		    sort -u >&2
		rm -f "$dest$2.tmp"
		exit 1
	fi
	chmod 0644 "$dest$2.tmp"
	mv "$dest$2.tmp" "$dest$2"
	noted "$2"
}
for f in lighttpd.conf.example apache.conf.example \
    apache-proxy-fcgi.conf.example nginx.conf.example; do
	render "$top/$f" "$sharedir/examples/$f"
done
for f in "$top"/examples/*; do
	if [ -f "$f" ]; then
		render "$f" "$sharedir/examples/${f##*/}"
	fi
done
for f in "$top"/examples/systemd/*; do
	render "$f" "$sharedir/examples/systemd/${f##*/}"
done

# A file the last install put here that this one does not have is gone
# with it; the folders that install made are still this one's.
if [ -f "$dest$manifest" ]; then
	grep '^/' "$dest$manifest" | grep -v '/$' | while IFS= read -r f; do
		case $f in
		"$manifest") ;;
		"$prefix"/*)
			if ! grep -qxF "$f" "$files" && [ -f "$dest$f" ]; then
				rm -f "$dest$f"
				say REMOVE "$f"
			fi ;;
		esac
	done
	grep '^/.*/$' "$dest$manifest" >> "$dirs" || true
fi
echo "$manifest" >> "$files"
{
	echo "# What \`make install\` put under $prefix: the files, then the"
	echo "# folders it made (ending with /).  \`make uninstall\` removes the"
	echo "# files, then those folders when they are empty."
	cat "$files"
	sort -ru "$dirs"
} > "$dest$manifest.tmp"
chmod 0644 "$dest$manifest.tmp"
mv "$dest$manifest.tmp" "$dest$manifest"
say INSTALL "$manifest"
echo "install: $(wc -l < "$files") files under $prefix, listed in" \
    "$manifest; make uninstall removes them"
