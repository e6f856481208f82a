"""The agreements register: writes and their refusals, the suggested agreement, quotas."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tracker.agreements import services
from tracker.agreements.models import Agreement
from tracker.agreements.services import QuotaReached
from tracker.applications.models import Application
from tracker.applications.services import create_application, transition, update_application
from tracker.audit.models import AuditEntry
from tracker.core.errors import InvalidValues, NotAllowed

TODAY = date.today()


def values(people, **changes):
    return {"kind": "framework", "title": "Framework with Berlin", "reference": "FW-2027-01",
            "starts_on": TODAY - timedelta(days=10), "ends_on": TODAY + timedelta(days=700),
            "status": "in_force", "our_contact_name": "Ada Admin",
            "our_contact_email": "ada@example.org", "partner_contact_name": "Petra Partner",
            "partner_contact_email": "petra@example.de", "quota_stays": None,
            "quota_days": None, "quota_is_limit": False, "notes": "",
            "laboratory_ids": [people["unit"].id, people["partner"].id], **changes}


def refusal(people, actor=None, **changes):
    with pytest.raises(InvalidValues) as refused:
        services.save_agreement(Agreement(), actor or people["admin"], values(people, **changes))
    return refused.value.fields


def test_an_admin_records_an_agreement_and_the_audit_keeps_it(db, people):
    agreement = services.save_agreement(Agreement(), people["admin"], values(people))
    db.session.commit()

    assert [lab.acronym for lab in agreement.units] == ["UNIT"]
    assert [lab.acronym for lab in agreement.partners] == ["PART"]
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert (entry.subject_type, entry.action, entry.actor_id) == (
        "agreement", "create", people["admin"].id)
    assert entry.after["reference"] == "FW-2027-01"


def test_a_change_records_only_what_changed(db, people):
    agreement = services.save_agreement(Agreement(), people["admin"], values(people))
    services.save_agreement(agreement, people["admin"],
                            {**services.current_values(agreement), "status": "terminated"})
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.before, entry.after) == (
        "update", {"status": "in_force"}, {"status": "terminated"})


@pytest.mark.parametrize("role", ["researcher", "director"])
def test_only_admins_write(db, people, role):
    with pytest.raises(NotAllowed):
        services.save_agreement(Agreement(), people[role], values(people))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 0


@pytest.mark.parametrize("changes, field", [
    ({"ends_on": TODAY - timedelta(days=20)}, "ends_on"),
    ({"starts_on": None}, "starts_on"),
    ({"title": "  "}, "title"),
    ({"kind": "treaty"}, "kind"),
    ({"status": "expired"}, "status"),
    ({"status": "signed"}, "status"),
    ({"quota_stays": -1}, "quota_stays"),
    ({"quota_days": -5}, "quota_days"),
    ({"quota_is_limit": True}, "quota_is_limit"),
    ({"our_contact_email": "not an address"}, "our_contact_email"),
    ({"laboratory_ids": [999999]}, "laboratory_ids"),
    ({"laboratory_ids": []}, "laboratory_ids"),
    ({"kind": "joint_unit"}, "laboratory_ids"),
])
def test_values_are_refused_field_by_field(db, people, changes, field):
    assert field in refusal(people, **changes)


def test_each_side_is_needed(db, people):
    assert "laboratory_ids" in refusal(people, laboratory_ids=[people["unit"].id])
    assert "laboratory_ids" in refusal(people, laboratory_ids=[people["partner"].id])


def test_a_reference_is_unique(db, people):
    services.save_agreement(Agreement(), people["admin"], values(people))
    assert "reference" in refusal(people)


def test_status_reads_expired_after_the_last_day(make, people):
    agreement = make.agreement([people["unit"], people["partner"]],
                               starts_on=TODAY - timedelta(days=400),
                               ends_on=TODAY - timedelta(days=1))
    assert agreement.status_on(TODAY) == "expired"
    assert agreement.status_on(TODAY - timedelta(days=1)) == "in_force"
    listed = services.agreements_query(status="expired").limit(5)
    assert [row.id for row in services.db.session.scalars(listed)] == [agreement.id]


def draft_data(people, **changes):
    start = TODAY + timedelta(days=40)
    return {"programme_id": people["programme"].id, "home_laboratory_id": people["unit"].id,
            "host_laboratory_id": people["partner"].id, "title": "Stay in Berlin",
            "purpose": "conference", "start_date": start,
            "end_date": start + timedelta(days=4), "requested_amount": "100.00", **changes}


def test_a_draft_falls_under_the_agreement_covering_both_laboratories(db, make, people):
    agreement = make.agreement([people["unit"], people["partner"]])
    make.agreement([people["other_unit"], people["partner"]])  # not the applicant's unit
    draft = create_application(people["researcher"], "outgoing", draft_data(people))
    assert draft.agreement_id == agreement.id
    assert not services.lacks_agreement(draft)


def test_no_agreement_once_the_dates_fall_outside_it(db, make, people):
    make.agreement([people["unit"], people["partner"]], ends_on=TODAY + timedelta(days=100))
    draft = create_application(people["researcher"], "outgoing", draft_data(people))
    later = TODAY + timedelta(days=200)
    update_application(draft, people["researcher"],
                       {"start_date": later, "end_date": later + timedelta(days=3)},
                       draft.version)
    assert draft.agreement_id is None
    assert services.lacks_agreement(draft)


@pytest.mark.parametrize("status", ["draft", "terminated"])
def test_drafts_and_terminated_agreements_cover_nothing(db, make, people, status):
    make.agreement([people["unit"], people["partner"]], status=status)
    draft = create_application(people["researcher"], "outgoing", draft_data(people))
    assert draft.agreement_id is None
    assert services.lacks_agreement(draft)


def approve(make, people, agreement, days=5, start=None):
    start = start or TODAY + timedelta(days=30)
    application = make.application(
        applicant=people["researcher"], status="endorsed", host=people["partner"],
        programme=people["programme"], agreement_id=agreement.id, start_date=start,
        end_date=start + timedelta(days=days - 1))
    return transition(application, "approve", people["admin"],
                      version=application.version, awarded_amount="100.00")


def test_a_quota_of_stays_set_as_a_limit_refuses_the_one_too_many(db, make, people):
    agreement = make.agreement([people["unit"], people["partner"]], quota_stays=2,
                               quota_is_limit=True)
    approve(make, people, agreement)
    approve(make, people, agreement)
    with pytest.raises(QuotaReached):
        approve(make, people, agreement)
    db.session.rollback()
    # Another year has a quota of its own.
    later = date(TODAY.year + 2, 3, 1)
    approve(make, people, agreement, start=later)
    use = services.quota_use(agreement, later.year)
    assert (use.stays, use.days) == (1, 5)


def test_a_quota_of_days_counts_each_stay_s_days(db, make, people):
    agreement = make.agreement([people["unit"], people["partner"]], quota_days=12,
                               quota_is_limit=True)
    approve(make, people, agreement, days=10)
    with pytest.raises(QuotaReached):
        approve(make, people, agreement, days=3)
    db.session.rollback()
    approve(make, people, agreement, days=2)


def test_an_indicative_quota_never_refuses(db, make, people):
    agreement = make.agreement([people["unit"], people["partner"]], quota_stays=1)
    approve(make, people, agreement)
    approve(make, people, agreement)
    stays = services.quota_use(agreement, (TODAY + timedelta(days=30)).year).stays
    assert stays == 2


def test_deleting_an_agreement_unlinks_its_stays(db, make, people):
    agreement = make.agreement([people["unit"], people["partner"]])
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   agreement_id=agreement.id)
    services.delete_agreement(agreement, people["admin"])
    db.session.commit()
    assert db.session.get(Application, application.id).agreement_id is None
    assert db.session.scalars(sa.select(AuditEntry.action)).all() == ["delete"]


def test_expiring_agreements_are_those_in_force_ending_within_six_months(db, make, people):
    soon = make.agreement([people["unit"], people["partner"]],
                          ends_on=TODAY + timedelta(days=90))
    make.agreement([people["unit"], people["partner"]], ends_on=TODAY + timedelta(days=400))
    make.agreement([people["unit"], people["partner"]], ends_on=TODAY - timedelta(days=3))
    make.agreement([people["unit"], people["partner"]], status="terminated",
                   ends_on=TODAY + timedelta(days=30))
    assert [row.id for row in services.expiring_agreements()] == [soon.id]
