import pytest
import sqlalchemy as sa

from tests.conftest import sign_in


@pytest.fixture
def admin(make, client):
    """An administrator of a unit, signed in on ``client``."""
    unit = make.lab("unit", name="Home Unit", acronym="HOME")
    user = make.user(roles=("researcher", "admin"), lab=unit, full_name="Alice Admin",
                     email="alice.admin@example.org")
    sign_in(client, user)
    return user


@pytest.fixture
def count_queries(db):
    """``count_queries(callable)`` runs it and answers how many SQL statements it sent."""

    def run(action):
        statements = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            action()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    return run
