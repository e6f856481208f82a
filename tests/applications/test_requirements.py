"""Requirements (docs/rules.md, Requirements and opinions): which rules apply, written in
Python and in SQL alike; the steps they block in ``transition()``; opinions and who gives
them."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.requirement_world import (
    as_unit_mission,
    build_world,
    incoming,
    opinion,
    outgoing,
    set_risk,
)
from tracker.applications.models import (
    Application,
    Document,
    Event,
    RequirementRule,
    applying_rules_sql,
    destination_risk_level,
    rule_applies,
)
from tracker.applications.opinions import give_opinion
from tracker.applications.requirements import check_step, requirements_of
from tracker.applications.services import transition
from tracker.applications.workflow import InvalidTransition, RequirementsUnmet
from tracker.core.errors import InvalidValues, NotAllowed
from tracker.notifications.models import Notification


@pytest.fixture
def w(make):
    return build_world(make)


def codes(application):
    return sorted((r.code, r.blocks, r.met) for r in requirements_of(application))


# Which rules apply -------------------------------------------------------------------------
def test_the_default_rules_each_apply_where_docs_say(make, w):
    assert codes(outgoing(make, w, w["partner_de"])) == []
    assert codes(outgoing(make, w, w["partner_ml"])) == [("security_opinion", "approve", False)]
    set_risk("DE", "orange")
    assert codes(outgoing(make, w, w["partner_de"])) == [("security_opinion", "approve", False)]
    set_risk("DE", "yellow")
    assert codes(outgoing(make, w, w["partner_de"])) == []
    assert codes(outgoing(make, w, w["joint"])) == [("host_opinion", "approve", False)]
    # Research stays and secondments over 30 days need an invitation letter before submit.
    assert codes(outgoing(make, w, w["partner_de"], days=31)) == [
        ("invitation_letter", "submit", False)]
    assert codes(outgoing(make, w, w["partner_de"], days=30)) == []
    assert codes(outgoing(make, w, w["partner_de"], days=60, purpose="conference")) == []
    assert codes(outgoing(make, w, w["partner_de"], days=60, purpose="secondment")) == [
        ("invitation_letter", "submit", False)]
    # Incoming: a non-European national in a restricted unit; over 90 days a hosting agreement.
    assert codes(incoming(make, w, w["restricted"])) == [("security_opinion", "approve", False)]
    assert codes(incoming(make, w, w["unit"])) == []
    assert codes(incoming(make, w, w["unit"], days=91, purpose="conference")) == [
        ("host_agreement", "approve", False)]
    assert codes(incoming(make, w, w["unit"], days=90, purpose="conference")) == []
    german = make.user(lab=w["partner_de"], nationality="DE")
    assert codes(incoming(make, w, w["restricted"], days=200, purpose="conference",
                          applicant=german)) == []


def test_a_joint_unit_directed_by_the_applicant_asks_no_host_opinion(make, w):
    application = outgoing(make, w, w["joint"], applicant=w["host"])
    assert codes(application) == []


def test_reasons_say_why_in_words(make, w):
    red = requirements_of(outgoing(make, w, w["partner_ml"]))[0]
    assert "Destination Mali is at red" in red.reason
    restricted = requirements_of(incoming(make, w, w["restricted"], days=120))
    reasons = " ".join(requirement.reason for requirement in restricted)
    assert "Nationality: Brazil (outside the EU, the EEA and Switzerland)" in reasons
    assert "Stay of 120 days" in reasons
    assert "restricted zone" in reasons


def test_an_inactive_rule_applies_nowhere(make, w, db):
    db.session.execute(sa.update(RequirementRule).values(active=False))
    db.session.commit()
    assert codes(outgoing(make, w, w["partner_ml"], days=60)) == []


def test_met_when_the_document_is_there_or_the_latest_opinion_is_not_unfavourable(make, w):
    application = incoming(make, w, w["restricted"], days=120, purpose="conference")
    assert codes(application) == [("host_agreement", "approve", False),
                                  ("security_opinion", "approve", False)]
    make.document(application, kind="host_agreement", name="agreement.pdf")
    opinion(application, "security", "unfavourable", w["security"], "No.")
    assert codes(application) == [("host_agreement", "approve", True),
                                  ("security_opinion", "approve", False)]
    opinion(application, "security", "favourable_with_conditions", w["security"], "Escort.")
    assert codes(application) == [("host_agreement", "approve", True),
                                  ("security_opinion", "approve", True)]
    opinion(application, "security", "unfavourable", w["security"], "Changed my mind.")
    assert codes(application) == [("host_agreement", "approve", True),
                                  ("security_opinion", "approve", False)]


# Python and SQL agree ----------------------------------------------------------------------
def test_python_and_sql_agree_on_every_rule_and_application(make, w, db):
    # More rules than the defaults, to exercise every condition alone and together.
    extra = [
        RequirementRule(code="visa", name="Yellow and over", min_risk_level="yellow",
                        document_kind="visa", blocks="approve"),
        RequirementRule(code="insurance", name="Fieldwork", purposes="fieldwork,teaching",
                        document_kind="insurance", blocks="submit"),
        RequirementRule(code="long", name="Long", min_days=365, opinion_kind="security",
                        blocks="approve"),
        RequirementRule(code="restricted_any", name="Restricted", host_restricted=True,
                        opinion_kind="security", blocks="submit"),
        RequirementRule(code="foreign", name="Foreign", non_eu_national=True,
                        document_kind="cv", blocks="submit"),
        RequirementRule(code="joint", name="Joint", host_joint_unit_director=True,
                        document_kind="other", blocks="approve"),
    ]
    db.session.add_all(extra)
    db.session.commit()
    nobody = make.user(lab=w["partner_br"], nationality="no")  # Norway, written in lower case
    applications = [
        outgoing(make, w, w["partner_de"]),
        outgoing(make, w, w["partner_ml"], days=400, purpose="fieldwork"),
        outgoing(make, w, w["partner_br"], days=31, purpose="teaching"),
        outgoing(make, w, w["joint"], days=365, purpose="secondment"),
        outgoing(make, w, w["joint"], applicant=w["host"]),
        incoming(make, w, w["restricted"], days=91),
        incoming(make, w, w["restricted"], days=10, purpose="conference",
                 applicant=make.user(lab=w["partner_de"], nationality="CH")),
        incoming(make, w, w["unit"], days=1000, purpose="training"),
        incoming(make, w, w["unit"], days=90, applicant=nobody),
    ]
    dialect = db.session.get_bind().dialect.name
    rules = db.session.scalars(sa.select(RequirementRule).order_by(RequirementRule.id)).all()
    assert len(rules) == 11
    for application in applications:
        risk = destination_risk_level(application)
        in_python = {rule.id for rule in rules if rule_applies(rule, application, risk)}
        in_sql = {
            rule.id for rule in rules
            if db.session.scalar(
                sa.select(Application.id).where(
                    Application.id == application.id,
                    applying_rules_sql(dialect, lambda alias, rule_id=rule.id:
                                       alias.id == rule_id).exists(),
                )
            ) is not None
        }
        assert in_python == in_sql, (application.title, in_python, in_sql)
    # The variety is real: every rule applies somewhere, and nowhere applies everything.
    for rule in rules:
        assert any(rule_applies(rule, a, destination_risk_level(a)) for a in applications), rule
    assert not any(all(rule_applies(rule, a, destination_risk_level(a)) for rule in rules)
                   for a in applications)


# Enforcement in transition() ---------------------------------------------------------------
def test_submit_waits_for_the_invitation_letter_of_a_long_research_stay(make, w):
    application = outgoing(make, w, w["partner_de"], status="draft", days=45)
    with pytest.raises(RequirementsUnmet) as refused:
        transition(application, "submit", w["researcher"], version=application.version)
    assert refused.value.status == 409 and refused.value.code == "requirements_unmet"
    assert [r["code"] for r in refused.value.requirements] == ["invitation_letter"]
    make.document(application, kind="invitation_letter", name="letter.pdf")
    transition(application, "submit", w["researcher"], version=application.version)
    assert application.status == "submitted"


def test_the_order_holds_403_and_409_state_before_requirements(make, w):
    application = outgoing(make, w, w["partner_de"], status="draft", days=45)
    with pytest.raises(NotAllowed):
        transition(application, "submit", w["other"], version=application.version)
    with pytest.raises(InvalidTransition) as stale:
        transition(application, "submit", w["researcher"], version=application.version + 1)
    assert stale.value.code == "stale_version"


def test_approve_waits_for_the_security_opinion_then_goes(make, w, db):
    application = outgoing(make, w, w["partner_ml"], status="endorsed")
    with pytest.raises(RequirementsUnmet) as refused:
        transition(application, "approve", w["admin"], version=application.version,
                   awarded_amount="1000.00")
    assert refused.value.requirements[0]["opinion_kind"] == "security"
    assert refused.value.requirements[0]["met"] is False
    # The refusal comes before the values: a bad amount is not what is reported.
    with pytest.raises(RequirementsUnmet):
        transition(application, "approve", w["admin"], version=application.version,
                   awarded_amount="-1")
    db.session.rollback()
    give_opinion(application, w["security"], "security", "favourable", "")
    db.session.commit()
    transition(application, "approve", w["admin"], version=application.version,
               awarded_amount="1000.00")
    assert application.status == "approved"


def test_approve_waits_for_the_hosting_agreement(make, w, db):
    application = incoming(make, w, w["unit"], status="endorsed", days=120,
                           purpose="conference")
    with pytest.raises(RequirementsUnmet):
        transition(application, "approve", w["admin"], version=application.version,
                   awarded_amount="10.00")
    # The applicant attaches documents while editable only: the row is written directly.
    db.session.add(Document(application_id=application.id, kind="host_agreement",
                            original_name="a.pdf", stored_name="x-agreement", size=1,
                            content_type="application/pdf", sha256="0" * 64,
                            uploader_id=application.applicant_id))
    db.session.commit()
    db.session.refresh(application)
    transition(application, "approve", w["admin"], version=application.version,
               awarded_amount="10.00")
    assert application.status == "approved"


def test_an_unfavourable_opinion_leaves_only_return_decline_reject(make, w, db):
    submitted = outgoing(make, w, w["partner_ml"], status="submitted")
    opinion(submitted, "security", "unfavourable", w["security"], "Too dangerous.")
    with pytest.raises(RequirementsUnmet) as refused:
        transition(submitted, "endorse", w["director"], version=submitted.version)
    assert refused.value.requirements[0]["code"] == "security_opinion"
    transition(submitted, "decline", w["director"], comment="Security said no.",
               version=submitted.version)
    assert submitted.status == "declined"

    endorsed = outgoing(make, w, w["partner_ml"], status="endorsed")
    opinion(endorsed, "security", "unfavourable", w["security"], "Too dangerous.")
    with pytest.raises(RequirementsUnmet):
        transition(endorsed, "approve", w["admin"], version=endorsed.version,
                   awarded_amount="1.00")
    transition(endorsed, "reject", w["admin"], comment="Security said no.",
               version=endorsed.version)
    assert endorsed.status == "rejected"

    returned = outgoing(make, w, w["partner_ml"], status="submitted")
    opinion(returned, "security", "unfavourable", w["security"], "Not these dates.")
    transition(returned, "return", w["director"], comment="Change the dates.",
               version=returned.version)
    assert returned.status == "returned"

    withdrawn = outgoing(make, w, w["partner_ml"], status="submitted")
    opinion(withdrawn, "security", "unfavourable", w["security"], "No.")
    transition(withdrawn, "withdraw", w["researcher"], version=withdrawn.version)
    assert withdrawn.status == "withdrawn"


def test_an_opinion_nobody_asks_for_bars_nothing(make, w):
    application = outgoing(make, w, w["partner_de"], status="submitted")
    opinion(application, "security", "unfavourable", w["security"], "Stray.")
    check_step(application, "endorse")  # no rule asks for it here: nothing raised


def test_a_unit_mission_to_a_red_country_waits_for_a_favourable_security_opinion(make, w, db):
    mission = as_unit_mission(outgoing(make, w, w["partner_ml"], status="submitted"))
    assert mission.programme_id is None
    with pytest.raises(RequirementsUnmet):
        transition(mission, "approve", w["director"], version=mission.version,
                   awarded_amount="800.00")
    db.session.rollback()
    opinion(mission, "security", "unfavourable", w["security"], "No.")
    with pytest.raises(RequirementsUnmet):
        transition(mission, "approve", w["director"], version=mission.version,
                   awarded_amount="800.00")
    db.session.rollback()
    opinion(mission, "security", "favourable", w["security"], "")
    transition(mission, "approve", w["director"], version=mission.version,
               awarded_amount="800.00")
    db.session.commit()
    assert mission.status == "approved"


# Opinions ----------------------------------------------------------------------------------
def test_giving_an_opinion_writes_it_one_event_and_tells_who_acts_next(make, w, db):
    application = outgoing(make, w, w["partner_ml"], status="submitted")
    version = application.version
    given = give_opinion(application, w["security"], "security", "favourable_with_conditions",
                         "  Travel with an escort.  ")
    db.session.commit()
    assert (given.kind, given.verdict, given.comment, given.author_id) == (
        "security", "favourable_with_conditions", "Travel with an escort.", w["security"].id)
    events = db.session.scalars(
        sa.select(Event).where(Event.application_id == application.id)).all()
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("opinion", "submitted", "submitted")]
    assert events[0].comment == "Favourable with conditions: Travel with an escort."
    told = sorted(db.session.scalars(
        sa.select(Notification.user_id).where(Notification.application_id == application.id)))
    assert told == sorted([w["director"].id, w["researcher"].id])
    assert application.version == version  # an opinion is not an edit of the application

    endorsed = outgoing(make, w, w["partner_ml"], status="endorsed")
    give_opinion(endorsed, w["security"], "security", "favourable")
    db.session.commit()
    told = sorted(db.session.scalars(
        sa.select(Notification.user_id).where(Notification.application_id == endorsed.id)))
    assert told == sorted([w["admin"].id, w["researcher"].id])


def test_the_host_director_gives_the_host_opinion(make, w, db):
    application = outgoing(make, w, w["joint"], status="endorsed")
    with pytest.raises(RequirementsUnmet):
        transition(application, "approve", w["admin"], version=application.version,
                   awarded_amount="5.00")
    db.session.rollback()
    with pytest.raises(NotAllowed):
        give_opinion(application, w["security"], "host", "favourable")
    give_opinion(application, w["host"], "host", "favourable")
    db.session.commit()
    transition(application, "approve", w["admin"], version=application.version,
               awarded_amount="5.00")
    assert application.status == "approved"


def test_who_may_not_give_an_opinion(make, w, db):
    application = outgoing(make, w, w["partner_ml"], status="submitted")
    for person in ("researcher", "director", "admin", "other", "host"):
        with pytest.raises(NotAllowed):
            give_opinion(application, w[person], "security", "favourable")
    # Never on one's own application.
    own = outgoing(make, w, w["partner_ml"], status="submitted", applicant=w["security"])
    with pytest.raises(NotAllowed):
        give_opinion(own, w["security"], "security", "favourable")


def test_an_opinion_only_when_asked_and_pending(make, w, db):
    not_asked = outgoing(make, w, w["partner_de"], status="submitted")
    with pytest.raises(InvalidTransition):
        give_opinion(not_asked, w["security"], "security", "favourable")
    for status in ("draft", "returned", "approved", "declined"):
        application = outgoing(make, w, w["partner_ml"], status=status)
        with pytest.raises(InvalidTransition):
            give_opinion(application, w["security"], "security", "favourable")
    # The host opinion is not asked on a stay to a partner.
    with pytest.raises(NotAllowed):
        give_opinion(not_asked, w["host"], "host", "favourable")


def test_a_comment_is_required_unless_favourable(make, w, db):
    application = outgoing(make, w, w["partner_ml"], status="submitted")
    for verdict in ("favourable_with_conditions", "unfavourable"):
        with pytest.raises(InvalidValues) as refused:
            give_opinion(application, w["security"], "security", verdict, "   ")
        assert set(refused.value.fields) == {"comment"}
    with pytest.raises(InvalidValues) as refused:
        give_opinion(application, w["security"], "security", "maybe", "Hmm")
    assert set(refused.value.fields) == {"verdict"}
    db.session.rollback()
    assert application.opinions == []


def test_a_later_opinion_supersedes_the_earlier(make, w, db):
    application = outgoing(make, w, w["partner_ml"], status="endorsed")
    give_opinion(application, w["security"], "security", "favourable")
    give_opinion(application, w["security"], "security", "unfavourable", "New information.")
    db.session.commit()
    with pytest.raises(RequirementsUnmet):
        check_step(application, "approve")
    give_opinion(application, w["security"], "security", "favourable_with_conditions",
                 "Escort.")
    db.session.commit()
    check_step(application, "approve")
    assert [o.verdict for o in application.opinions] == [
        "favourable", "unfavourable", "favourable_with_conditions"]


def test_dates_move_requirements_with_them(make, w):
    application = outgoing(make, w, w["partner_de"], status="draft", days=10,
                           start_date=date.today() + timedelta(days=5))
    assert codes(application) == []
    application.end_date = application.start_date + timedelta(days=40)
    assert codes(application) == [("invitation_letter", "submit", False)]
