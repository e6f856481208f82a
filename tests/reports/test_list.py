"""The applications list: filters, search, visibility, allow-lists and keyset pages."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tracker.extensions import db

REF = re.compile(r"MOB-\d{4}-\d{6}")


def references(response):
    assert response.status_code == 200, response.status_code
    return set(REF.findall(response.get_data(as_text=True)))


def test_admin_sees_everything_director_only_their_unit(client, login, org, apps):
    login(org["admin"])
    assert references(client.get("/reports/applications")) == {a.reference for a in apps.values()}


def test_director_never_sees_another_units_applications(client, login, org, apps):
    login(org["director_a"])
    seen = references(client.get("/reports/applications"))
    # Outgoing of unit A (home lab) and incoming hosted by unit A.
    assert seen == {apps[k].reference for k in ("ada_us", "ada_de", "ada_long", "visit_a")}
    assert apps["bob_us"].reference not in references(
        client.get("/reports/applications?q=Secret"))
    assert "Secret of unit B" not in client.get("/reports/applications").get_data(as_text=True)


def test_researcher_is_refused(client, login, org, apps):
    login(org["ada"])
    assert client.get("/reports/applications").status_code == 403


@pytest.mark.parametrize("query, expected", [
    ("status=approved", {"ada_de", "bob_us"}),
    ("direction=incoming", {"visit_a"}),
    ("country=DE", {"ada_de", "ada_long"}),
    ("country=us", {"ada_us", "bob_us"}),
    ("year=2024", {"ada_us", "ada_long", "visit_a"}),
    ("duration=short", {"ada_us", "bob_us"}),
    ("duration=medium", {"ada_de", "visit_a"}),
    ("duration=long", {"ada_long"}),
    ("q=quantum", {"ada_us"}),
    ("q=lovelace", {"ada_us", "ada_de", "ada_long"}),
    ("q=100%25", set()),
    ("status=approved&country=US", {"bob_us"}),
])
def test_filters_and_search(client, login, org, apps, query, expected):
    login(org["admin"])
    assert references(client.get(f"/reports/applications?{query}")) == {
        apps[key].reference for key in expected
    }


def test_filter_by_programme_and_laboratory(client, login, org, apps):
    login(org["admin"])
    assert references(client.get(f"/reports/applications?programme={org['incoming'].id}")) == {
        apps["visit_a"].reference}
    assert references(client.get(f"/reports/applications?laboratory={org['unit_b'].id}")) == {
        apps["bob_us"].reference}


def test_search_by_reference(client, login, org, apps):
    login(org["admin"])
    reference = apps["ada_us"].reference
    assert references(client.get(f"/reports/applications?q={reference.lower()}")) == {reference}


@pytest.mark.parametrize("query", [
    "order=sideways", "status=lost",
    "direction=up", "duration=eternal", "year=twenty", "programme=-1", "laboratory=x",
    "country=USA", "after=not-a-cursor", "q=" + "x" * 101,
    "after=WyJ4IiwxXQ&before=WyJ4IiwxXQ",
])
def test_parameters_outside_the_allow_list_are_refused(client, login, org, query):
    login(org["admin"])
    assert client.get(f"/reports/applications?{query}").status_code == 400
    assert client.get(f"/reports/applications.csv?{query}").status_code == 400


@pytest.mark.parametrize("sort", ["password_hash", "title;drop", "status", "applicant"])
def test_a_sort_not_offered_shows_the_default_order(client, login, org, apps, sort):
    """Only sorts an index serves are offered; any other (an old link's ``status``
    included) shows the default order, newest first, and the links do not carry it."""
    login(org["admin"])
    default = client.get("/reports/applications")
    response = client.get(f"/reports/applications?sort={sort}&order=asc")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert REF.findall(body) == REF.findall(default.get_data(as_text=True))
    assert not re.search(f'href="[^"]*sort={re.escape(sort)}', body)
    assert client.get(f"/reports/applications.csv?sort={sort}").status_code == 200


def test_only_indexed_sorts_are_offered(client, login, org, apps):
    from tracker.applications.models import Application
    from tracker.reports.filters import SORTS

    indexed = {tuple(column.name for column in index.columns)
               for index in Application.__table__.indexes}
    for column, _kind in SORTS.values():
        assert (column.name, "id") in indexed, column.name
    login(org["admin"])
    body = client.get("/reports/applications").get_data(as_text=True)
    assert "sort=status" not in body
    assert '<th scope="col">Status</th>' in body


def test_sort_by_each_visible_column(client, login, org, apps):
    login(org["admin"])
    for key in ("reference", "title", "start_date", "end_date", "created_at"):
        for order in ("asc", "desc"):
            assert client.get(f"/reports/applications?sort={key}&order={order}").status_code == 200
    body = client.get("/reports/applications?sort=title&order=asc").get_data(as_text=True)
    titles = ["Quantum optics in Boston", "Sabbatical", "Secret of unit B", "Summer school",
              "Visiting unit A"]
    positions = [body.index(title) for title in titles]
    assert positions == sorted(positions)


def _many(make, org, count):
    start = date(2023, 1, 1)
    return [
        make.application(applicant=org["ada"], host=org["partner_us"], programme=org["outgoing"],
                         status="submitted", start_date=start + timedelta(days=n),
                         end_date=start + timedelta(days=n + 3), title=f"Stay number {n:03d}")
        for n in range(count)
    ]


def _link(response, rel):
    match = re.search(rf'rel="{rel}" href="([^"]+)"', response.get_data(as_text=True))
    return match.group(1).replace("&amp;", "&") if match else None


def test_keyset_pages_forward_and_back_keep_the_filters(client, login, make, org):
    created = _many(make, org, 120)
    login(org["admin"])
    url = "/reports/applications?status=submitted&sort=start_date&order=asc"
    first = client.get(url)
    assert _link(first, "prev") is None
    seen = []
    pages = [first]
    response = first
    while True:
        seen += REF.findall(response.get_data(as_text=True))
        following = _link(response, "next")
        if not following:
            break
        assert "status=submitted" in following and "sort=start_date" in following
        response = client.get(following)
        pages.append(response)
    assert len(pages) == 3
    assert seen == [application.reference for application in created]
    back = client.get(_link(pages[2], "prev"))
    assert REF.findall(back.get_data(as_text=True)) == REF.findall(pages[1].get_data(as_text=True))
    assert _link(client.get(_link(pages[1], "prev")), "prev") is None


def test_count_is_exact_for_small_lists(client, login, org, apps):
    login(org["director_a"])
    assert "4 applications" in client.get("/reports/applications").get_data(as_text=True)


def test_statement_count_does_not_grow_with_rows(app, client, login, make, org):
    """Joined loads: 50 rows cost the same number of SQL statements as 2."""
    login(org["admin"])
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def measure():
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/reports/applications").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    make.application(applicant=org["ada"], host=org["partner_us"], programme=org["outgoing"])
    make.application(applicant=org["bob"], host=org["partner_de"], programme=org["outgoing"])
    # One awaiting review, as every row below: who acts next asks only what the page's kinds
    # of rows need (nothing for closed ones), so both pages hold the same kinds.
    make.application(applicant=org["bob"], host=org["partner_de"], programme=org["outgoing"],
                     status="submitted")
    few = measure()
    for n in range(60):
        # Every row with its own applicant, laboratories and programme: lazy loads would show.
        make.application(status="submitted")
    many = measure()
    assert many == few, (few, many)
    # Three of them say who each row waits on (access.waiting_on_many: missing opinions, the
    # people who act, their stand-ins), whatever the number of rows.
    assert few <= 16


def test_kept_counts_never_cross_visibility_scopes(app, client, login, org, apps, monkeypatch):
    """Large counts are kept a while; each scope keeps its own."""
    from tracker.reports import counting

    monkeypatch.setattr(counting, "PROBE", 1)
    app.config["REPORTS_CACHE_SECONDS"] = 60
    counting.count_cache.clear()
    try:
        from tests.conftest import sign_in

        login(org["admin"])
        admin_page = client.get("/reports/applications").get_data(as_text=True)
        other = app.test_client()
        sign_in(other, org["director_b"])
        director_page = other.get("/reports/applications").get_data(as_text=True)
        assert "About " in admin_page and "About " in director_page
        # A repeat view, by either of them, reads the figure kept for its scope: no count,
        # no EXPLAIN.
        for viewer in (client, other):
            statements = []

            def record(conn, cursor, statement, parameters, context, executemany):
                statements.append(statement)

            sa.event.listen(db.engine, "before_cursor_execute", record)
            try:
                assert "About " in viewer.get("/reports/applications").get_data(as_text=True)
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", record)
            counts = [s for s in statements
                      if ("count(" in s and "applications" in s) or "EXPLAIN" in s]
            assert statements and not counts
        if db.engine.dialect.name == "sqlite":  # exact counts, rounded; PostgreSQL samples
            assert "About 5 applications" in admin_page
            assert "About 1 applications" in director_page
    finally:
        app.config["REPORTS_CACHE_SECONDS"] = 0
        counting.count_cache.clear()


def test_the_form_shows_the_filters_in_force(client, login, org, apps):
    login(org["admin"])
    body = client.get(f"/reports/applications?status=approved&country=DE&year=2024"
                      f"&programme={org['outgoing'].id}").get_data(as_text=True)
    assert '<option value="approved" selected>Approved</option>' in body
    assert '<option value="DE" selected>Germany</option>' in body
    assert '<option value="2024" selected>2024</option>' in body
    assert f'<option value="{org["outgoing"].id}" selected>Stays abroad</option>' in body
    assert body.count(" selected>") == 4


def test_kept_exact_counts_are_exact_and_kept_only_when_large(app, org, apps, monkeypatch):
    """The API's total: exact, kept a while when large, per scope."""
    from tracker.applications.models import Application
    from tracker.reports import counting

    app.config["REPORTS_CACHE_SECONDS"] = 60
    counting.count_cache.clear()
    try:
        query = sa.select(Application)
        exact = db.session.scalar(sa.select(sa.func.count()).select_from(Application))
        monkeypatch.setattr(counting, "EXACT_BELOW", exact + 1)
        assert counting.kept_exact_count(query, ("admin",)) == exact
        assert counting.count_cache.get(("exact", "admin")) is None  # small: never kept
        monkeypatch.setattr(counting, "EXACT_BELOW", 1)
        assert counting.kept_exact_count(query, ("admin",)) == exact
        assert counting.count_cache.get(("exact", "other")) is None
        assert counting.kept_exact_count(query, ("other",)) == exact
        # One figure per scope.
        assert counting.count_cache.get(("exact", "admin"))[0] == exact
        assert counting.count_cache.get(("exact", "other"))[0] == exact
    finally:
        app.config["REPORTS_CACHE_SECONDS"] = 0
        counting.count_cache.clear()
