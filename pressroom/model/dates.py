"""Dates in front matter: one strict, documented form, always made timezone-aware.

Accepted: ``2026-11-20``, ``2026-11-20 14:30``, ``2026-11-20 14:30:00`` (a
``T`` may replace the space) with an optional offset (``-08:00``, ``Z``).
A date without an offset is the department's local time (``TIMEZONE``).
Every form accepted here is also accepted by Pelican, so what we validate is
what Pelican publishes.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

_DATE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[ T](?P<time>\d{2}:\d{2}(?::\d{2})?)(?P<tz>Z|[+-]\d{2}:\d{2})?)?$"
)

DATE_HELP = "use YYYY-MM-DD or YYYY-MM-DD HH:MM, e.g. 2026-11-20 14:30"


def parse_datetime(value: str, tz: tzinfo) -> datetime | None:
    """Parse a front-matter date into an aware datetime, or None when it is not a date."""
    match = _DATE.match(value.strip())
    if not match:
        return None
    text = match.group("date") + "T" + (match.group("time") or "00:00")
    offset = match.group("tz")
    if offset:
        text += "+00:00" if offset == "Z" else offset
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed
