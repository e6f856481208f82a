"""The list's keyset cursors: a forged or altered one is a 400, never a 500."""

import base64
import json

import pytest


def _token(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize("query", [
    "after=" + _token({"after": 2**31, "sort": "2024-01-01T00:00:00+00:00"}),
    "before=" + _token({"after": 1, "sort": "0001-01-01T00:00:00+05:00"}),
    "after=" + _token({"after": 1}),
    "sort=title&after=" + _token({"after": 1, "sort": "a\u0000b"}),
    "sort=start_date&after=" + _token({"after": 1, "sort": "2024-13-01"}),
    "sort=title&before=" + _token({"after": 1, "sort": 12}),
    "after=" + _token(["2024-01-01T00:00:00", 1]),
    "after=" + "W" * 3000,
])
def test_forged_cursors_are_refused(client, login, org, query):
    login(org["admin"])
    assert client.get(f"/reports/applications?{query}").status_code == 400
    assert client.get(f"/reports/applications.csv?{query}").status_code == 400


def test_a_cursor_of_another_sort_is_refused(client, login, org, apps):
    """A created_at cursor carries a timestamp; under a date sort it names no position."""
    login(org["admin"])
    token = _token({"after": 1, "sort": "2024-01-01T10:00:00+00:00"})
    assert client.get(f"/reports/applications?sort=start_date&after={token}").status_code == 400
    assert client.get(f"/reports/applications?after={token}").status_code == 200
