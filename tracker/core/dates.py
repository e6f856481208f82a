"""Days and times as the reader writes them, in the organisation's time zone.

Timestamps are stored in UTC (:class:`tracker.core.models.UTCDateTime`); people read them in
one zone, the organisation's (``TIMEZONE``, default Europe/Paris, which ``create_app`` hands
to Flask-Babel as ``BABEL_DEFAULT_TIMEZONE``), on every page and in every export, so that a
history and a list of documents on the same page never disagree. Days are written with a
four-digit year in the reader's order (``01/12/2026`` in French, ``12/1/2026`` in English);
times in the reader's clock (``06:24``, ``6:24 AM``).
"""

from datetime import date, datetime, timezone
from functools import lru_cache

from babel import Locale
from babel.dates import format_skeleton, format_time, format_timedelta, parse_pattern
from flask_babel import get_timezone

from tracker.core.language import reader_locale

DAY_SKELETON = "yMd"


def _locale(locale=None):
    return _parsed(str(locale or reader_locale()))


@lru_cache(maxsize=32)
def _parsed(identifier):
    """The Babel locale named ``identifier``, parsed once per process: a list page writes
    150 days, and parsing the name each time was a third of its rendering."""
    return Locale.parse(identifier)


@lru_cache(maxsize=32)
def _day_pattern(identifier):
    """The reader's pattern of a day (``DAY_SKELETON`` as ``identifier`` writes it), found
    once per process: ``format_skeleton`` matches the skeleton again at every call."""
    locale = _parsed(identifier)
    skeletons = locale.datetime_skeletons
    if DAY_SKELETON in skeletons:
        return parse_pattern(skeletons[DAY_SKELETON])
    return None


def local_time(moment, zone=None):
    """``moment`` (a UTC or naive-UTC datetime) in the organisation's time zone."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone or get_timezone())


def format_day(value, locale=None, zone=None):
    """A day as the reader writes it (``01/12/2026``, ``12/1/2026``); a datetime gives the
    day it is in the organisation's time zone. Empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = local_time(value, zone).date()
    if not isinstance(value, date):
        return str(value)
    identifier = str(locale or reader_locale())
    pattern = _day_pattern(identifier)
    if pattern is None:
        return format_skeleton(DAY_SKELETON, value, locale=_parsed(identifier))
    return pattern.apply(value, _parsed(identifier))


def format_moment(value, locale=None, zone=None):
    """A time and its day, in the organisation's time zone, as the reader writes them
    (``01/12/2026 06:24``, ``12/1/2026, 6:24 AM``). Empty for None."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        return format_day(value, locale, zone)
    locale = _locale(locale)
    moment = local_time(value, zone)
    day = format_skeleton(DAY_SKELETON, moment.date(), locale=locale)
    clock = format_time(moment, "short", tzinfo=moment.tzinfo, locale=locale)
    return locale.datetime_formats["short"].format(clock, day)


def format_clock(value, locale=None, zone=None):
    """The time of day alone, in the organisation's time zone (``06:24``, ``6:24 AM``)."""
    if value is None:
        return ""
    moment = local_time(value, zone)
    return format_time(moment, "short", tzinfo=moment.tzinfo, locale=_locale(locale))


def format_waited(since, now=None, locale=None):
    """How long since ``since``, in days or larger units (``3 days``, ``6 weeks``,
    ``3 jours``), for "waiting for ..."; empty when it is less than a day."""
    if since is None:
        return ""
    now = now or datetime.now(timezone.utc)
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    waited = now - since
    if waited.days < 1:
        return ""
    return format_timedelta(waited, granularity="day", threshold=2, locale=_locale(locale))


def zone_name():
    """The organisation's time zone as configured (``Europe/Paris``), for column headers."""
    return str(get_timezone())


def local_day(moment, zone=None):
    """The day ``moment`` (a UTC datetime) falls on in the organisation's time zone."""
    return local_time(moment, zone).date() if moment is not None else None


def working_days_between(start, end):
    """The weekdays (Monday to Friday) after ``start`` up to and including ``end``: how long
    someone has waited, a weekend not counting. Zero when ``end`` is not after ``start``.

    Holidays are not known to the tracker: they count as working days.
    """
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = start.weekday()
    for offset in range(1, rest + 1):
        if (weekday + offset) % 7 < 5:
            count += 1
    return count


def working_days_since(moment, today=None):
    """Working days from ``moment`` (a UTC datetime) to ``today`` (the organisation's
    today by default); 0 for None."""
    if moment is None:
        return 0
    today = today or local_day(datetime.now(timezone.utc))
    return working_days_between(local_day(moment), today)
