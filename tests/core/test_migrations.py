"""The migrations build, from an empty database, exactly the schema the models describe."""

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from config import TestingConfig
from tests.conftest import scratch_database
from tracker import create_app
from tracker.core.search_indexes import compared_with_models
from tracker.extensions import db


@pytest.fixture
def empty_database_uri(tmp_path):
    """A new, empty database on the leg's server, dropped after the test."""
    with scratch_database(tmp_path / "empty.db", "tracker_migrations") as uri:
        yield uri


@pytest.fixture
def empty_app(empty_database_uri):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_uri)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def differences_with_models():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": compared_with_models})
        return compare_metadata(context, db.metadata)


def table_names():
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_of_an_empty_database_matches_the_models(empty_app):
    assert table_names() == set()

    flask_migrate.upgrade()

    assert table_names() == set(db.metadata.tables)
    assert differences_with_models() == []


def test_downgrade_to_base_then_upgrade_again(empty_app):
    flask_migrate.upgrade()

    flask_migrate.downgrade(revision="base")
    assert table_names() == set()

    flask_migrate.upgrade()
    assert differences_with_models() == []


def test_migrated_schema_keeps_its_check_constraints(empty_app):
    """compare_metadata does not compare CHECK constraints, so count them by name."""
    flask_migrate.upgrade()
    inspector = sa.inspect(db.engine)
    for table in db.metadata.sorted_tables:
        expected = {
            constraint.name
            for constraint in table.constraints
            if isinstance(constraint, sa.CheckConstraint) and constraint.name
        }
        found = {check["name"] for check in inspector.get_check_constraints(table.name)}
        assert expected <= found, (table.name, expected - found)


def test_confirmation_revision_keeps_existing_accounts_usable(empty_app):
    """Existing people may still sign in after the registration revision, and the revision
    runs (both ways) on a database whose users are referenced by other rows: SQLite must
    not rebuild the users table under them."""
    # Two revisions at once: the second runs inside the transaction the first opened.
    flask_migrate.upgrade(revision="c5e2f1a7b9d3")
    with db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO laboratories (id, name, acronym, kind, institution, city, country, "
            "created_at) VALUES (1, 'Lab', 'LAB', 'unit', 'Inst', 'Paris', 'FR', :now)"
        ), {"now": "2026-01-01 00:00:00"})
        connection.execute(sa.text(
            "INSERT INTO users (id, email, full_name, category, nationality, home_laboratory_id, "
            "active, password_hash, session_token, created_at) VALUES (1, 'a@example.org', "
            "'A', 'researcher', 'FR', 1, :yes, 'x', 't', :now)"
        ), {"yes": True, "now": "2026-01-01 00:00:00"})
        connection.execute(sa.text("UPDATE laboratories SET director_id = 1"))
        connection.execute(sa.text("INSERT INTO user_roles (user_id, role) VALUES (1, 'researcher')"))

    flask_migrate.upgrade()

    with db.engine.connect() as connection:
        confirmed = connection.execute(sa.text("SELECT email_confirmed_at FROM users")).scalar()
    assert confirmed is not None

    flask_migrate.downgrade(revision="c5e2f1a7b9d3")

    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM user_roles")).scalar() == 1
        assert connection.execute(sa.text("SELECT director_id FROM laboratories")).scalar() == 1
