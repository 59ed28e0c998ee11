#!/usr/bin/env python3
"""Checks an iCalendar (RFC 5545) file with the `icalendar` library, as strictly as it allows.

Usage: check_ical.py [--allow-empty] [FILE]   (reads stdin without FILE or with "-")

Checks, each failure one line on stderr and exit status 1:
- the text is UTF-8 with CRLF line ends, no line longer than 75 octets (RFC 5545 3.1);
- `icalendar.Calendar.from_ical` parses it into exactly one VCALENDAR, and no property of any
  component is broken (a value icalendar could not read);
- the VCALENDAR has VERSION:2.0 and PRODID and at least one component (`Calendar.validate()`;
  `--allow-empty` drops the last part);
- every component has the properties icalendar lists as required for it, no property that may
  appear once appears twice, and no mutually exclusive pair (DTEND and DURATION) appears;
- every VEVENT has UID, DTSTAMP and DTSTART; DTEND is later than DTSTART and is a date exactly
  when DTSTART is; every TZID used is defined by a VTIMEZONE.

On success prints one JSON object to stdout:
  {"calendar_name": str|null, "events": [{"uid", "summary", "description", "location",
   "dtstart", "dtend", "categories": [...], "url"}]}
with dates as ISO strings: "2026-10-15" for an all-day date, "2026-10-15T08:30:00+07:00" for a
date-time (no offset for a floating time); absent text properties are null, and dtend is null
when the event has neither DTEND nor DURATION.
"""

import datetime
import json
import sys

import icalendar

MAX_OCTETS = 75


def fail(problems):
    for p in problems:
        print(f"check_ical: {p}", file=sys.stderr)
    sys.exit(1)


def check_lines(data, problems):
    if b"\n" in data.replace(b"\r\n", b""):
        problems.append("line ends must be CRLF (RFC 5545 3.1)")
    for n, line in enumerate(data.split(b"\n"), start=1):
        if len(line.removesuffix(b"\r")) > MAX_OCTETS:
            problems.append(f"line {n} is {len(line)} octets long; fold lines at 75 (RFC 5545 3.1)")


def text(component, name):
    value = component.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0]
    return str(value)


def iso(value):
    if value is None:
        return None
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return None
    return str(value)


def check_component(component, problems, where):
    for name, message in getattr(component, "errors", []) or []:
        problems.append(f"{where}: property {name} is broken: {message}")
    for name in getattr(component, "required", ()):
        if name not in component:
            problems.append(f"{where}: required property {name} is missing")
    for name in getattr(component, "singletons", ()):
        if isinstance(component.get(name), list):
            problems.append(f"{where}: property {name} may appear only once")
    exclusive = [name for name in getattr(component, "exclusive", ()) if name in component]
    if len(exclusive) > 1:
        problems.append(f"{where}: properties {' and '.join(exclusive)} must not appear together")
    for sub in component.subcomponents:
        check_component(sub, problems, f"{where} > {sub.name}")


def tzids(component):
    for _, value in component.property_items(recursive=True, sorted=False):
        params = getattr(value, "params", None)
        if params and "TZID" in params:
            yield str(params["TZID"])


def main(argv):
    args = argv[1:]
    allow_empty = "--allow-empty" in args
    args = [a for a in args if a != "--allow-empty"]
    if len(args) > 1:
        fail(["usage: check_ical.py [--allow-empty] [FILE]"])
    path = args[0] if args else "-"
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()

    problems = []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        fail([f"not UTF-8: {e}"])
    check_lines(data, problems)

    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception as e:  # the library raises ValueError and its own errors
        fail(problems + [f"cannot parse: {type(e).__name__}: {e}"])
    if len(calendars) != 1:
        fail(problems + [f"expected exactly one VCALENDAR, found {len(calendars)}"])
    cal = calendars[0]
    if cal.name != "VCALENDAR":
        fail(problems + [f"the top component is {cal.name}, not VCALENDAR"])

    if text(cal, "VERSION") != "2.0":
        problems.append(f"VERSION must be 2.0, is {text(cal, 'VERSION')!r}")
    if not text(cal, "PRODID"):
        problems.append("PRODID is missing")
    try:
        cal.validate()
    except Exception as e:
        if not (allow_empty and not cal.subcomponents):
            problems.append(f"Calendar.validate(): {e}")
    check_component(cal, problems, "VCALENDAR")

    defined_tz = {text(tz, "TZID") for tz in cal.walk("VTIMEZONE")}
    for tzid in sorted(set(tzids(cal))):
        if tzid not in defined_tz:
            problems.append(f"TZID {tzid!r} is used but no VTIMEZONE defines it")

    events = []
    for n, ev in enumerate(cal.walk("VEVENT"), start=1):
        where = f"VEVENT {n} ({text(ev, 'UID') or 'no UID'})"
        for name in ("UID", "DTSTAMP", "DTSTART"):
            if name not in ev and name not in getattr(ev, "required", ()):  # those are reported above
                problems.append(f"{where}: {name} is missing")
        start = end = None
        try:
            start = ev.start if "DTSTART" in ev else None
            end = ev.end if ("DTEND" in ev or "DURATION" in ev) else None
        except Exception as e:
            problems.append(f"{where}: start/end: {e}")
        if start is not None and "DTEND" in ev and end is not None:
            start_is_date = not isinstance(start, datetime.datetime)
            end_is_date = not isinstance(end, datetime.datetime)
            if start_is_date != end_is_date:
                problems.append(f"{where}: DTEND must be a date exactly when DTSTART is (RFC 5545 3.6.1)")
            else:
                try:
                    later = end > start
                except TypeError:  # a floating time against one with a zone
                    later = True
                    problems.append(f"{where}: DTSTART and DTEND mix a floating time with a zoned one")
                if not later:
                    problems.append(f"{where}: DTEND {iso(end)} must be later than DTSTART {iso(start)} (RFC 5545 3.8.2.2)")
        try:
            categories = [str(c) for c in ev.categories]
        except Exception as e:
            problems.append(f"{where}: CATEGORIES: {e}")
            categories = []
        events.append(
            {
                "uid": text(ev, "UID"),
                "summary": text(ev, "SUMMARY"),
                "description": text(ev, "DESCRIPTION"),
                "location": text(ev, "LOCATION"),
                "dtstart": iso(start),
                "dtend": iso(end),
                "categories": categories,
                "url": text(ev, "URL"),
            }
        )

    if problems:
        fail(problems)
    name = text(cal, "X-WR-CALNAME") or text(cal, "NAME")
    sys.stdout.reconfigure(encoding="utf-8")
    json.dump({"calendar_name": name, "events": events}, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
