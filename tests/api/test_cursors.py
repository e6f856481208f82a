"""GET /api/v1/applications?cursor=: a cursor the API did not hand out is a 422, never a 500."""

import base64
import json

import pytest

from tests.api.conftest import assert_error


def _token(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize("after", [2**31, 2**31 + 1, 2**63, 10**30, 0, -1, True, "5", None])
def test_forged_ids_are_422_naming_cursor(api, org, after):
    response = api.get(f"/api/v1/applications?cursor={_token({'after': after})}", org.admin)
    error = assert_error(response, 422, "invalid")
    assert "cursor" in error["fields"]


@pytest.mark.parametrize("cursor", [_token([1]), _token({"after": 3, "sort": "x"}),
                                    "W" * 200, "%FF%FE"])
def test_malformed_cursors_are_422_naming_cursor(api, org, cursor):
    error = assert_error(api.get(f"/api/v1/applications?cursor={cursor}", org.admin), 422)
    assert "cursor" in error["fields"]


def test_the_largest_id_pages_from_the_top(api, make, org):
    application = make.application(applicant=org.researcher, host=org.partner)
    body = api.get(f"/api/v1/applications?cursor={_token({'after': 2**31 - 1})}",
                   org.admin).get_json()
    assert [item["id"] for item in body["items"]] == [application.id]
