"""What keeps the list and the API fast at scale, as behaviour: statements per page, counts
that say when they are estimates (and are close), the search through its indexes."""

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tracker.applications.models import Application
from tracker.extensions import db
from tracker.reports import counting


class Statements:
    """The SQL statements run while it is open."""

    def __enter__(self):
        self.seen = []
        sa.event.listen(db.engine, "before_cursor_execute", self._record)
        return self

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append(statement)

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self._record)

    def __len__(self):
        return len(self.seen)


@pytest.fixture
def kept(app):
    """Figures kept as in production (a minute), fresh for each test."""
    app.config["REPORTS_CACHE_SECONDS"] = 60
    counting.count_cache.clear()
    yield
    app.config["REPORTS_CACHE_SECONDS"] = 0
    counting.count_cache.clear()


def _bearer(org):
    from tracker.auth.tokens import issue_token

    token, _row = issue_token(org["admin"])
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _statements_of(client, url, headers=None):
    assert client.get(url, headers=headers).status_code == 200  # warms the kept figures
    with Statements() as statements:
        assert client.get(url, headers=headers).status_code == 200
    return len(statements)


def test_statements_per_page_do_not_grow_with_its_rows(app, client, login, make, org, kept):
    """A repeat view of the list and of the API list, once the directory's figures are
    kept: the same statements for 2 rows as for 60, and no more than these."""
    login(org["admin"])
    headers = _bearer(org)
    api = app.test_client()
    make.application(applicant=org["ada"], host=org["partner_us"], programme=org["outgoing"])
    make.application(applicant=org["bob"], host=org["partner_de"], programme=org["outgoing"])
    # The same kinds of rows as below (who acts next asks only what its rows need).
    make.application(applicant=org["bob"], host=org["partner_de"], programme=org["outgoing"],
                     status="submitted")
    few = (_statements_of(client, "/reports/applications"),
           _statements_of(api, "/api/v1/applications", headers))
    for _n in range(60):
        make.application(status="submitted")
    counting.count_cache.clear()
    many = (_statements_of(client, "/reports/applications"),
            _statements_of(api, "/api/v1/applications", headers))
    assert few == many
    # The list: the user, the page, and who its rows wait on (missing opinions, the people
    # who act, their stand-ins); its count is kept, and so is whom the reader stands in for.
    # The API: the token with its owner, the count (exact below 1,001 rows), the page, its
    # cost items, and the same three.
    assert many[0] <= 6 and many[1] <= 7, many


def test_a_bearer_token_brings_its_owner_roles_and_laboratories_in_one_statement(app, org):
    from tracker.auth.tokens import find_token, issue_token

    token, _row = issue_token(org["director_a"])
    db.session.commit()
    director_id, unit_id = org["director_a"].id, org["unit_a"].id
    db.session.expunge_all()
    with Statements() as statements:
        found = find_token(token)
        user = found.user
        assert user.id == director_id
        assert "director" in user.roles
        assert [lab.id for lab in user.directed_laboratories] == [unit_id]
    assert len(statements) == 1


def test_the_unread_count_is_kept_and_forgotten_when_it_changes(app, client, login, org,
                                                                kept):
    from tracker.notifications.services import notify

    login(org["ada"])
    page = "/applications/"
    client.get(page)
    with Statements() as statements:
        assert client.get(page).status_code == 200
    assert not [s for s in statements.seen if "FROM notifications" in s]
    notify([org["ada"]], lambda: ("A subject", "A body"))
    db.session.commit()
    body = client.get("/notifications/").get_data(as_text=True)
    assert "1 unread notification." in body
    client.post("/notifications/read-all", data={})
    assert "unread notification" not in client.get(page).get_data(as_text=True).split(
        "</nav>")[0]


def test_small_counts_are_exact_and_large_ones_say_they_are_estimates(app, org, apps, kept,
                                                                      monkeypatch):
    from tracker.reports.filters import ListFilters, visible_filtered

    filters = ListFilters.from_args(MultiDict())
    query = visible_filtered(org["admin"], filters)
    exact = counting._exact_count(query)
    assert counting.approximate_count(query, table=Application.__table__) == counting.Count(
        exact, exact=True)
    monkeypatch.setattr(counting, "PROBE", 2)
    counting.count_cache.clear()
    estimate = counting.approximate_count(query, table=Application.__table__)
    assert not estimate.exact and exact / 2 <= estimate.value <= exact * 2


@pytest.mark.parametrize("args", [
    {}, {"status": "rejected"}, {"status": "submitted"}, {"direction": "incoming"},
    {"q": "mar"}, {"q": "an"}, {"q": "stay"}, {"country": "US"}, {"duration": "long"},
    {"q": "e", "status": "approved"},
])
def test_estimates_are_within_a_factor_two_of_the_truth(app, generated, monkeypatch, args):
    """On a generated data set, each filtered or searched list's estimate against its exact
    count. The sample is made small (a tenth of the table) so that the estimate is really
    sampled on PostgreSQL; SQLite counts."""
    from tracker.reports.filters import ListFilters, visible_filtered

    monkeypatch.setattr(counting, "PROBE", 50)
    monkeypatch.setattr(counting, "SAMPLE_ROWS", 400)
    monkeypatch.setattr(counting, "SAMPLE_MATCHES", 40)
    query = visible_filtered(generated, ListFilters.from_args(MultiDict(args)))
    exact = counting._exact_count(query)
    found = counting.approximate_count(query, table=Application.__table__)
    if exact < 50:
        assert found == counting.Count(exact, exact=True)
    else:
        assert not found.exact
        assert exact / 2 <= found.value <= exact * 2, (found, exact)


@pytest.fixture
def generated(app, make):
    """4,000 generated applications (statistics gathered on PostgreSQL), and an admin."""
    from tracker.reports.generate import generate

    generate(4000, seed=14, echo=lambda *args, **kwargs: None)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE applications"))
    return make.user(roles=("admin",))


def test_the_search_finds_people_through_their_indexes(app, client, login, make, org):
    """By name or e-mail, ignoring case and accents; on PostgreSQL through the trigram
    indexes of exactly the expressions the search compares (never a read of every person,
    even with sequential scans allowed only as a last resort)."""
    from tracker.reports.filters import text_search

    make.application(applicant=org["ada"], host=org["partner_us"], programme=org["outgoing"],
                     title="Winter school")
    login(org["admin"])
    for q in (org["ada"].full_name.split()[0].upper(), org["ada"].email.split("@")[0]):
        body = client.get(f"/reports/applications?q={q}").get_data(as_text=True)
        assert "Winter school" in body, q
    if db.engine.dialect.name != "postgresql":
        return
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    people = sa.select(sa.literal(1)).select_from(Application).where(text_search("martin"))
    compiled = people.compile(dialect=db.engine.dialect)
    plan = "\n".join(db.session.connection().exec_driver_sql(
        "EXPLAIN " + str(compiled), compiled.params).scalars())
    for index in ("ix_users_full_name_trgm", "ix_users_email_trgm"):
        assert index in plan, plan
    # On a table this small the b-tree indexes of the sorts, read whole, cost less than
    # the trigram index; they are dropped in a savepoint, so that only the trigram index
    # is left to avoid reading the table (the savepoint puts them back).
    connection = db.session.connection()
    nested = connection.begin_nested()
    try:
        connection.exec_driver_sql("DROP INDEX ix_applications_reference_id")
        connection.exec_driver_sql("DROP INDEX ix_applications_title_id")
        connection.exec_driver_sql(
            "ALTER TABLE applications DROP CONSTRAINT uq_applications_reference")
        for expression in ("lower(tracker_unaccent(title))", "lower(reference)"):
            column_plan = "\n".join(connection.exec_driver_sql(
                f"EXPLAIN SELECT 1 FROM applications WHERE {expression} LIKE '%%martin%%'"
            ).scalars())
            assert "_trgm" in column_plan, column_plan
    finally:
        nested.rollback()


def test_a_page_of_closed_applications_asks_nothing_about_who_acts(client, login, make, org,
                                                                    kept):
    """Rejected applications wait on nobody: their page is the user, the page and no more."""
    login(org["admin"])
    for _n in range(3):
        make.application(status="rejected")
    page = "/reports/applications?status=rejected"
    client.get(page)
    with Statements() as statements:
        body = client.get(page).get_data(as_text=True)
    assert body.count("Nobody") == 3
    assert len(statements) <= 3, statements.seen
    assert not [s for s in statements.seen
                if "requirement_rules" in s or "delegations" in s or "amendments" in s]


def test_whom_a_reader_stands_in_for_is_kept_and_forgotten_when_a_delegation_changes(
        app, org, kept):
    from datetime import date, timedelta

    from tracker import access
    from tracker.delegations.services import cancel_delegation, give_delegation

    director, ada = org["director_a"], org["ada"]
    assert access.delegators_of(ada) == []
    with Statements() as statements:
        assert access.delegators_of(ada) == []
    assert len(statements) == 0
    delegation = give_delegation(director, ada.id, date.today(), date.today() + timedelta(3))
    db.session.commit()
    # Asked first about a day after it ends, then about today: the kept list answers both.
    assert access.delegators_of(ada, today=date.today() + timedelta(10)) == []
    assert access.delegators_of(ada) == [director]
    cancel_delegation(delegation, director)
    db.session.commit()
    assert access.delegators_of(ada) == []
    # One that starts tomorrow is known today and counts from tomorrow.
    give_delegation(director, ada.id, date.today() + timedelta(1), date.today() + timedelta(2))
    db.session.commit()
    assert access.delegators_of(ada) == []
    assert access.delegators_of(ada, today=date.today() + timedelta(1)) == [director]


def test_the_generator_leaves_statistics_of_every_table_it_writes(app, generated):
    """Without them the planner guesses; a list page's question of who holds a role ran as
    a parallel scan of every role at 100,000 people."""
    if db.engine.dialect.name == "postgresql":
        analysed = set(db.session.scalars(sa.text(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
            "AND coalesce(last_analyze, last_autoanalyze) IS NOT NULL")))
    else:
        analysed = set(db.session.scalars(sa.text("SELECT tbl FROM sqlite_stat1")))
    assert {"applications", "users", "user_roles", "laboratories"} <= analysed
