"""Restricted-zone units: set on the laboratory form and in the API, for units only, and
shown next to the unit on the laboratory and application pages."""

import pytest

from tests.conftest import post_form, sign_in
from tests.directory.helpers import error_of, page
from tracker.directory.models import Laboratory


def lab_form(**changes):
    data = {"name": "Laboratoire protégé", "acronym": "LPR", "kind": "unit",
            "institution": "Organisation", "city": "Lyon", "country": "FR",
            "director_email": "", "restricted_zone": "y"}
    data.update(changes)
    return data


def test_admin_marks_a_unit_restricted(client, admin, db):
    response = post_form(client, "/admin/laboratories/new", lab_form())
    assert response.status_code == 302
    lab = db.session.scalar(db.select(Laboratory).where(Laboratory.acronym == "LPR"))
    assert lab.restricted_zone is True
    listing = page(client.get("/admin/laboratories"))
    assert "Restricted-zone unit" in listing
    # Unticked: no longer restricted.
    data = lab_form()
    del data["restricted_zone"]
    post_form(client, f"/admin/laboratories/{lab.id}", data)
    db.session.expire_all()
    assert db.session.get(Laboratory, lab.id).restricted_zone is False


@pytest.mark.parametrize("kind,country", [("partner", "US"), ("joint_unit", "JP")])
def test_a_laboratory_abroad_cannot_be_restricted(client, admin, db, kind, country):
    response = post_form(client, "/admin/laboratories/new",
                         lab_form(kind=kind, country=country, name="Abroad"))
    assert response.status_code == 200
    assert "Only a unit of ours can be a restricted zone" in error_of(response, "restricted_zone")
    assert 'value="Abroad"' in page(response)  # nothing typed is lost
    assert db.session.scalar(db.select(Laboratory).where(Laboratory.name == "Abroad")) is None


def test_the_badge_shows_next_to_the_host_unit(app, make, db):
    unit = make.lab("unit", name="Protected Unit", restricted_zone=True)
    partner = make.lab("partner")
    visitor = make.user(lab=partner, nationality="CN")
    application = make.application(applicant=visitor, direction="incoming", host=unit, home=partner)
    client = app.test_client()
    sign_in(client, visitor)
    assert "Restricted-zone unit" in page(client.get(f"/applications/{application.id}"))
    assert "Restricted-zone unit" in page(client.get("/applications/"))
