"""The requirement rules page: listed in words, added, edited, switched off and on; never
deleted; refused values shown next to their fields with nothing lost."""

import sqlalchemy as sa

from tests.conftest import post_form, sign_in
from tests.directory.helpers import checked, error_of, input_value, page, table_rows
from tracker.applications.models import RequirementRule


def rule_form(**changes):
    data = {
        "code": "visa_needed",
        "name": "Long stays need a visa",
        "direction": "incoming",
        "min_days": "91",
        "min_risk_level": "",
        "non_eu_national": "y",
        "purposes": ["research_stay", "secondment"],
        "document_kind": "visa",
        "opinion_kind": "",
        "blocks": "approve",
        "active": "y",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def rules(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(RequirementRule).order_by(RequirementRule.id)).all()


def test_the_list_says_each_rule_in_words(client, admin, make):
    make.rule()
    make.rule(code="security_opinion", name="Outgoing to orange or red", direction="outgoing",
              min_days=None, purposes="", min_risk_level="orange", document_kind=None,
              opinion_kind="security", blocks="approve")
    response = client.get("/admin/rules")
    assert response.status_code == 200
    rows = {row[0].split()[0]: row for row in table_rows(response)}
    outgoing = next(row for row in table_rows(response) if "Outgoing to orange" in row[0])
    assert "to a country at orange or above" in outgoing[1]
    assert outgoing[2] == "Security opinion, not unfavourable, before approval"
    letter = next(row for row in table_rows(response) if "Research stay" in row[0])
    assert "lasting 31 days or more" in letter[1] and "Research stay" in letter[1]
    assert letter[2] == "a document: Invitation letter, before submission"
    assert rows


def test_empty_state(client, admin):
    assert "There are no rules" in page(client.get("/admin/rules"))


def test_admin_adds_a_rule(client, admin, db):
    response = post_form(client, "/admin/rules/new", rule_form())
    assert response.status_code == 302
    (rule,) = rules(db)
    assert (rule.code, rule.direction, rule.min_days, rule.document_kind, rule.opinion_kind) == (
        "visa_needed", "incoming", 91, "visa", None)
    assert rule.non_eu_national and not rule.host_restricted and rule.active
    assert rule.purposes == "research_stay,secondment"
    assert "Long stays need a visa" in page(client.get("/admin/rules"))


def test_admin_edits_a_rule_and_the_form_shows_its_values(client, admin, make, db):
    rule = make.rule()
    form = client.get(f"/admin/rules/{rule.id}")
    assert input_value(form, "code") == "invitation_letter"
    assert checked(form, "purposes") == ["research_stay"]
    response = post_form(client, f"/admin/rules/{rule.id}",
                         rule_form(code="invitation_letter", purposes=None, direction="",
                                   min_days="", document_kind="", opinion_kind="host"))
    assert response.status_code == 302
    (rule,) = rules(db)
    assert (rule.direction, rule.min_days, rule.purposes, rule.document_kind,
            rule.opinion_kind) == (None, None, "", None, "host")


def test_refusals_are_shown_next_to_their_fields_and_nothing_is_lost(client, admin, db):
    response = post_form(client, "/admin/rules/new", rule_form(
        code="Bad Code!", min_days="0", document_kind="visa", opinion_kind="security"))
    assert response.status_code == 200
    assert "lowercase letters" in error_of(response, "code")
    assert error_of(response, "min_days")
    assert "exactly one thing" in error_of(response, "document_kind")
    assert input_value(response, "code") == "Bad Code!"
    assert input_value(response, "name") == "Long stays need a visa"
    assert checked(response, "purposes") == ["research_stay", "secondment"]
    # Neither a document nor an opinion.
    response = post_form(client, "/admin/rules/new", rule_form(document_kind="", opinion_kind=""))
    assert "exactly one thing" in error_of(response, "document_kind")
    # A purpose that is not one.
    response = post_form(client, "/admin/rules/new", rule_form(purposes=["holidays"]))
    assert error_of(response, "purposes")
    assert rules(db) == []


def test_switch_off_and_on_never_deletes(client, admin, make, db):
    rule = make.rule()
    response = post_form(client, f"/admin/rules/{rule.id}/switch", {}, page="/admin/rules")
    assert response.status_code == 302
    assert rules(db)[0].active is False
    assert "Switch on" in page(client.get("/admin/rules"))
    post_form(client, f"/admin/rules/{rule.id}/switch", {}, page="/admin/rules")
    assert rules(db)[0].active is True
    # Without the CSRF token nothing changes.
    assert client.post(f"/admin/rules/{rule.id}/switch").status_code == 400
    assert rules(db)[0].active is True


def test_only_admins(app, make, db):
    rule = make.rule()
    for user in (make.user(), make.director_of(make.lab("unit")),
                 make.user(roles=("security_officer",))):
        client = app.test_client()
        sign_in(client, user)
        assert client.get("/admin/rules").status_code == 403
        assert post_form(client, f"/admin/rules/{rule.id}/switch", {},
                         page="/auth/password").status_code == 403
    assert rules(db)[0].active is True
    assert app.test_client().get(f"/admin/rules/{rule.id}").status_code == 302


def test_unknown_rule_is_404(client, admin):
    assert client.get("/admin/rules/999999").status_code == 404
