"""Unit missions (no programme) and cost items in the list, the exports and the dashboard."""

import csv
import io
import re
from datetime import datetime, timezone
from decimal import Decimal

import openpyxl

from tracker.reports.exports import EXPORT_COLUMNS, column_headers
import pytest

from tests.conftest import sign_in
from tracker.extensions import db
from tracker.reports import dashboard

REF = re.compile(r"MOB-\d{4}-\d{6}")
COST_COLUMNS = ["cost_travel", "cost_accommodation", "cost_subsistence", "cost_registration",
                "cost_visa", "cost_insurance", "cost_other"]


def signed_in(client, user):
    """A client of its own for ``user`` (a test that looks as two people uses two)."""
    other = client.application.test_client()
    sign_in(other, user)
    return other


def references(response):
    assert response.status_code == 200, response.status_code
    return set(REF.findall(response.get_data(as_text=True)))


def csv_records(response):
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return rows[0], {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}


# The list -------------------------------------------------------------------------------------
def test_unit_missions_are_listed(client, login, org, apps, missions):
    login(org["admin"])
    everything = {a.reference for a in apps.values()} | {
        m.reference for m in missions.values()}
    assert references(client.get("/reports/applications")) == everything
    director = signed_in(client, org["director_b"])
    assert references(director.get("/reports/applications")) == {
        apps["bob_us"].reference, missions["bob_mission"].reference}


@pytest.mark.parametrize("funding, expected", [
    ("unit", {"ada_mission", "bob_mission"}),
    ("programme", {"ada_us", "ada_de", "ada_long", "visit_a", "bob_us"}),
])
def test_filter_by_funding(client, login, org, apps, missions, funding, expected):
    login(org["admin"])
    rows = {**apps, **missions}
    assert references(client.get(f"/reports/applications?funding={funding}")) == {
        rows[key].reference for key in expected}
    # With another filter, and within a director's scope.
    assert references(client.get(f"/reports/applications?funding={funding}&country=DE")) == {
        rows[key].reference for key in expected
        if rows[key].host_laboratory.country == "DE"}
    director = signed_in(client, org["director_b"])
    mine = {"bob_us", "bob_mission"} & expected
    assert references(director.get(f"/reports/applications?funding={funding}")) == {
        rows[key].reference for key in mine}


@pytest.mark.parametrize("value", ["grant", "UNIT", "unit%00", "programme "])
def test_funding_outside_the_allow_list_is_refused(client, login, org, value):
    login(org["admin"])
    assert client.get(f"/reports/applications?funding={value}").status_code == 400
    assert client.get(f"/reports/applications.csv?funding={value}").status_code == 400


def test_funding_column_and_filter_form(client, login, org, apps, missions):
    login(org["admin"])
    body = client.get("/reports/applications?funding=unit").get_data(as_text=True)
    assert "Mission on the unit&#39;s funds" in body or "Mission on the unit's funds" in body
    assert "UNITA-MISSIONS-2024" in body and "UNITB-42" in body
    assert '<option value="unit" selected>' in body
    calls = client.get("/reports/applications?funding=programme").get_data(as_text=True)
    assert "Programme call" in calls and "Stays abroad" in calls
    assert "UNITB-42" not in calls


def test_keyset_pages_of_unit_missions(client, login, make, org):
    from tests.reports.funding_world import unit_mission

    made = {unit_mission(make, applicant=org["ada"], host=org["partner_us"],
                         status="submitted").reference for _ in range(55)}
    make.application(applicant=org["ada"], host=org["partner_us"], programme=org["outgoing"])
    login(org["admin"])
    first = client.get("/reports/applications?funding=unit")
    seen = references(first)
    assert len(seen) == 50
    after = re.search(r'href="([^"]*after=[^"]+)"', first.get_data(as_text=True)).group(1)
    second = client.get(after.replace("&amp;", "&"))
    assert seen | references(second) == made


def test_statement_count_is_the_same_with_unit_missions_and_cost_items(
        app, client, login, make, org, apps, missions):
    """A page of unit missions with cost items costs the statements of a page of calls."""
    import sqlalchemy as sa

    from tests.reports.funding_world import add_cost_items, unit_mission

    login(org["admin"])
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def measure(query):
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/reports/applications?{query}").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    few = measure("funding=unit")
    for _ in range(60):
        add_cost_items(unit_mission(make, status="submitted"),
                       ("travel", "10.00"), ("visa", "5.00"))
    # Never more for a full page (who acts next asks only what the page's rows need: the
    # missions before were of more kinds than the 50 submitted ones now on the first page).
    assert measure("funding=unit") <= few
    assert measure("funding=programme") <= few


# Exports --------------------------------------------------------------------------------------
def test_csv_holds_unit_missions_funding_and_cost_totals(client, login, org, apps, missions):
    login(org["admin"])
    header, records = csv_records(client.get("/reports/applications.csv?columns=codes"))
    for column in ("funding", "programme", "budget_line", "cost_items", *COST_COLUMNS):
        assert column in header
    assert header.index("cost_items") < header.index("cost_travel")
    mission = records[missions["ada_mission"].reference]
    assert mission["funding"] == "unit"
    assert mission["programme"] == ""
    assert mission["budget_line"] == "UNITA-MISSIONS-2024"
    assert mission["cost_items"] == "3"
    assert [mission[column] for column in COST_COLUMNS] == [
        "600.00", "250.00", "0.00", "50.00", "0.00", "0.00", "0.00"]
    assert mission["requested_amount"] == "900.00"
    assert mission["awarded_amount"] == "900.00"
    call = records[apps["ada_us"].reference]
    assert call["funding"] == "programme" and call["programme"] == "Stays abroad"
    assert call["cost_items"] == "2"
    assert call["cost_travel"] == "1000.00" and call["cost_visa"] == "500.00"
    bare = records[apps["bob_us"].reference]
    assert bare["cost_items"] == "0"
    assert all(bare[column] == "0.00" for column in COST_COLUMNS)
    # Every row's totals add up to its cost items (here, its requested amount).
    for reference in (missions["ada_mission"].reference, missions["bob_mission"].reference,
                      apps["ada_us"].reference):
        record = records[reference]
        assert sum(Decimal(record[column]) for column in COST_COLUMNS) == Decimal(
            record["requested_amount"])


def test_csv_follows_the_funding_filter_and_visibility(client, login, org, apps, missions):
    login(org["director_b"])
    _header, records = csv_records(client.get("/reports/applications.csv?funding=unit&columns=codes"))
    assert set(records) == {missions["bob_mission"].reference}
    mission = records[missions["bob_mission"].reference]
    assert mission["cost_subsistence"] == "120.50" and mission["cost_items"] == "2"


def test_csv_neutralises_a_budget_line_formula(client, login, make, org):
    from tests.reports.funding_world import unit_mission

    unit_mission(make, applicant=org["ada"], host=org["partner_us"], budget_line="=1+2")
    login(org["admin"])
    _header, records = csv_records(client.get("/reports/applications.csv?columns=codes"))
    assert [record["budget_line"] for record in records.values()] == ["'=1+2"]


def test_xlsx_holds_unit_missions_and_cost_totals(client, login, org, apps, missions):
    login(org["admin"])
    response = client.get("/reports/applications.xlsx?funding=unit")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.get_data())).active.iter_rows(
        values_only=True))
    # Headed by labels: read back by code.
    codes = dict(zip(column_headers(), EXPORT_COLUMNS))
    header = [codes[label] for label in rows[0]]
    records = {row[0]: dict(zip(header, row)) for row in rows[1:]}
    assert set(records) == {m.reference for m in missions.values()}
    mission = records[missions["bob_mission"].reference]
    assert mission["funding"] == "Mission on the unit's funds"
    assert mission["budget_line"] == "UNITB-42"
    assert mission["cost_items"] == 2
    assert Decimal(str(mission["cost_travel"])) == Decimal("300.00")
    assert Decimal(str(mission["cost_subsistence"])) == Decimal("120.50")
    assert Decimal(str(mission["cost_visa"])) == 0


# The dashboard --------------------------------------------------------------------------------
def test_dashboard_figures_by_funding_and_cost_kind(app, org, apps, missions):
    figures = dashboard.dashboard(org["admin"], 2024)
    # 2024: ada_us, ada_long and visit_a (calls), both missions.
    assert figures["by_funding"] == {
        "programme": (3, Decimal("4500.00"), Decimal("0.00")),
        "unit": (2, Decimal("1320.50"), Decimal("900.00")),
    }
    assert figures["cost_by_kind"] == {
        "travel": Decimal("1900.00"), "accommodation": Decimal("250.00"),
        "subsistence": Decimal("120.50"), "registration": Decimal("50.00"),
        "visa": Decimal("500.00"), "insurance": Decimal("0.00"), "other": Decimal("0.00"),
    }
    assert figures["total"] == 5


def test_dashboard_funding_figures_stay_within_a_directors_scope(app, org, apps, missions):
    theirs = dashboard.dashboard(org["director_b"], 2024)
    assert theirs["by_funding"] == {
        "programme": (0, Decimal("0.00"), Decimal("0.00")),
        "unit": (1, Decimal("420.50"), Decimal("0.00")),
    }
    assert theirs["cost_by_kind"]["travel"] == Decimal("300.00")
    assert theirs["cost_by_kind"]["visa"] == Decimal("0.00")


def test_dashboard_page_shows_funding_cost_kinds_and_waiting_missions(
        client, login, org, apps, missions):
    missions["bob_mission"].submitted_at = datetime(2024, 8, 1, tzinfo=timezone.utc)
    db.session.commit()
    login(org["admin"])
    response = client.get("/reports/?year=2024")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Cost by kind" in body and "By funding" in body
    assert "1,320.50" in body and "1,900.00" in body and "Registration fees" in body
    waiting = body.split('id="h-waiting"', 1)[1]
    assert missions["bob_mission"].reference in waiting
