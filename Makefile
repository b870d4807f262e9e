# uptime: build, test and run.
#
#   make            build everything into build/
#   make deps       install missing Debian packages (as root)
#   make test       unit and HTTP tests, under ASan and UBSan
#   make run        serve on http://127.0.0.1:8080 (PORT= to change)
#   make bench      benchmarks; figures and ratios, never pass/fail
#
# BUILD picks the output folder; SAN=1 builds with the sanitizers;
# V=1 shows the commands.

BUILD	?= build
SAN	?= 0
CC	?= cc
PORT	?= 8080
V	?= 0
ifeq ($(V),1)
Q	 =
SAY	 = @true
else
Q	 = @
SAY	 = @echo
endif

PKGS	 = sqlite3 libcjson libcurl libsodium libcares zlib fcgi
WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wwrite-strings -Wformat=2 -Werror
CFLAGS	 = -std=c11 -D_GNU_SOURCE -g $(WARN) -Ilib \
	   $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS	 = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
ifeq ($(SAN),1)
CFLAGS	+= -O1 -fno-omit-frame-pointer \
	   -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
else
CFLAGS	+= -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong
endif

LIB_SRC	 = $(wildcard lib/*.c)
LIB_OBJ	 = $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o) $(BUILD)/lib/schema.o
LIB	 = $(BUILD)/lib/libuptime.a
FAMILIES = $(patsubst cgi-bin/%.c,$(BUILD)/cgi-bin/%.fcgi,$(wildcard cgi-bin/*.c))
CRON	 = $(patsubst cron/%.c,$(BUILD)/cron/%,$(wildcard cron/*.c))
ADMIN	 = $(BUILD)/bin/uptime-admin
BENCHES	 = $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/*.c))
UNITS	 = $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test_*.c))

# Debian packages: what the build needs, then what tests and `run` use.
DEB_BUILD = gcc make pkg-config libfcgi-dev libsqlite3-dev libcjson-dev \
	    libcurl4-openssl-dev libsodium-dev libc-ares-dev zlib1g-dev
DEB_RUN	  = lighttpd sqlite3 openssl nodejs curl ca-certificates

.PHONY: all deps test unit http run bench clean

all: $(LIB) $(FAMILIES) $(CRON) $(ADMIN)

deps:
	@scripts/deps.sh $(DEB_BUILD) $(DEB_RUN)

$(BUILD)/lib/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D)
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/lib/schema.c: $(sort $(wildcard schema/*.sql)) scripts/embed-schema.sh
	@mkdir -p $(@D)
	$(SAY) "  SCHEMA  $@"
	$(Q)sh scripts/embed-schema.sh $(sort $(wildcard schema/*.sql)) > $@.tmp
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

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/unit.h $(LIB)
	@mkdir -p $(@D)
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

# The test suite runs the sanitizer build.
test: deps
	$(MAKE) BUILD=build/san SAN=1 unit http

unit: all $(UNITS)
	@fail=0; for t in $(UNITS); do echo "== $$t"; $$t || fail=1; done; \
	    exit $$fail

http: all
	UPTIME_BUILD=$(BUILD) node --test --test-reporter=spec tests/http/

run: deps
	$(MAKE) all
	PORT=$(PORT) BUILD=$(BUILD) scripts/run.sh

bench: deps
	$(MAKE) all $(BENCHES)
	BUILD=$(BUILD) scripts/bench.sh

clean:
	rm -rf build
