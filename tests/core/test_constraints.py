"""The database itself refuses bad rows, whatever code writes them (both databases)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from config import TestingConfig
from tracker import create_app
from tracker.auth.models import User, UserRole
from tracker.directory.models import Laboratory, ProgrammeCategory
from tracker.extensions import db as _db

MISSING_ID = 987654


def user_row(email="row@example.org", **fields):
    """A User written directly, bypassing ``create_user`` and its normalisation."""
    values = dict(full_name="Row", nationality="FR", category="researcher", password_hash="x")
    values.update(fields)
    return User(email=email, **values)


def add(db, *rows):
    db.session.add_all(rows)
    db.session.commit()


# Each case writes one bad row; the database must refuse it.
def email_not_lower_case(make, db):
    add(db, user_row(email="Mixed.Case@example.org"))


def duplicate_email(make, db):
    make.user(email="twice@example.org")
    add(db, user_row(email="twice@example.org"))


def unknown_category(make, db):
    add(db, user_row(category="astronaut"))


def nationality_not_alpha2(make, db):
    add(db, user_row(nationality="F"))


def unknown_role(make, db):
    user = make.user()
    add(db, UserRole(user_id=user.id, role="superuser"))


def unknown_programme_category(make, db):
    programme = make.programme()
    add(db, ProgrammeCategory(programme_id=programme.id, category="astronaut"))


def unknown_lab_kind(make, db):
    add(db, Laboratory(name="Odd", kind="institute", country="US"))


def unit_outside_france(make, db):
    make.lab("unit", country="US")


def partner_in_france(make, db):
    make.lab("partner", country="FR")


def joint_unit_in_france(make, db):
    make.lab("joint_unit", country="FR")


def partner_with_director(make, db):
    make.lab("partner", director=make.user())


def programme_closes_before_it_opens(make, db):
    today = date.today()
    make.programme(opens_on=today, closes_on=today - timedelta(days=1))


def programme_min_days_above_max_days(make, db):
    make.programme(min_days=40, max_days=30)


def programme_min_days_below_one(make, db):
    make.programme(min_days=0)


def programme_negative_budget(make, db):
    make.programme(budget=Decimal("-0.01"))


def unknown_programme_direction(make, db):
    make.programme(direction="sideways")


def application_ends_before_it_starts(make, db):
    start = date.today() + timedelta(days=30)
    make.application(start_date=start, end_date=start - timedelta(days=1))


def application_negative_requested_amount(make, db):
    make.application(requested_amount=Decimal("-1.00"))


def application_negative_awarded_amount(make, db):
    make.application(status="approved", awarded_amount=Decimal("-1.00"))


def application_unknown_status(make, db):
    make.application(status="pending")


def application_unknown_purpose(make, db):
    make.application(purpose="holidays")


def application_same_home_and_host(make, db):
    lab = make.lab("unit")
    applicant = make.user(lab=lab)
    make.application(applicant=applicant, home=lab, host=lab)


def application_duplicate_reference(make, db):
    first = make.application()
    make.application(reference=first.reference)


def foreign_key_to_missing_laboratory(make, db):
    add(db, user_row(home_laboratory_id=MISSING_ID))


def foreign_key_to_missing_user(make, db):
    add(db, UserRole(user_id=MISSING_ID, role="researcher"))


def foreign_key_to_missing_director(make, db):
    add(db, Laboratory(name="Orphan", kind="unit", country="FR", director_id=MISSING_ID))


BAD_ROWS = [
    email_not_lower_case,
    duplicate_email,
    unknown_category,
    nationality_not_alpha2,
    unknown_role,
    unknown_programme_category,
    unknown_lab_kind,
    unit_outside_france,
    partner_in_france,
    joint_unit_in_france,
    partner_with_director,
    programme_closes_before_it_opens,
    programme_min_days_above_max_days,
    programme_min_days_below_one,
    programme_negative_budget,
    unknown_programme_direction,
    application_ends_before_it_starts,
    application_negative_requested_amount,
    application_negative_awarded_amount,
    application_unknown_status,
    application_unknown_purpose,
    application_same_home_and_host,
    application_duplicate_reference,
    foreign_key_to_missing_laboratory,
    foreign_key_to_missing_user,
    foreign_key_to_missing_director,
]


@pytest.mark.parametrize("write_bad_row", BAD_ROWS, ids=lambda case: case.__name__)
def test_database_refuses_bad_rows(make, db, write_bad_row):
    with pytest.raises(IntegrityError):
        write_bad_row(make, db)
    db.session.rollback()


def test_the_factories_write_valid_rows(make, db):
    """The cases above fail for the one bad value they set, not for a broken default."""
    director = make.user()
    make.lab("unit", director=director)
    make.lab("joint_unit", country="JP", director=make.user())
    make.lab("partner", country="DE")
    make.application(status="approved", awarded_amount=Decimal("0.00"))
    add(db, user_row(email="lower.case@example.org"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Laboratory)) >= 3


def test_a_fresh_app_enforces_foreign_keys(database_uri):
    """On a new app and engine, so this proves the app's own connection setup (SQLite needs
    PRAGMA foreign_keys on every connection), not a test fixture."""
    fresh = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_uri)
    with fresh.app_context():
        try:
            with _db.engine.connect() as connection:
                with pytest.raises(IntegrityError):
                    connection.execute(
                        sa.insert(UserRole).values(user_id=MISSING_ID, role="researcher")
                    )
                connection.rollback()
        finally:
            _db.engine.dispose()
