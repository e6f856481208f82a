"""The presence register: who is abroad and who visits a unit in France, over a period."""

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from tracker.directory.models import Country
from tracker.extensions import db

TODAY = date.today()


@pytest.fixture
def visits(make, org, apps):
    """On top of ``apps``: a visitor in unit A today, one in unit B next month, a stay that
    ended yesterday and a completed one of last year."""
    o = org
    return {
        "vera_a": make.application(applicant=o["visitor"], direction="incoming",
                                   home=o["partner_de"], host=o["unit_a"], status="approved",
                                   programme=o["incoming"], title="Visiting unit A now",
                                   start_date=TODAY - timedelta(days=3),
                                   end_date=TODAY + timedelta(days=30)),
        "vera_b": make.application(applicant=o["visitor"], direction="incoming",
                                   home=o["partner_us"], host=o["unit_b"], status="approved",
                                   programme=o["incoming"], title="Visiting unit B later",
                                   start_date=TODAY + timedelta(days=40),
                                   end_date=TODAY + timedelta(days=50)),
        "ended": make.application(applicant=o["ada"], host=o["partner_us"], status="approved",
                                  programme=o["outgoing"], title="Ended yesterday",
                                  start_date=TODAY - timedelta(days=9),
                                  end_date=TODAY - timedelta(days=1)),
        "completed": make.application(applicant=o["bob"], host=o["partner_de"],
                                      status="completed", programme=o["outgoing"],
                                      title="Done last year", start_date=date(2024, 6, 1),
                                      end_date=date(2024, 6, 20)),
    }


def _page(client, query=""):
    response = client.get(f"/reports/presence{query}")
    return response.status_code, response.get_data(as_text=True)


def test_today_shows_both_directions_and_only_granted_stays(client, login, org, apps, visits):
    login(org["admin"])
    status, body = _page(client)
    assert status == 200
    assert apps["ada_de"].reference in body and visits["vera_a"].reference in body
    for absent in ("bob_us", "ada_us", "ada_long"):  # later, submitted, rejected
        assert apps[absent].reference not in body
    assert visits["ended"].reference not in body and visits["vera_b"].reference not in body
    assert "Visiting France" in body and org["visitor"].email in body


def test_direction_keeps_one_side(client, login, org, apps, visits):
    login(org["admin"])
    _, abroad = _page(client, "?direction=outgoing")
    assert apps["ada_de"].reference in abroad and visits["vera_a"].reference not in abroad
    _, visiting = _page(client, "?direction=incoming")
    assert visits["vera_a"].reference in visiting and apps["ada_de"].reference not in visiting


def test_a_period_shows_every_stay_that_overlaps_it(client, login, org, apps, visits):
    login(org["admin"])
    # The last day of a stay and the first of the period touch: it overlaps.
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    _, body = _page(client, f"?from={yesterday}&to={yesterday}")
    assert visits["ended"].reference in body and apps["ada_de"].reference in body
    first, last = TODAY + timedelta(days=15), TODAY + timedelta(days=45)
    _, body = _page(client, f"?from={first.isoformat()}&to={last.isoformat()}")
    for shown in (apps["bob_us"], visits["vera_b"], apps["ada_de"], visits["vera_a"]):
        assert shown.reference in body
    assert visits["ended"].reference not in body
    _, past = _page(client, "?from=2024-06-20&to=2024-07-01")
    assert visits["completed"].reference in past  # a completed stay happened too
    assert apps["ada_long"].reference not in past  # a rejected one did not


def test_filters_by_unit_country_and_risk_level(client, login, org, apps, visits):
    login(org["admin"])
    period = f"from={TODAY.isoformat()}&to={(TODAY + timedelta(days=60)).isoformat()}"
    _, unit_b = _page(client, f"?{period}&laboratory={org['unit_b'].id}")
    assert apps["bob_us"].reference in unit_b and visits["vera_b"].reference in unit_b
    assert apps["ada_de"].reference not in unit_b and visits["vera_a"].reference not in unit_b
    # The country on the other side: where a stay goes, where a visitor comes from.
    _, germany = _page(client, f"?{period}&country=de")
    assert apps["ada_de"].reference in germany and visits["vera_a"].reference in germany
    assert apps["bob_us"].reference not in germany and visits["vera_b"].reference not in germany
    db.session.add(Country(code="US", risk_level="red", note=""))
    db.session.commit()
    _, red = _page(client, f"?{period}&risk_level=red")
    assert apps["bob_us"].reference in red and visits["vera_b"].reference in red
    assert apps["ada_de"].reference not in red
    _, green = _page(client, f"?{period}&risk_level=green")
    assert apps["ada_de"].reference in green and apps["bob_us"].reference not in green


def test_counts_per_country_and_direction(client, login, org, apps, visits):
    login(org["admin"])
    period = f"?from={TODAY.isoformat()}&to={(TODAY + timedelta(days=60)).isoformat()}"
    _, body = _page(client, period)
    assert "People per country and direction" in body
    assert "4 stays over the period" in body


@pytest.mark.parametrize("query, field, message", [
    ("?from=2024-13-01", "from", "Enter a date as YYYY-MM-DD."),
    ("?from=0001-01-01", "from", "Enter a date as YYYY-MM-DD."),
    ("?from=2025-03-10&to=2025-03-01", "to", "cannot be before its start"),
    ("?from=2024-01-01&to=2025-06-01", "to", "at most 366 days"),
    ("?direction=sideways", "direction", "Choose a direction from the list."),
    ("?country=Germany", "country", "Choose a country from the list."),
    ("?country=ZZ", "country", "Choose a country from the list."),
    ("?risk_level=purple", "risk_level", "Choose a risk level from the list."),
    ("?laboratory=abc", "laboratory", "Choose a unit from the list."),
    ("?laboratory=999999", "laboratory", "Choose a unit from the list."),
])
def test_bad_filters_are_said_next_to_their_field(client, login, org, apps, query, field,
                                                  message):
    login(org["admin"])
    status, body = _page(client, query)
    assert status == 400
    assert message in body
    assert f'aria-describedby="p-{field}-error"' in body and f'id="p-{field}-error"' in body
    assert apps["ada_de"].reference not in body  # no rows under a refused filter
    assert client.get(f"/reports/presence.csv{query}").status_code == 400


def test_empty_register_says_so(client, login, org, apps):
    login(org["admin"])
    status, body = _page(client, "?from=2030-01-01&to=2030-01-31")
    assert status == 200
    assert "Nobody is abroad or visiting one of our units" in body
    assert "<tbody>" not in body


def test_director_sees_their_unit_both_ways_and_no_one_else(client, login, org, apps, visits):
    login(org["director_a"])
    period = f"?from={TODAY.isoformat()}&to={(TODAY + timedelta(days=60)).isoformat()}"
    _, body = _page(client, period)
    assert apps["ada_de"].reference in body and visits["vera_a"].reference in body
    assert org["visitor"].email in body  # the host director may contact their visitor
    assert apps["bob_us"].reference not in body and visits["vera_b"].reference not in body
    # Another unit is not among their filters.
    status, _ = _page(client, f"{period}&laboratory={org['unit_b'].id}")
    assert status == 400


def test_researchers_have_no_register(client, login, org, apps):
    login(org["ada"])
    assert client.get("/reports/presence").status_code == 403
    assert client.get("/reports/presence.csv").status_code == 403


def test_the_former_address_leads_to_people_abroad(client, login, org):
    login(org["admin"])
    response = client.get("/reports/abroad?country=DE")
    assert response.status_code == 301
    assert response.location.endswith("/reports/presence?direction=outgoing&country=DE")


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_csv_export_holds_the_filtered_rows(client, login, make, org, apps, visits):
    org["ada"].full_name = "=HYPERLINK(1)"
    db.session.commit()
    login(org["director_a"])
    response = client.get("/reports/presence.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "presence-" in response.headers["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert header[:4] == ["Reference", "Person", "Contact", "Where"]
    assert sorted(row[0] for row in rows) == sorted(
        [apps["ada_de"].reference, visits["vera_a"].reference])
    by_reference = {row[0]: row for row in rows}
    ada = by_reference[apps["ada_de"].reference]
    assert ada[1] == "'=HYPERLINK(1)"  # a spreadsheet reads it as text
    assert ada[3:9] == ["Abroad", "UNITA", "Laboratory " + ada[5].split()[-1], "Berlin",
                        "Germany", "Green: normal vigilance"]
    assert ada[9] == apps["ada_de"].start_date.isoformat()
    visit = by_reference[visits["vera_a"].reference]
    assert visit[3] == "Visiting France" and visit[7] == "Germany"
    abroad_only = _csv_rows(client.get("/reports/presence.csv?direction=outgoing"))
    assert [row[0] for row in abroad_only[1:]] == [apps["ada_de"].reference]


def test_xlsx_export_holds_the_same_rows(client, login, org, apps, visits):
    login(org["admin"])
    response = client.get("/reports/presence.xlsx?direction=incoming")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Reference"
    assert [row[0] for row in rows[1:]] == [visits["vera_a"].reference]


def test_register_speaks_french(client, login, org, apps, visits):
    org["admin"].locale = "fr"
    db.session.commit()
    login(org["admin"])
    _, body = _page(client)
    assert "Présences" in body and "En visite en France" in body
    assert "Allemagne" in body
