"""Funding and cost items through the web pages: the application form (a programme call or a
mission on the unit's funds, a budget line, cost rows whose total is the request), amounts
read in the reader's language and never rescaled, and the director's approval of a unit
mission with no office step (docs/rules.md, Applications and Workflow)."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tracker.applications.models import Application, CostItem
from tracker.applications.services import create_application, transition

NARROW = "\u202f"  # the group mark of French amounts, as Babel writes them


def in_language(client, language):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def post(client, url, data, page=None):
    """POST ``data`` as the form of ``page`` (default: ``url``) sends it."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page or url)})


def form_data(people, rows=(), **changes):
    """The application form's fields; ``rows`` are (kind, description, amount) cost rows."""
    start = date.today() + timedelta(days=40)
    data = {
        "funding": "unit",
        "programme_id": "",
        "budget_line": "UNIT-MISSIONS-2026",
        "home_laboratory_id": str(people["unit"].id),
        "host_laboratory_id": str(people["partner"].id),
        "title": "Workshop in Berlin",
        "purpose": "conference",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=3)).isoformat(),
        "requested_amount": "",
        "justification": "Invited talk.",
    }
    for index, (kind, description, amount) in enumerate(rows):
        data[f"cost_items-{index}-kind"] = kind
        data[f"cost_items-{index}-description"] = description
        data[f"cost_items-{index}-amount"] = amount
    data.update(changes)
    return data


def only_application(db):
    db.session.expire_all()
    return db.session.scalar(sa.select(Application))


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_unit_mission_with_costs_in_french(db, login, people):
    client = in_language(login(people["researcher"]), "fr")
    form = client.get("/applications/new/outgoing").get_data(as_text=True)
    assert 'name="funding"' in form and 'value="unit"' in form
    assert 'id="cost_items-0-amount"' in form and 'id="cost-row-template"' in form
    assert "js/cost_items.js" in form and "js/funding.js" in form
    # Enter in any box presses the form's first submit button: it saves, it removes no row.
    first_button = re.search(r"<button[^>]*>", form.split('<form method="post" novalidate>')[1])
    assert 'type="submit"' in first_button.group(0) and "name=" not in first_button.group(0)
    # Without JavaScript the programme box stays filled in: a unit mission ignores it.
    data = form_data(
        people,
        rows=[("travel", "Train Paris-Berlin", "1 500,50"), ("", "", ""),
              ("accommodation", "Hotel", f"1{NARROW}200")],
        programme_id=str(people["programme"].id),
    )
    response = post(client, "/applications/new/outgoing", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    application = only_application(db)
    assert (application.funding, application.programme_id) == ("unit", None)
    assert application.budget_line == "UNIT-MISSIONS-2026"
    assert application.requested_amount == Decimal("2700.50")  # never 150050.00 + 1200
    assert [(item.kind, item.description, item.amount) for item in application.cost_items] == [
        ("travel", "Train Paris-Berlin", Decimal("1500.50")),
        ("accommodation", "Hotel", Decimal("1200.00")),
    ]
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert re.search(r"Mission sur crédits de l(&#39;|')unité", page) and "UNIT-MISSIONS-2026" in page
    assert f"1{NARROW}500,50\u00a0€" in page and f"2{NARROW}700,50\u00a0€" in page
    assert "Train Paris-Berlin" in page and "Hébergement" in page


def test_english_amounts_and_a_programme_call(db, login, people):
    client = in_language(login(people["researcher"]), "en")
    data = form_data(people, funding="programme", programme_id=str(people["programme"].id),
                     budget_line="", rows=[("registration", "Fees", "1,500.50")])
    assert post(client, "/applications/new/outgoing", data).status_code == 302
    application = only_application(db)
    assert (application.funding, application.programme_id) == ("programme",
                                                                people["programme"].id)
    assert application.requested_amount == Decimal("1500.50")
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Programme call: Outgoing stays" in page and "€1,500.50" in page


def test_an_amount_alone_without_cost_items(db, login, people):
    client = in_language(login(people["researcher"]), "fr")
    data = form_data(people, requested_amount="2 000,25")
    assert post(client, "/applications/new/outgoing", data).status_code == 302
    application = only_application(db)
    assert application.requested_amount == Decimal("2000.25")
    assert application.cost_items == []


def test_an_amount_read_two_ways_is_refused_and_nothing_is_lost(db, login, people):
    client = in_language(login(people["researcher"]), "en")
    data = form_data(people, rows=[("travel", "Flight", "1500,50"),
                                   ("visa", "Visa fee", "80")],
                     title="My particular title")
    response = post(client, "/applications/new/outgoing", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert count(db, Application) == 0 and count(db, CostItem) == 0
    error = re.search(r'id="cost_items-0-amount-error"[^>]*>([^<]*)<', html)
    assert error and "1,500.50" in error.group(1)  # how to write it, the reader's way
    amount_input = re.search(r'<input[^>]*id="cost_items-0-amount"[^>]*>', html).group(0)
    assert 'value="1500,50"' in amount_input and 'aria-invalid="true"' in amount_input
    assert 'aria-describedby="cost_items-0-amount-error"' in amount_input
    assert 'value="Flight"' in html and 'value="Visa fee"' in html and 'value="80"' in html
    assert 'value="My particular title"' in html and 'value="UNIT-MISSIONS-2026"' in html
    assert re.search(r'<input[^>]*checked[^>]*value="unit"|<input[^>]*value="unit"[^>]*checked',
                     html)


def test_a_programme_call_needs_its_programme(db, login, people):
    client = login(people["researcher"])
    response = post(client, "/applications/new/outgoing",
                    form_data(people, funding="programme", requested_amount="100"))
    assert response.status_code == 200
    assert 'id="programme_id-error"' in response.get_data(as_text=True)
    assert count(db, Application) == 0


def test_a_refused_cost_item_is_marked_on_its_own_row(db, login, people):
    """The services name the N-th cost item they were given; an empty row in between does
    not shift the message onto another row."""
    client = login(people["researcher"])
    data = form_data(people, rows=[("travel", "Train", "100"), ("", "", ""),
                                   ("other", "Taxi", "-5")])
    response = post(client, "/applications/new/outgoing", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="cost_items-2-amount-error"' in html
    assert "cannot be negative" in html.split('id="cost_items-2-amount-error"')[1][:200]
    assert 'id="cost_items-0-amount-error"' not in html
    assert count(db, Application) == 0


def test_rows_come_and_go_without_javascript(db, login, people):
    client = login(people["researcher"])
    data = form_data(people, rows=[("travel", "Train", "100")], cost_rows="add")
    html = post(client, "/applications/new/outgoing", data).get_data(as_text=True)
    assert 'id="cost_items-1-amount"' in html and 'value="Train"' in html
    assert count(db, Application) == 0  # nothing saved meanwhile
    data = form_data(people, rows=[("travel", "Train", "100"), ("visa", "Visa", "60")],
                     cost_rows="remove-0")
    html = post(client, "/applications/new/outgoing", data).get_data(as_text=True)
    assert 'id="cost_items-0-amount"' not in html and 'value="Visa"' in html
    assert count(db, Application) == 0


def test_editing_shows_the_rows_in_the_readers_language_and_replaces_them(db, login, people):
    application = create_application(
        people["researcher"], "outgoing",
        {**form_data(people), "funding": "programme", "programme_id": people["programme"].id,
         "cost_items": [{"kind": "travel", "description": "Train", "amount": "1500.50"}]})
    db.session.commit()
    client = in_language(login(people["researcher"]), "fr")
    page = f"/applications/{application.id}/edit"
    html = client.get(page).get_data(as_text=True)
    assert re.search(r'id="cost_items-0-amount"[^>]*value="1500,50"', html)
    assert re.search(r'<input[^>]*checked[^>]*value="programme"'
                     r'|<input[^>]*value="programme"[^>]*checked', html)
    data = form_data(people, rows=[("visa", "Visa", "60"), ("insurance", "Cover", "12,5")],
                     version=str(application.version))
    response = post(client, page, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    stored = only_application(db)
    assert (stored.funding, stored.programme_id) == ("unit", None)
    assert [(item.kind, item.amount) for item in stored.cost_items] == [
        ("visa", Decimal("60.00")), ("insurance", Decimal("12.50"))]
    assert stored.requested_amount == Decimal("72.50")


# The director's decision on a unit mission -----------------------------------------------
@pytest.fixture
def submitted_mission(db, people):
    application = create_application(
        people["researcher"], "outgoing",
        {**form_data(people), "cost_items": [
            {"kind": "travel", "description": "Flight", "amount": "1500.50"}]})
    transition(application, "submit", people["researcher"], version=application.version)
    db.session.commit()
    return application


def action_buttons(html):
    return re.findall(r'<button type="submit"[^>]*name="action" value="([a-z]+)"', html)


def test_the_director_approves_a_unit_mission_and_the_office_never_sees_it(
        db, app, login, people, submitted_mission):
    admin = app.test_client()
    from tests.conftest import sign_in
    sign_in(admin, people["admin"])
    assert submitted_mission.reference not in admin.get("/review/admin").get_data(as_text=True)

    client = in_language(login(people["director"]), "fr")
    queue = client.get("/review/director").get_data(as_text=True)
    assert submitted_mission.reference in queue
    assert re.search(r"Mission sur crédits de l(&#39;|')unité", queue)  # the badge, in French
    url = f"/applications/{submitted_mission.id}"
    html = client.get(url).get_data(as_text=True)
    assert action_buttons(html) == ["return", "decline", "approve"]
    assert re.search(r'id="approve-awarded_amount"[^>]*value="1500,50"', html)
    response = post(client, f"{url}/actions/approve",
                    {"approve-awarded_amount": "1 200,00", "approve-version": "2"}, page=url)
    assert response.status_code == 302
    stored = only_application(db)
    assert (stored.status, stored.awarded_amount) == ("approved", Decimal("1200.00"))
    assert submitted_mission.reference not in admin.get("/review/admin").get_data(as_text=True)


def test_an_unclear_awarded_amount_is_refused_with_the_readers_example(
        db, login, people, submitted_mission):
    client = in_language(login(people["director"]), "en")
    url = f"/applications/{submitted_mission.id}"
    response = post(client, f"{url}/actions/approve",
                    {"approve-awarded_amount": "1500,50", "approve-version": "2"}, page=url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    error = re.search(r'id="approve-awarded_amount-error"[^>]*>([^<]*)<', html)
    assert error and "1,500.50" in error.group(1)
    assert re.search(r'id="approve-awarded_amount"[^>]*value="1500,50"', html)
    assert only_application(db).status == "submitted"


def test_nobody_else_approves_a_unit_mission(db, app, people, submitted_mission):
    from tests.conftest import sign_in
    url = f"/applications/{submitted_mission.id}"
    for person in ("admin", "other_director", "researcher"):
        client = app.test_client()
        sign_in(client, people[person])
        page = client.get(url)
        if page.status_code == 200:  # the admin and the applicant see it, without the button
            assert "approve" not in action_buttons(page.get_data(as_text=True)), person
        response = post(client, f"{url}/actions/approve",
                        {"approve-awarded_amount": "10", "approve-version": "2"},
                        page="/applications/")
        # Refused: 403 or 404 (invisible), or the office's "not now" (a redirect to the page).
        assert response.status_code in (302, 403, 404), person
    assert only_application(db).status == "submitted"


def test_a_unit_mission_posts_no_programme_at_all(db, login, people):
    """static/js/funding.js disables the hidden programme box: nothing is posted for it."""
    client = login(people["researcher"])
    data = form_data(people, requested_amount="300")
    del data["programme_id"]
    response = post(client, "/applications/new/outgoing", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert only_application(db).funding == "unit"


def test_too_many_rows_are_refused_not_dropped(db, login, people):
    client = login(people["researcher"])
    rows = [("travel", f"Leg {n}", "10") for n in range(31)]
    html = post(client, "/applications/new/outgoing", form_data(people, rows=rows)) \
        .get_data(as_text=True)
    assert 'id="cost_items-error"' in html and "at most 30" in html
    assert 'value="Leg 30"' in html  # the last row is still there to remove
    assert count(db, Application) == 0
