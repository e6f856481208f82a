"""Keyset cursors: what one encodes decodes back, and anything else is InvalidCursor."""

import base64
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from tracker.core.paging import MAX_ID, Cursor, InvalidCursor, decode_cursor, encode_cursor


def _token(data):
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("kind, value", [
    (None, None),
    (str, "Études à Köln: =1+1 \"quoted\""),
    (date, date(2031, 2, 28)),
    (datetime, datetime(2024, 3, 1, 12, 30, 15, 123456, tzinfo=timezone.utc)),
])
def test_round_trip(kind, value):
    token = encode_cursor(42, value)
    assert "=" not in token and "/" not in token and "+" not in token
    assert decode_cursor(token, kind) == Cursor(42, value)


def test_round_trip_of_the_largest_id_and_the_longest_title():
    title = "🧪" * 200
    assert decode_cursor(encode_cursor(MAX_ID, title), str) == Cursor(MAX_ID, title)


def test_a_moment_in_another_zone_comes_back_in_utc():
    paris = timezone(timedelta(hours=2))
    token = _token({"after": 1, "sort": "2024-06-01T14:00:00+02:00"})
    moment = decode_cursor(token, datetime).sort_value
    assert moment == datetime(2024, 6, 1, 14, tzinfo=paris)
    assert moment.tzinfo == timezone.utc
    naive = decode_cursor(_token({"after": 1, "sort": "2024-06-01T12:00:00"}), datetime)
    assert naive.sort_value == datetime(2024, 6, 1, 12, tzinfo=timezone.utc)


@pytest.mark.parametrize("token", [
    "", "not-a-cursor", "%%%", "x" * 5000, _token(b"\xff\xfe"), _token(b"[" * 3000),
    _token([]), _token([1]), _token("after"), _token({}), _token({"after": "1"}),
    _token({"after": True}), _token({"after": 0}), _token({"after": -5}),
    _token({"after": MAX_ID + 1}), _token({"after": 10**30}), _token({"after": 1.5}),
    _token({"after": 1, "sort": "x"}), _token({"after": 1, "extra": 2}),
])
def test_refused_without_a_sort(token):
    with pytest.raises(InvalidCursor):
        decode_cursor(token)


@pytest.mark.parametrize("kind, sort", [
    (str, None), (str, 3), (str, ["x"]), (str, "a\x00b"),
    (date, "2024-02-30"), (date, "yesterday"), (date, "2024-01-01T00:00"),
    (datetime, "soon"), (datetime, "0001-01-01T00:00:00+01:00"),
    (datetime, "9999-12-31T23:59:59-01:00"),
])
def test_refused_sort_values(kind, sort):
    with pytest.raises(InvalidCursor):
        decode_cursor(_token({"after": 1, "sort": sort}), kind)


def test_a_sorted_list_refuses_a_cursor_without_its_value():
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor(7), str)


# Numbered pages -----------------------------------------------------------------------------
@pytest.mark.parametrize("path", [
    "/applications/", "/notifications/", "/review/director", "/review/admin",
    "/admin/users", "/admin/laboratories", "/admin/programmes", "/notifications/undelivered",
])
@pytest.mark.parametrize("page", ["922337203685477580", "99999999999999999999", "-3", "0", "x"])
def test_any_page_number_is_a_page_never_an_error(client, login, make, path, page):
    """Out-of-range numbers are clamped: past the end is an empty page, not a 500."""
    admin = make.user(roles=("admin", "director"))
    login(admin)
    response = client.get(f"{path}?page={page}&endorse_page={page}")
    assert response.status_code == 200, (path, page)
