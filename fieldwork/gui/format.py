"""Small formatting helpers for what the screens show (UK style dates)."""

from __future__ import annotations

import datetime as dt


def uk_date(iso: str | None) -> str:
    """'2026-11-03' → '3 Nov 2026'; '' for nothing; the text itself if not a date."""
    if not iso:
        return ""
    try:
        day = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{day.day} {day:%b %Y}"


def fieldwork_dates(start: str | None, end: str | None) -> str:
    if start and end:
        return f"{uk_date(start)} to {uk_date(end)}"
    return uk_date(start or end) or "dates not set"


def saved_time(iso_utc: str) -> str:
    """A stored UTC timestamp as local clock time, e.g. '14:05:09'."""
    try:
        moment = dt.datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    except ValueError:
        return iso_utc
    return moment.astimezone().strftime("%H:%M:%S")
