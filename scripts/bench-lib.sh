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
