"""Command-line tools: the demo organisation and the first administrator."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import sign_in
from tests.requirement_world import seed_default_rules
from tracker.applications.models import RequirementRule
from tracker.auth.models import User
from tracker.auth.passwords import verify_password
from tracker.auth.services import user_by_email
from tracker.directory.models import Laboratory, Programme

DEMO_PASSWORD = "demo-password"
GOOD_PASSPHRASE = "granite lanterns drift over the harbour"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def seed(runner, db):
    if not count(db, RequirementRule):
        seed_default_rules()  # as a new database has them
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


# seed-demo -------------------------------------------------------------------------------
def test_seed_demo_creates_the_four_demo_accounts(runner, db):
    seed(runner, db)

    admin = user_by_email("admin@example.org")
    director = user_by_email("director@example.org")
    researcher = user_by_email("researcher@example.org")
    visitor = user_by_email("visitor@example.org")
    for user in (admin, director, researcher, visitor):
        assert user is not None and user.active
        assert verify_password(user.password_hash, DEMO_PASSWORD)

    assert "admin" in admin.roles
    assert "director" in director.roles and not director.is_admin
    assert researcher.roles == ["researcher"]
    assert visitor.roles == ["researcher"]

    (directed,) = director.directed_laboratories
    assert directed.kind == "unit"
    assert researcher.home_laboratory_id == directed.id
    assert visitor.home_laboratory.kind == "partner"
    assert visitor.home_laboratory.country != "FR"


def test_demo_accounts_sign_in_with_the_demo_password(client, runner, db):
    seed(runner, db)
    sign_in(client, user_by_email("researcher@example.org"), DEMO_PASSWORD)
    assert client.get("/auth/password").status_code == 200


def test_seed_demo_creates_laboratories_of_every_kind_in_the_named_countries(runner, db):
    seed(runner, db)

    labs = db.session.scalars(sa.select(Laboratory)).all()
    assert {lab.kind for lab in labs} == {"unit", "partner", "joint_unit"}
    assert {"FR", "US", "DE", "GB", "JP"} <= {lab.country for lab in labs}
    assert all(lab.country == "FR" for lab in labs if lab.kind == "unit")
    assert all(lab.country != "FR" for lab in labs if lab.kind != "unit")
    assert all(lab.director is not None for lab in labs if lab.kind == "joint_unit")


def test_seed_demo_has_open_programmes_in_both_directions(runner, db):
    seed(runner, db)
    today = date.today()
    open_directions = {
        programme.direction
        for programme in db.session.scalars(sa.select(Programme))
        if programme.is_open_on(today)
    }
    assert open_directions == {"incoming", "outgoing"}


def test_seed_demo_twice_adds_nothing(runner, db):
    seed(runner, db)
    before = {model: count(db, model) for model in (User, Laboratory, Programme)}

    result = seed(runner, db)

    assert "not added" in result.output
    assert {model: count(db, model) for model in (User, Laboratory, Programme)} == before


def test_seed_demo_leaves_a_database_with_people_alone(runner, db, make):
    make.user(email="real.person@example.org")
    seed(runner, db)
    assert count(db, User) == 1
    assert user_by_email("admin@example.org") is None


# create-admin ------------------------------------------------------------------------------
def create_admin(runner, email="Boss@Example.org", password=GOOD_PASSPHRASE, args=()):
    answers = f"{email}\nBarbara Boss\n{password}\n{password}\n"
    return runner.invoke(args=["create-admin", *args], input=answers)


def test_create_admin_creates_an_administrator(client, runner, db):
    result = create_admin(runner, args=["--nationality", "de"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    admin = user_by_email("boss@example.org")
    assert admin.email == "boss@example.org"
    assert admin.is_admin
    assert admin.nationality == "DE"
    assert admin.full_name == "Barbara Boss"
    assert verify_password(admin.password_hash, GOOD_PASSPHRASE)
    assert GOOD_PASSPHRASE not in result.output
    sign_in(client, admin, GOOD_PASSPHRASE)


@pytest.mark.parametrize("weak", ["short one", "password1234", "boss@example.org", "aaaabbbbaaaabbbb"])
def test_create_admin_refuses_a_weak_password(runner, db, weak):
    result = create_admin(runner, password=weak)

    assert result.exit_code != 0
    assert "created" not in result.output
    assert count(db, User) == 0


def test_create_admin_refuses_a_duplicate_email(runner, db, make):
    make.user(email="boss@example.org")

    result = create_admin(runner, email="BOSS@example.org")

    assert result.exit_code != 0
    assert "already uses" in result.output
    assert count(db, User) == 1
    assert not user_by_email("boss@example.org").is_admin


@pytest.mark.parametrize("nationality", ["XX", "FRA", "", "1"])
def test_create_admin_refuses_a_bad_nationality(runner, db, nationality):
    result = create_admin(runner, args=["--nationality", nationality])

    assert result.exit_code != 0
    assert count(db, User) == 0


@pytest.mark.parametrize("email", ["not-an-email", "@", "a@", "@example.org"])
def test_create_admin_refuses_a_bad_email(runner, db, email):
    result = create_admin(runner, email=email)

    assert result.exit_code != 0
    assert count(db, User) == 0
