#!/usr/bin/env python3
"""The reference for tests/unit/test_maintenance.c: occurrence starts of
recurring maintenance windows around daylight-saving changes, computed
independently of lib/maintenance.c with Python's zoneinfo.

The rules (docs/lib/maintenance.md): each occurrence starts at the local
wall-clock time of startsAt on the days the rule picks (daily: every
interval days; weekly: the chosen weekdays of every interval-th week,
weeks starting on Monday, on or after the first local date; monthly: the
day of the month of startsAt, or the month's last day when the month is
shorter).  A local time the clock skips is read with the offset before
the change and one it repeats is its first pass: zoneinfo's fold=0 does
exactly that.  Weekly days are found here by walking the calendar a day
at a time, not by the closed form the C code uses.

    python3 tests/unit/maintenance_ref.py     # prints the C table rows

The rows are pasted into test_maintenance.c; rerun this to check them.
"""
import calendar
import datetime as dt
from zoneinfo import ZoneInfo

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

# name, zone, first start (local, ISO with its offset), frequency,
# interval, weekdays, how many starts
CASES = [
    ("berlin_spring_daily", "Europe/Berlin", "2026-03-26T02:30:00+01:00",
     "daily", 1, "", 6),
    ("berlin_autumn_daily", "Europe/Berlin", "2026-10-23T02:30:00+02:00",
     "daily", 1, "", 5),
    ("berlin_weekly_mo_su", "Europe/Berlin", "2026-03-23T09:00:00+01:00",
     "weekly", 1, "MO,SU", 6),
    ("berlin_daily_night", "Europe/Berlin", "2026-03-28T01:00:00+01:00",
     "daily", 1, "", 3),
    ("ny_autumn_daily", "America/New_York", "2026-10-30T01:30:00-04:00",
     "daily", 1, "", 4),
    ("ny_spring_weekly", "America/New_York", "2026-03-01T02:30:00-05:00",
     "weekly", 1, "SU", 3),
    ("ny_monthly_31st", "America/New_York", "2026-01-31T23:00:00-05:00",
     "monthly", 1, "", 7),
    ("ny_weekly_2_tu_th", "America/New_York", "2026-10-20T12:00:00-04:00",
     "weekly", 2, "TU,TH", 6),
]


def local_dates(first, freq, interval, days, n):
    out = []
    if freq == "daily":
        return [first + dt.timedelta(days=k * interval) for k in range(n)]
    if freq == "monthly":
        for k in range(n):
            m = first.month - 1 + k * interval
            y, m = first.year + m // 12, m % 12 + 1
            d = min(first.day, calendar.monthrange(y, m)[1])
            out.append(dt.date(y, m, d))
        return out
    want = {DAYS.index(d) for d in days.split(",")}
    monday = first - dt.timedelta(days=first.weekday())
    day = first
    while len(out) < n:
        week = (day - monday).days // 7
        if week % interval == 0 and day.weekday() in want:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def main():
    for name, zone, start, freq, interval, days, n in CASES:
        tz = ZoneInfo(zone)
        s = dt.datetime.fromisoformat(start)
        local = s.astimezone(tz)
        starts = []
        for d in local_dates(local.date(), freq, interval, days, n):
            t = dt.datetime(d.year, d.month, d.day, local.hour, local.minute,
                            local.second, tzinfo=tz)
            if d == local.date():
                t = s          # the first start exactly as given
            starts.append(t.astimezone(dt.timezone.utc)
                          .strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        print(f'\t{{ "{name}", "{zone}", "{start}", MAINT_'
              f'{freq.upper()}, {interval}, "{days}", {n}, {{')
        for i in range(0, len(starts), 2):
            print("\t    " + " ".join(f'"{x}",' for x in starts[i:i + 2]))
        print("\t} },")


if __name__ == "__main__":
    main()
