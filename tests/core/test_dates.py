"""Days and times in the reader's language and in the organisation's time zone."""

from datetime import date, datetime, timezone

import pytest
from flask import render_template_string

from config import TestingConfig
from tracker import create_app
from tracker.core.dates import format_day, format_moment

# 05:24 UTC on 1 December is 06:24 in Paris (winter time).
MOMENT = datetime(2026, 12, 1, 5, 24, tzinfo=timezone.utc)


@pytest.mark.parametrize("locale,expected", [("fr", "01/12/2026"), ("en", "12/1/2026")])
def test_days_in_the_readers_order_with_four_digit_years(app, locale, expected):
    with app.test_request_context():
        assert format_day(date(2026, 12, 1), locale) == expected
        assert format_day(MOMENT, locale) == expected


@pytest.mark.parametrize("locale,expected", [
    ("fr", "01/12/2026 06:24"),
    ("en", "12/1/2026, 6:24\u202fAM"),
])
def test_times_in_the_organisations_zone(app, locale, expected):
    with app.test_request_context():
        assert format_moment(MOMENT, locale) == expected


def test_a_utc_evening_is_the_next_day_in_paris(app):
    with app.test_request_context():
        assert format_day(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc), "fr") == "01/01/2027"


def test_the_zone_comes_from_the_timezone_setting(tmp_path):
    other = create_app(TestingConfig, TIMEZONE="America/New_York",
                       SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.db'}",
                       UPLOAD_FOLDER=str(tmp_path))
    assert other.config["BABEL_DEFAULT_TIMEZONE"] == "America/New_York"
    with other.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string("{{ moment|datetime }}", moment=MOMENT) == "12/1/2026, 12:24\u202fAM"


def test_filters_follow_the_readers_language(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        html = render_template_string("{{ day|date }} · {{ moment|datetime }} · {{ none|date }}",
                                      day=date(2026, 3, 9), moment=MOMENT, none=None)
    assert html == "09/03/2026 · 01/12/2026 06:24 · "
