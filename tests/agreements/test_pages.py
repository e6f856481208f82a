"""The partnerships pages: the register, an agreement, the administrators' form, a joint
unit's page, and what the application page and the office's home page show of agreements."""

import re
from datetime import date, timedelta

import sqlalchemy as sa

from tests.conftest import post_form, sign_in
from tracker.agreements.models import Agreement
from tracker.extensions import db
from tracker.reports.worldmap import EMPTY_FILL

TODAY = date.today()


def form_data(people, **changes):
    return {"kind": "framework", "status": "in_force", "title": "Framework with Berlin",
            "reference": "FW-01", "starts_on": str(TODAY - timedelta(days=5)),
            "ends_on": str(TODAY + timedelta(days=900)),
            "laboratory_ids": [str(people["unit"].id), str(people["partner"].id)],
            "our_contact_name": "Ada", "our_contact_email": "ada@example.org",
            "partner_contact_name": "", "partner_contact_email": "", "quota_stays": "4",
            "quota_days": "", "notes": "", **changes}


def error_of(html, field):
    match = re.search(rf'id="{field}-error"[^>]*>\s*(.*?)\s*</div>', html, re.S)
    assert match, f"no error next to {field}"
    return match.group(1)


def test_an_admin_records_an_agreement_from_the_form(login, people):
    client = login(people["admin"])
    response = post_form(client, "/agreements/new", form_data(people))
    assert response.status_code == 302
    agreement = db.session.scalars(sa.select(Agreement)).one()
    assert (agreement.reference, agreement.quota_stays, agreement.quota_is_limit) == (
        "FW-01", 4, False)
    page = client.get(response.location).get_data(as_text=True)
    assert "FW-01" in page and "Stays: 0 of 4 used" in page


def test_the_form_puts_each_refusal_next_to_its_field(login, people):
    client = login(people["admin"])
    response = post_form(client, "/agreements/new", form_data(
        people, ends_on=str(TODAY - timedelta(days=30)), quota_stays="-2",
        laboratory_ids=[str(people["unit"].id)]), page="/agreements/new")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "before the first" in error_of(html, "ends_on")
    assert "0 to" in error_of(html, "quota_stays")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 0


def test_the_service_s_refusals_reach_the_form_too(login, people):
    client = login(people["admin"])
    response = post_form(client, "/agreements/new", form_data(
        people, laboratory_ids=[str(people["unit"].id)]), page="/agreements/new")
    assert response.status_code == 422
    assert "partner" in error_of(response.get_data(as_text=True), "laboratory_ids")


def test_everyone_signed_in_reads_the_register_but_only_admins_see_the_buttons(
        login, make, people):
    agreement = make.agreement([people["unit"], people["partner"]], title="Berlin framework")
    client = login(people["researcher"])
    listing = client.get("/agreements/").get_data(as_text=True)
    assert "Berlin framework" in listing and "Record an agreement" not in listing
    shown = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "Berlin framework" in shown and "/edit" not in shown
    assert client.get(f"/agreements/{agreement.id}/edit").status_code == 403


def test_the_register_filters_by_status(login, make, people):
    make.agreement([people["unit"], people["partner"]], title="Old one",
                   starts_on=TODAY - timedelta(days=900), ends_on=TODAY - timedelta(days=10))
    make.agreement([people["unit"], people["partner"]], title="Current one")
    client = login(people["researcher"])
    page = client.get("/agreements/?status=expired").get_data(as_text=True)
    assert "Old one" in page and "Current one" not in page
    # An unknown status is ignored rather than refused: the whole register shows.
    page = client.get("/agreements/?status=nonsense").get_data(as_text=True)
    assert "Old one" in page and "Current one" in page


def test_an_admin_deletes_an_agreement_after_confirming(login, make, people):
    agreement = make.agreement([people["unit"], people["partner"]])
    client = login(people["admin"])
    page = f"/agreements/{agreement.id}/delete"
    assert client.get(page).status_code == 200
    assert post_form(client, page, {}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 0


def other_client(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def test_a_joint_unit_s_page_shows_its_director_partners_term_and_stays(app, login, make,
                                                                        people):
    joint = make.lab("joint_unit", country="JP", acronym="JNT", name="Joint Tokyo")
    host = make.director_of(joint, full_name="Haru Host")
    make.agreement([people["unit"], people["partner"], joint], kind="joint_unit",
                   reference="UMI-7", starts_on=TODAY - timedelta(days=100),
                   ends_on=TODAY + timedelta(days=1000))
    planned = make.application(applicant=people["researcher"], host=joint,
                               programme=people["programme"], status="approved")
    client = login(people["researcher"])
    page = client.get(f"/agreements/joint-units/{joint.id}").get_data(as_text=True)
    assert host.full_name in page and "UMI-7" in page and "PART" in page
    assert planned.reference in page
    # Another researcher sees the unit, not someone else's stay.
    other = other_client(app, make.user(lab=people["unit"]))
    assert planned.reference not in other.get(
        f"/agreements/joint-units/{joint.id}").get_data(as_text=True)
    assert other.get(f"/agreements/joint-units/{people['partner'].id}").status_code == 404


def test_reviewers_see_the_agreement_and_its_quota_or_the_warning(app, login, make, people):
    agreement = make.agreement([people["unit"], people["partner"]], reference="FW-9",
                               quota_stays=3, quota_is_limit=True)
    covered = make.application(applicant=people["researcher"], host=people["partner"],
                               programme=people["programme"], status="submitted",
                               agreement_id=agreement.id)
    uncovered = make.application(applicant=people["researcher"],
                                 host=make.lab("partner", country="BR"),
                                 programme=people["programme"], status="submitted")
    client = login(people["director"])
    page = client.get(f"/applications/{covered.id}").get_data(as_text=True)
    assert "FW-9" in page and "Stays: 0 of 3 used" in page
    assert "No agreement in force" not in page
    page = client.get(f"/applications/{uncovered.id}").get_data(as_text=True)
    assert "No agreement in force with this partner" in page
    # The applicant is not worried with it.
    mine = other_client(app, people["researcher"]).get(f"/applications/{uncovered.id}")
    assert "No agreement in force" not in mine.get_data(as_text=True)


def test_an_approval_past_the_limit_is_refused_with_its_reason(login, make, people):
    agreement = make.agreement([people["unit"], people["partner"]], reference="FW-5",
                               quota_stays=0, quota_is_limit=True)
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   programme=people["programme"], status="endorsed",
                                   agreement_id=agreement.id)
    client = login(people["admin"])
    response = post_form(client, f"/applications/{application.id}/actions/approve",
                         {"approve-version": "1", "approve-comment": "",
                          "approve-awarded_amount": "100.00"},
                         page=f"/applications/{application.id}")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "FW-5 allows 0 stays" in page, re.findall(r"alert[^>]*>([^<]*)", page)
    db.session.expire_all()
    assert db.session.get(type(application), application.id).status == "endorsed"


def test_the_office_s_home_page_lists_agreements_expiring_soon(app, login, make, people):
    make.agreement([people["unit"], people["partner"]], reference="SOON-1",
                   ends_on=TODAY + timedelta(days=60))
    make.agreement([people["unit"], people["partner"]], reference="LATER-1",
                   ends_on=TODAY + timedelta(days=400))
    page = login(people["admin"]).get("/").get_data(as_text=True)
    assert "Agreements expiring within 6 months" in page
    assert "SOON-1" in page and "LATER-1" not in page
    researcher = other_client(app, people["researcher"])
    assert "SOON-1" not in researcher.get("/").get_data(as_text=True)


def test_the_register_maps_the_agreements_in_force_by_partner_country(login, make, people):
    make.agreement([people["unit"], people["partner"]], title="Berlin framework")
    kyoto = make.lab("partner", acronym="KYO", country="JP", city="Kyoto")
    make.agreement([people["unit"], kyoto], title="Ended with Kyoto",
                   starts_on=TODAY - timedelta(days=900), ends_on=TODAY - timedelta(days=10))
    page = login(people["researcher"]).get("/agreements/").get_data(as_text=True)
    germany = re.search(r'data-country="DE" fill="([^"]+)"', page).group(1)
    japan = re.search(r'data-country="JP" fill="([^"]+)"', page).group(1)
    assert germany != EMPTY_FILL and japan == EMPTY_FILL
    # The same number in the table beside the map, for screen readers.
    table = page[page.index('id="agreements-map"'):]
    assert re.search(r'<th scope="row">Germany</th><td class="text-end">1</td>', table)
    assert '<th scope="row">Japan</th>' not in table
