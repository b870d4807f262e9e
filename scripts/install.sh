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

install -d "$dest$bindir" "$dest$cgidir" "$dest$sharedir/schema" \
    "$dest$sharedir/examples/systemd" "$dest$docdir/lib"

say INSTALL "$bindir"
install -m 0755 "$build/bin/uptime-admin" "$dest$bindir/"
for f in "$build"/cron/*; do
	if [ -f "$f" ] && [ -x "$f" ]; then
		install -m 0755 "$f" "$dest$bindir/"
	fi
done
say INSTALL "$cgidir"
install -m 0755 "$build"/cgi-bin/*.fcgi "$dest$cgidir/"
say INSTALL "$sharedir/schema"
install -m 0644 "$top"/schema/*.sql "$dest$sharedir/schema/"
say INSTALL "$docdir"
install -m 0644 "$top/README.md" "$top"/docs/*.md "$top/docs/openapi.yaml" \
    "$dest$docdir/"
install -m 0644 "$top"/docs/lib/*.md "$dest$docdir/lib/"

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
	    "$1" > "$2.tmp"
	if grep -v '^[[:space:]]*#' "$2.tmp" | grep -q '@[A-Z_]*@'; then
		echo "install: $1 has a placeholder install.sh does not know:" >&2
		grep -v '^[[:space:]]*#' "$2.tmp" | grep -o '@[A-Z_]*@' | sort -u >&2
		rm -f "$2.tmp"
		exit 1
	fi
	chmod 0644 "$2.tmp"
	mv "$2.tmp" "$2"
}
say INSTALL "$sharedir/examples"
for f in lighttpd.conf.example apache.conf.example \
    apache-proxy-fcgi.conf.example nginx.conf.example; do
	render "$top/$f" "$dest$sharedir/examples/$f"
done
for f in "$top"/examples/*; do
	if [ -f "$f" ]; then
		render "$f" "$dest$sharedir/examples/${f##*/}"
	fi
done
for f in "$top"/examples/systemd/*; do
	render "$f" "$dest$sharedir/examples/systemd/${f##*/}"
done
