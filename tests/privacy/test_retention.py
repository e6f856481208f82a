"""apply-retention: documents of long-finished applications and long-unused accounts go,
once; a dry run lists them and changes nothing."""

import os
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tracker.applications.models import Application, Document
from tracker.auth.models import User
from tracker.core.storage import storage
from tracker.extensions import db
from tracker.privacy.retention import apply_retention, plan, years_before

TODAY = date(2030, 6, 15)


def _age(model, row_id, column, when):
    db.session.execute(sa.update(model).where(model.id == row_id).values({column: when}))
    db.session.commit()


def _at(day):
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)


@pytest.fixture
def world(make):
    """Documents of an application finished six years before TODAY, of one finished four
    years before, and of one approved long ago and still running; an account unused for
    eleven years, one used a year ago, and an unused one abroad today."""
    unit, partner = make.lab("unit"), make.lab("partner")
    old_date = _at(TODAY - timedelta(days=6 * 366))
    applicant = make.user(lab=unit)
    finished_long_ago = make.application(applicant=applicant, host=partner, status="completed")
    finished_lately = make.application(applicant=applicant, host=partner, status="withdrawn")
    running = make.application(applicant=applicant, host=partner, status="approved")
    documents = {name: make.document(application, name=f"{name}.pdf")
                 for name, application in (("old", finished_long_ago),
                                           ("recent", finished_lately),
                                           ("running", running))}
    _age(Application, finished_long_ago.id, "updated_at", old_date)
    _age(Application, finished_lately.id, "updated_at", _at(TODAY - timedelta(days=4 * 365)))
    _age(Application, running.id, "updated_at", old_date)
    _age(User, applicant.id, "last_sign_in_at", _at(TODAY - timedelta(days=30)))

    long_ago = _at(TODAY - timedelta(days=11 * 366))
    unused = make.user(lab=unit, full_name="Unused Account")
    _age(User, unused.id, "created_at", long_ago)
    used = make.user(lab=unit)
    _age(User, used.id, "created_at", long_ago)
    _age(User, used.id, "last_sign_in_at", _at(TODAY - timedelta(days=365)))
    abroad = make.user(lab=unit)
    _age(User, abroad.id, "created_at", long_ago)
    stay = make.application(applicant=abroad, host=partner, status="approved",
                            start_date=TODAY - timedelta(days=5),
                            end_date=TODAY + timedelta(days=5))
    _age(Application, stay.id, "updated_at", long_ago)
    return {"documents": documents, "unused": unused, "used": used, "abroad": abroad,
            "applicant": applicant}


def test_a_dry_run_lists_and_changes_nothing(app, world):
    found = plan(TODAY)
    assert found.documents == [world["documents"]["old"].id]
    assert found.people == [world["unused"].id]
    result = app.test_cli_runner().invoke(args=["apply-retention", "--dry-run",
                                                "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 document(s), 1 person(s), 0 import file(s) and 0 job file(s) would be erased" in result.output
    assert f"Documents: {world['documents']['old'].id}" in result.output
    assert f"People: {world['unused'].id}" in result.output
    assert db.session.get(Document, world["documents"]["old"].id) is not None
    assert db.session.get(User, world["unused"].id).erased_at is None


def test_retention_erases_what_is_past_it_and_only_that(app, world):
    old_key = world["documents"]["old"].stored_name
    kept_keys = [world["documents"][name].stored_name for name in ("recent", "running")]
    result = app.test_cli_runner().invoke(args=["apply-retention", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 document(s), 1 person(s), 0 import file(s) and 0 job file(s) erased" in result.output
    db.session.expire_all()
    assert db.session.get(Document, world["documents"]["old"].id) is None
    assert not storage().exists(old_key)
    assert all(storage().exists(key) for key in kept_keys)
    assert db.session.get(User, world["unused"].id).full_name.startswith("Erased person ")
    for name in ("used", "abroad", "applicant"):
        assert db.session.get(User, world[name].id).erased_at is None, name


def test_a_second_run_does_nothing(app, world):
    first = apply_retention(TODAY)
    assert (len(first.documents), len(first.people)) == (1, 1)
    again = apply_retention(TODAY)
    assert (again.documents, again.people) == ([], [])


def test_the_periods_come_from_the_configuration(app, world):
    app.config["PERSON_RETENTION_YEARS"] = 20
    app.config["DOCUMENT_RETENTION_YEARS"] = 3
    try:
        found = plan(TODAY)
    finally:
        app.config["PERSON_RETENTION_YEARS"] = 10
        app.config["DOCUMENT_RETENTION_YEARS"] = 5
    assert found.people == []
    assert sorted(found.documents) == sorted([world["documents"]["old"].id,
                                              world["documents"]["recent"].id])


def test_a_bad_day_is_refused_by_the_command(app):
    result = app.test_cli_runner().invoke(args=["apply-retention", "--today", "2030-02-30"])
    assert result.exit_code == 2
    assert "Invalid value" in result.output


def test_years_before_a_29th_of_february():
    assert years_before(date(2028, 2, 29), 5) == _at(date(2023, 2, 28))


def test_signing_in_is_remembered(app, make):
    from tests.conftest import sign_in

    user = make.user()
    assert user.last_sign_in_at is None
    sign_in(app.test_client(), user)
    db.session.expire_all()
    assert db.session.get(User, user.id).last_sign_in_at is not None


def test_retention_removes_the_import_files_left_past_their_days(app, world):
    folder = os.path.join(app.config["UPLOAD_FOLDER"], "imports")
    os.makedirs(folder, exist_ok=True)
    old, fresh = os.path.join(folder, "old-upload.csv"), os.path.join(folder, "fresh.csv")
    for path in (old, fresh):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("email\nsomeone@example.org\n")
    eight_days_ago = datetime.now(timezone.utc).timestamp() - 8 * 86400
    os.utime(old, (eight_days_ago, eight_days_ago))

    dry = app.test_cli_runner().invoke(args=["apply-retention", "--dry-run",
                                             "--today", TODAY.isoformat()])
    assert "1 import file(s) and 0 job file(s) would be erased" in dry.output
    assert os.path.exists(old)
    result = app.test_cli_runner().invoke(args=["apply-retention", "--today", TODAY.isoformat()])
    assert "1 import file(s) and 0 job file(s) erased" in result.output
    assert not os.path.exists(old) and os.path.exists(fresh)
    os.remove(fresh)
