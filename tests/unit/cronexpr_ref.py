#!/usr/bin/env python3
"""The reference for tests/unit/test_cronexpr.c: the firings of cron
expressions around daylight-saving changes, computed independently of
lib/cronexpr.c by brute force with Python's zoneinfo.

It walks UTC instants a minute at a time and asks zoneinfo what the clock
shows at each (with fold telling the two passes of a repeated hour apart).
The rules are Debian cron's (see docs/lib/cronexpr.md): an expression
whose minute and hour fields do not start with "*" is "fixed-time": it
fires only on the first pass of a repeated hour, and when the clock jumps
forward over a time it would have fired at, it fires once at the first
instant after the jump.  Other expressions fire whenever the clock shows
a matching minute.

    python3 tests/unit/cronexpr_ref.py     # prints the C table rows

The rows are pasted into test_cronexpr.c; rerun this to check them.
"""
import datetime as dt
import sys
from zoneinfo import ZoneInfo

MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
DAYS = "SUN MON TUE WED THU FRI SAT".split()
RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]


def val(s, i):
    if s.isdigit():
        return int(s)
    names = MONTHS if i == 3 else DAYS
    n = names.index(s.upper())
    return n + 1 if i == 3 else n


def field(text, i):
    lo_f, hi_f = RANGES[i]
    out = set()
    for it in text.split(","):
        step = 1
        if "/" in it:
            it, st = it.split("/")
            step = int(st)
        if it == "*":
            lo, hi = lo_f, hi_f
        elif "-" in it:
            a, b = it.split("-")
            lo, hi = val(a, i), val(b, i)
        else:
            lo = val(it, i)
            hi = hi_f if step > 1 or "/" in text else lo
        out.update(range(lo, hi + 1, step))
    if i == 4 and 7 in out:
        out.add(0)
    return out


def parse(expr):
    f = expr.split()
    sets = [field(f[i], i) for i in range(5)]
    star = [x.startswith("*") for x in f]
    return sets, star


def matches(sets, star, t):
    mi, ho, dom, mo, dow = sets
    if t.minute not in mi or t.hour not in ho or t.month not in mo:
        return False
    d = t.day in dom
    w = (t.isoweekday() % 7) in dow
    return (d and w) if (star[2] or star[4]) else (d or w)


def firings(expr, zone, start, count):
    sets, star = parse(expr)
    fixed = not star[0] and not star[1]
    tz = ZoneInfo(zone)
    i = (int(start.timestamp()) // 60 + 1) * 60
    out = []
    while len(out) < count:
        now = dt.datetime.fromtimestamp(i, tz)
        before = dt.datetime.fromtimestamp(i - 60, tz)
        fire = matches(sets, star, now) and (not fixed or now.fold == 0)
        jump = now.utcoffset() - before.utcoffset()
        if fixed and not fire and jump > dt.timedelta(0):
            # The clock jumped forward at i: the skipped minutes.
            wall = now.replace(tzinfo=None, fold=0) - jump
            while wall < now.replace(tzinfo=None):
                if matches(sets, star, wall):
                    fire = True
                    break
                wall += dt.timedelta(minutes=1)
        if fire:
            out.append(i)
        i += 60
    return out


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


# (expression, zone, start (UTC), how many firings)
CASES = [
    # Europe/Berlin: 29 March 2026 02:00 -> 03:00, 25 October 03:00 -> 02:00.
    ("30 2 * * *", "Europe/Berlin", "2026-03-26T00:00:00Z", 7),
    ("0,30 2 * * *", "Europe/Berlin", "2026-03-27T12:00:00Z", 4),
    ("0 3 * * *", "Europe/Berlin", "2026-03-27T12:00:00Z", 4),
    ("30 2 * * *", "Europe/Berlin", "2026-10-22T00:00:00Z", 7),
    ("15 * * * *", "Europe/Berlin", "2026-03-28T23:00:00Z", 5),
    ("15 * * * *", "Europe/Berlin", "2026-10-24T23:00:00Z", 6),
    ("*/20 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", 7),
    ("0 9 * * MON-FRI", "Europe/Berlin", "2026-03-25T12:00:00Z", 6),
    # America/New_York: 8 March 2026 02:00 -> 03:00, 1 November 02:00 -> 01:00.
    ("30 2 * * *", "America/New_York", "2026-03-05T00:00:00Z", 7),
    ("30 1 * * *", "America/New_York", "2026-10-29T12:00:00Z", 7),
    ("0 1-3 * * *", "America/New_York", "2026-10-31T12:00:00Z", 6),
    ("*/30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 6),
    ("45 23 * * SUN", "America/New_York", "2026-03-01T00:00:00Z", 3),
    # Calendar rules, UTC and a zone without daylight saving.
    ("0 0 13 * FRI", "UTC", "2026-04-01T00:00:00Z", 5),
    ("0 0 */10 * 1", "UTC", "2026-01-01T00:00:00Z", 4),
    ("0 12 29 2 *", "Asia/Tokyo", "2026-01-01T00:00:00Z", 2),
    ("5 4 1 JAN,jul *", "Asia/Kolkata", "2026-03-01T00:00:00Z", 3),
    ("*/15 * * * *", "UTC", "2026-05-05T10:07:30Z", 3),
    ("0 0 * * 7", "Australia/Lord_Howe", "2026-03-30T00:00:00Z", 2),
    # Lord Howe moves by half an hour: 5 April 02:00 -> 01:30, 4 October
    # 02:00 -> 02:30.
    ("45 1 * * *", "Australia/Lord_Howe", "2026-04-03T00:00:00Z", 3),
    ("*/20 1 * * *", "Australia/Lord_Howe", "2026-04-04T12:00:00Z", 5),
    ("15 2 * * *", "Australia/Lord_Howe", "2026-10-02T00:00:00Z", 3),
]


def main():
    for expr, zone, start, n in CASES:
        s = dt.datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=dt.timezone.utc)
        got = firings(expr, zone, s, n)
        print('\t{ "%s", "%s", "%s", {' % (expr, zone, start))
        for t in got:
            print('\t    "%s",' % iso(t))
        print("\t} },")


if __name__ == "__main__":
    sys.exit(main())
