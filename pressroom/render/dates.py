"""A moment as a resident reads it, in their language: the one date format of pages and feeds.

Babel's CLDR data writes the date ("November 24, 2026"; "24 de noviembre de 2026") and the
locale's short time ("6:00 PM"; "6:00 p.m."; "18:00" where the 24-hour clock is usual).
The moment's own clock is kept (Pelican has already put it in the site's time zone), and
CLDR's narrow no-break space before "PM" becomes a plain space, so English reads as it
always has. A midnight moment shows the date alone: posts dated by day have no time.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache, lru_cache

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date, format_time

DEFAULT_LOCALE = "en_US"


@cache
def _locale(name: str) -> Locale:
    try:
        return Locale.parse(name or DEFAULT_LOCALE)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE)


def when_text(moment: date, with_time: bool = True, locale: str = DEFAULT_LOCALE) -> str:
    """``moment`` in ``locale``: "November 24, 2026, 6:00 PM"; without the time when
    ``with_time`` is false or the moment is midnight (or a date). An unknown locale writes
    English."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    return _wall_text(moment.replace(tzinfo=None), with_time, locale)


# A build writes the same few thousand moments on many pages (every list shows its posts'
# dates): remembered, Babel's formatting costs a build no more than strftime did. Keyed by
# the wall clock, not the aware moment: two zones' equal instants read differently.
@lru_cache(maxsize=16384)
def _wall_text(wall: datetime, with_time: bool, locale: str) -> str:
    where = _locale(locale)
    text = format_date(wall.date(), "long", locale=where)
    if with_time and (wall.hour or wall.minute):
        text += ", " + format_time(wall.time(), "short", locale=where)
    return text.replace("\u202f", " ")
