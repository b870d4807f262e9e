# uptime: build, test and run.
#
#   make            build everything into build/
#   make deps       install the missing Debian packages that building and
#                   running need (as root)
#   make test-deps  those and the test rig's: other web servers, a
#                   browser, clang, Node.js, wrk, Prometheus (make test
#                   runs it)
#   make test       unit and HTTP tests, under ASan and UBSan
#   make run        serve on http://127.0.0.1:8080 (PORT= to change)
#   make install    install under PREFIX (/usr/local), DESTDIR honoured;
#                   prints each file and lists them in a manifest
#   make uninstall  remove what the manifest lists
#   make bench      benchmarks; figures and ratios, never pass/fail
#                   (CHECKER_BENCH_SECONDS=60 shortens the checker's runs;
#                   BENCH_PG=0 leaves out the figures on PostgreSQL)
#
# BUILD picks the output folder; SAN=1 builds with the sanitizers;
# FUZZ=1 with clang for libFuzzer (make fuzz does that in build/fuzz);
# V=1 shows the commands.

BUILD	?= build
SAN	?= 0
FUZZ	?= 0
FUZZ_SECONDS ?= 60
# make bench: how long each run of the checker's schedule benchmark lasts.
CHECKER_BENCH_SECONDS ?= 300
FUZZ_CC	?= clang-14
FUZZ_CXX ?= clang++-14
CC	?= cc
PORT	?= 8080
V	?= 0
# make install: where to (docs/deploy.md has the layout).
PREFIX	?= /usr/local
DESTDIR	?=
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
RUNSTATEDIR ?= /run
ifeq ($(V),1)
Q	 =
SAY	 = @true
else
Q	 = @
SAY	 = @echo
endif

# re2 is C++: lib/*.cc is built with CXX in the same modes as the C, and
# the programs link libstdc++ for it.
PKGS	 = sqlite3 libpq libcjson libcurl libsodium libcares zlib fcgi re2
WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wwrite-strings -Wformat=2 -Werror
CXXWARN	 = -Wall -Wextra -Wshadow -Wmissing-declarations -Wformat=2 -Werror
CFLAGS	 = -std=c11 -D_GNU_SOURCE -g $(WARN) -Ilib \
	   $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CXXFLAGS = -std=c++17 -D_GNU_SOURCE -g $(CXXWARN) -Ilib \
	   $(shell pkg-config --cflags re2 2>/dev/null)
LDLIBS	 = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstdc++ -lm
# Sanitizer modes: clang's "undefined" takes in float-cast-overflow, gcc's
# leaves it out, so SAN=1 names it; clang links its C++ sanitizer
# runtimes only when told (the C driver links the programs).
ifeq ($(FUZZ),1)
ifeq ($(origin CXX),default)
CXX	 = $(FUZZ_CXX)
endif
MODE	 = -O1 -fno-omit-frame-pointer \
	   -fsanitize=fuzzer-no-link,address,undefined \
	   -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=fuzzer,address,undefined -fsanitize-link-c++-runtime
else ifeq ($(SAN),1)
MODE	 = -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	   -fsanitize=float-cast-overflow -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
else
MODE	 = -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong
endif
CFLAGS	+= $(MODE)
CXXFLAGS += $(MODE)

LIB_SRC	 = $(wildcard lib/*.c)
LIB_CXX	 = $(wildcard lib/*.cc)
LIB_OBJ	 = $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o) \
	   $(LIB_CXX:lib/%.cc=$(BUILD)/lib/%.o) $(BUILD)/lib/schema.o
LIB	 = $(BUILD)/lib/libuptime.a
FAMILIES = $(patsubst cgi-bin/%.c,$(BUILD)/cgi-bin/%.fcgi,$(wildcard cgi-bin/*.c))
CRON	 = $(patsubst cron/%.c,$(BUILD)/cron/%,$(wildcard cron/*.c))
ADMIN	 = $(BUILD)/bin/uptime-admin
BENCHES	 = $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/*.c))
UNITS	 = $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test_*.c))
# libFuzzer targets, one per parser family; built with FUZZ=1 only.
FUZZ_NAMES = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZERS	 = $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)

# Debian packages by purpose.  DEB_BUILD builds (the -dev packages bring
# the libraries the programs run with); DEB_RUN is what running needs:
# lighttpd for `make run`, the CA certificates and time zones the checks
# and maintenance windows use, the sqlite3 shell, and curl and jq for
# README's examples.  A production host needs those two (and its own web
# server).  DEB_TEST is the test rig: the other web servers the HTTP
# suite runs through, a browser, Node.js, PostgreSQL 15 and psql (the
# throwaway clusters of scripts/pg-cluster.sh; the package's own cluster,
# 15 main on port 5432, is not used), clang for fuzzing, wrk for the
# benchmarks, and Prometheus (its promtool checks GET /v1/metrics, and a
# test scrapes it with the real server; the package also enables a
# prometheus service on port 9090 where systemd runs, which the tests do
# not need: `systemctl disable --now prometheus`).
DEB_BUILD = gcc g++ make pkg-config libfcgi-dev libsqlite3-dev libpq-dev \
	    libcjson-dev libcurl4-openssl-dev libsodium-dev libc-ares-dev \
	    zlib1g-dev libre2-dev
DEB_RUN	  = lighttpd sqlite3 curl jq ca-certificates tzdata
DEB_TEST  = openssl nodejs wrk apache2 libapache2-mod-fcgid nginx fcgiwrap \
	    spawn-fcgi multiwatch libfcgi-bin chromium python3 clang-14 \
	    libclang-rt-14-dev time prometheus postgresql postgresql-client

.PHONY: all deps test-deps test unit http run bench clean install \
	uninstall fuzz fuzz-replay fuzzers

all: $(LIB) $(FAMILIES) $(CRON) $(ADMIN)

deps:
	@scripts/deps.sh $(DEB_BUILD) $(DEB_RUN)

# npm comes with some Node.js builds (not Debian's): Debian's npm only when missing.
test-deps: deps
	@scripts/deps.sh $(DEB_TEST) $(if $(shell command -v npm),,npm)

$(BUILD)/lib/%.o: lib/%.c lib/*.h lib/*.def
	@mkdir -p $(@D)
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/lib/%.o: lib/%.cc lib/*.h lib/*.def
	@mkdir -p $(@D)
	$(SAY) "  CXX     $<"
	$(Q)$(CXX) $(CXXFLAGS) -c $< -o $@

$(BUILD)/lib/schema.c: $(sort $(wildcard schema/*.sql schema/pg/*.sql)) \
    scripts/embed-schema.sh
	@mkdir -p $(@D)
	$(SAY) "  SCHEMA  $@"
	$(Q)sh scripts/embed-schema.sh schema_ \
	    $(sort $(wildcard schema/*.sql)) > $@.tmp
	$(Q)sh scripts/embed-schema.sh pg_schema_ \
	    $(sort $(wildcard schema/pg/*.sql)) >> $@.tmp
	$(Q)mv $@.tmp $@

$(BUILD)/lib/schema.o: $(BUILD)/lib/schema.c
	$(Q)$(CC) $(CFLAGS) -Wno-missing-prototypes -c $< -o $@

$(LIB): $(LIB_OBJ)
	$(SAY) "  AR      $@"
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/cgi-bin/%.fcgi: cgi-bin/%.c $(LIB)
	@mkdir -p $(@D)
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

$(BUILD)/cron/%: cron/%.c $(LIB)
	@mkdir -p $(@D)
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

$(ADMIN): admin/uptime-admin.c $(LIB)
	@mkdir -p $(@D)
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/*.h $(LIB)
	@mkdir -p $(@D)
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

# The test suite runs the sanitizer build, and replays the fuzz corpus.
# The plain build is made too: the memory figures of the hostile-target
# tests are taken without the sanitizers.
test: test-deps
	$(MAKE) all
	$(MAKE) BUILD=build/san SAN=1 unit http
	$(MAKE) fuzz-replay

# Fuzzing (docs/reliability.md): libuptime and the targets built with
# clang, libFuzzer, ASan and UBSan in build/fuzz.  `make fuzz` runs each
# target FUZZ_SECONDS from its corpus and prints its figures;
# `make fuzz-replay` runs every corpus file once (part of `make test`).
fuzz: test-deps
	$(MAKE) BUILD=build/fuzz FUZZ=1 CC=$(FUZZ_CC) CXX=$(FUZZ_CXX) fuzzers
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh build/fuzz/fuzz \
	    $(FUZZ_NAMES)

fuzz-replay:
	$(MAKE) BUILD=build/fuzz FUZZ=1 CC=$(FUZZ_CC) CXX=$(FUZZ_CXX) fuzzers
	@sh tests/fuzz/run.sh -replay build/fuzz/fuzz $(FUZZ_NAMES)

fuzzers: $(FUZZERS)

$(BUILD)/fuzz/fuzz_routes.h: $(wildcard cgi-bin/*.c) tests/fuzz/routes.sh
	@mkdir -p $(@D)
	$(Q)sh tests/fuzz/routes.sh $(wildcard cgi-bin/*.c) > $@.tmp
	$(Q)mv $@.tmp $@

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(BUILD)/fuzz/fuzz_routes.h \
    lib/*.h lib/*.c lib/*.cc $(LIB)
	@mkdir -p $(@D)
	$(SAY) "  FUZZ    $@"
	$(Q)$(CC) $(CFLAGS) -I$(BUILD)/fuzz $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

unit: all $(UNITS)
	@fail=0; for t in $(UNITS); do echo "== $$t"; $$t || fail=1; done; \
	    exit $$fail

# The HTTP suite runs through every deployment the docs promise, each from
# its example configuration (tests/http/lib/servers.mjs): all of it
# through lighttpd; through Apache with mod_fcgid and with plain CGI
# (mod_cgi, mounted under /uptime), the files about what a web server
# passes on (keys, bodies, queries, methods, headers, workers, client
# addresses, public routes) and the status pages' public side; a smoke
# part through Apache with mod_proxy_fcgi and nginx with fcgiwrap.  The
# other files test programs, not their server.  HTTP_KINDS picks kinds
# (make test HTTP_KINDS=lighttpd).
HTTP_KINDS  ?= lighttpd apache-fcgid apache-cgi apache-proxy-fcgi nginx \
	       postgresql
http_files   = $(addprefix tests/http/,$(addsuffix .test.mjs,$(1)))
HTTP_CORE    = $(call http_files,auth api-keys audit conventions config \
	       guarantees secrets readme deploy monitors heartbeat team)
# status-pages builds some paths without srv.mount: not under /uptime yet.
HTTP_FCGID   = $(HTTP_CORE) $(call http_files,status-pages)
# Plain CGI starts a process a request: the files about what the server
# passes on (keys, bodies, queries, methods, headers, the mount, pings);
# team, audit, config, secrets and the README's examples ask nothing of
# the server that mod_fcgid's pass does not.
HTTP_CGI     = $(call http_files,auth api-keys conventions guarantees \
	       deploy monitors heartbeat)
HTTP_SMOKE   = $(call http_files,auth api-keys monitors deploy)
# The files that run on PostgreSQL too (lighttpd, scripts/pg-test.sh):
# every file that stores or reads data; not those about the web server's
# plumbing (cgi, families, examples) or the probe engine (hostile), the
# same on either engine, nor those about SQLite's files (migrations,
# owner) or about the documents.
HTTP_PG      = $(call http_files, \
	       admin \
	       alerts \
	       api-keys \
	       audit \
	       auth \
	       checker \
	       checks \
	       concurrency \
	       config \
	       config-as-code \
	       console \
	       console-alerts \
	       console-monitors \
	       console-team \
	       conventions \
	       crash \
	       deploy \
	       guarantees \
	       heartbeat \
	       leaks \
	       limits \
	       maintenance \
	       metrics \
	       monitors \
	       notify \
	       probes \
	       roles \
	       secrets \
	       status-pages \
	       team \
	       )

# Each pass also writes a TAP report in $(BUILD)/tap/; a failed run ends
# by listing the tests that failed in any pass, with their errors.
http: all tests/http/node_modules/.stamp
	@fail=0; failed=; rm -rf $(BUILD)/tap; mkdir -p $(BUILD)/tap; \
	run() { kind=$$1; shift; \
	    case " $(HTTP_KINDS) " in *" $$kind "*) ;; *) return 0 ;; esac; \
	    echo "== HTTP tests through $$kind"; \
	    UPTIME_SERVER=$$kind UPTIME_BUILD=$(BUILD) UPTIME_SAN=$(SAN) \
	    node --test --test-reporter=spec --test-reporter-destination=stdout \
	        --test-reporter=tap \
	        --test-reporter-destination=$(BUILD)/tap/$$kind.tap "$$@" || \
	    { fail=1; failed="$$failed $(BUILD)/tap/$$kind.tap"; }; }; \
	run lighttpd tests/http/; \
	run apache-fcgid $(HTTP_FCGID); \
	run apache-cgi $(HTTP_CGI); \
	run apache-proxy-fcgi $(HTTP_SMOKE); \
	run nginx $(HTTP_SMOKE); \
	case " $(HTTP_KINDS) " in *" postgresql "*) \
	    echo "== HTTP tests through lighttpd on PostgreSQL"; \
	    UPTIME_SERVER=lighttpd UPTIME_BUILD=$(BUILD) UPTIME_SAN=$(SAN) \
	    TEST_TAP=$(BUILD)/tap/postgresql.tap \
	    sh scripts/pg-test.sh $(HTTP_PG) || \
	    { fail=1; failed="$$failed $(BUILD)/tap/postgresql.tap"; } ;; esac; \
	sh scripts/test-failures.sh $$failed; \
	exit $$fail

# The HTTP tests' npm packages (OpenAPI validator and linter), as locked.
tests/http/node_modules/.stamp: tests/http/package.json tests/http/package-lock.json
	$(SAY) "  NPM     tests/http"
	$(Q)npm ci --prefix tests/http --no-audit --no-fund $(if $(filter 1,$(V)),,--loglevel=error)
	$(Q)touch $@

run: deps
	$(MAKE) all
	PORT=$(PORT) BUILD=$(BUILD) DB=$(DB) scripts/run.sh

bench: test-deps
	$(MAKE) all $(BENCHES)
	BUILD=$(BUILD) CHECKER_BENCH_SECONDS=$(CHECKER_BENCH_SECONDS) \
	    scripts/bench.sh

install: all
	$(Q)BUILD=$(BUILD) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) \
	    SYSCONFDIR=$(SYSCONFDIR) LOCALSTATEDIR=$(LOCALSTATEDIR) \
	    RUNSTATEDIR=$(RUNSTATEDIR) sh scripts/install.sh

uninstall:
	$(Q)PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) sh scripts/uninstall.sh

clean:
	rm -rf build
