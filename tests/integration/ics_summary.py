#!/usr/bin/python3
"""Reads an iCalendar file with python3-icalendar (an independent parser, not libical) and prints
what the schedules tests check, as JSON: the calendar's properties, its VTIMEZONEs and each
VEVENT (uid, summary, status, sequence, start and end with their TZID and in UTC)."""
import datetime
import json
import sys

from icalendar import Calendar

def when(prop):
    if prop is None:
        return None
    value = prop.dt
    out = {"tzid": prop.params.get("TZID"), "value_param": prop.params.get("VALUE")}
    if isinstance(value, datetime.datetime):
        out["kind"] = "datetime"
        out["local"] = value.replace(tzinfo=None).isoformat()
        out["utc"] = value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if value.tzinfo else None
    else:
        out["kind"] = "date"
        out["local"] = value.isoformat()
    return out

data = open(sys.argv[1], "rb").read()
cal = Calendar.from_ical(data)
result = {
    "version": str(cal.get("VERSION")),
    "prodid": str(cal.get("PRODID")),
    "timezones": [str(tz.get("TZID")) for tz in cal.walk("VTIMEZONE")],
    "events": [],
}
for ev in cal.walk("VEVENT"):
    result["events"].append({
        "uid": str(ev.get("UID")),
        "summary": str(ev.get("SUMMARY")),
        "status": str(ev.get("STATUS")),
        "sequence": int(ev.get("SEQUENCE", 0)),
        "location": str(ev.get("LOCATION", "")),
        "description": str(ev.get("DESCRIPTION", "")),
        "dtstamp": when(ev.get("DTSTAMP")),
        "start": when(ev.get("DTSTART")),
        "end": when(ev.get("DTEND")),
    })
# Line length (RFC 5545 3.1: at most 75 octets a line) and CRLF line ends.
lines = data.split(b"\r\n")
result["crlf"] = data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
result["longest_line"] = max(len(l) for l in lines)
print(json.dumps(result))
