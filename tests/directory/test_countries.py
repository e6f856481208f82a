"""Countries' risk levels: the page of admins and security officers, and the badges that show
a level wherever a destination is shown."""

import sqlalchemy as sa

from tests.conftest import post_form, sign_in
from tests.directory.helpers import error_of, page, table_rows
from tracker.directory.models import Country


def level_of(db, code):
    db.session.expire_all()
    row = db.session.get(Country, code)
    return row.risk_level if row is not None else "green"


def test_admin_sees_every_country_with_the_levels_set_first(client, admin, make, db):
    db.session.add(Country(code="ML", risk_level="red", note="Example", updated_by_id=admin.id))
    db.session.add(Country(code="NE", risk_level="orange", note=""))
    db.session.commit()
    response = client.get("/admin/countries")
    assert response.status_code == 200
    rows = table_rows(response)
    assert [row[0] for row in rows[:2]] == ["Mali", "Niger"]
    assert rows[0][2] == "Red: formally not recommended"
    assert rows[0][3] == "Example" and rows[0][4] == "Alice Admin"
    # The page says what the levels are, and are not.
    text = page(response)
    assert "organisation&#39;s own assessment" in text or "organisation's own assessment" in text
    assert "not an official map" in text
    # Every ISO country is listed (paged): the count says so.
    assert "249 results" in text or "250 results" in text


def test_filter_by_level_and_by_name(client, admin, db):
    db.session.add(Country(code="ML", risk_level="red", note=""))
    db.session.commit()
    assert [row[0] for row in table_rows(client.get("/admin/countries?risk_level=red"))] == ["Mali"]
    names = [row[0] for row in table_rows(client.get("/admin/countries?q=germ"))]
    assert names == ["Germany"]
    # Green includes the countries nobody set, not the red one.
    greens = [row[0] for row in table_rows(client.get("/admin/countries?risk_level=green&q=ma"))]
    assert "Mali" not in greens and "Malta" in greens
    empty = client.get("/admin/countries?q=zzzz")
    assert "No country matches these filters." in page(empty)


def test_admin_sets_a_level_and_a_note(client, admin, db):
    response = post_form(client, "/admin/countries/ml",
                         {"risk_level": "red", "note": "  Example for the demo  "})
    assert response.status_code == 302
    row = db.session.get(Country, "ML")
    assert (row.risk_level, row.note, row.updated_by_id) == ("red", "Example for the demo", admin.id)
    assert "Mali" in page(client.get(response.headers["Location"]))  # confirmation message
    # Lowered again later: the row stays, with the new level.
    post_form(client, "/admin/countries/ML", {"risk_level": "yellow", "note": ""})
    assert level_of(db, "ML") == "yellow"


def test_a_bad_level_is_refused_next_to_its_field_and_keeps_the_note(client, admin, db):
    response = post_form(client, "/admin/countries/ML", {"risk_level": "purple", "note": "Kept"})
    assert response.status_code == 200
    assert error_of(response, "risk_level")
    assert "Kept" in page(response)
    assert level_of(db, "ML") == "green"


def test_unknown_country_is_404(client, admin):
    assert client.get("/admin/countries/XX").status_code == 404
    assert client.get("/admin/countries/FRA").status_code == 404


def test_security_officer_manages_levels(app, make, db):
    client = app.test_client()
    sign_in(client, make.user(roles=("security_officer",)))
    assert client.get("/admin/countries").status_code == 200
    assert post_form(client, "/admin/countries/NE", {"risk_level": "orange"}).status_code == 302
    assert level_of(db, "NE") == "orange"
    # The rest of the directory is not theirs.
    assert client.get("/admin/rules").status_code == 403


def test_researcher_and_director_may_not(app, make, db):
    for user in (make.user(), make.director_of(make.lab("unit"))):
        client = app.test_client()
        sign_in(client, user)
        assert client.get("/admin/countries").status_code == 403
        response = post_form(client, "/admin/countries/NE", {"risk_level": "red"},
                             page="/auth/password")
        assert response.status_code == 403
    assert level_of(db, "NE") == "green"


# Badges --------------------------------------------------------------------------------------
def test_the_level_shows_next_to_the_destination(app, make, db, count_queries):
    unit = make.lab("unit")
    researcher = make.user(lab=unit)
    mali = make.lab("partner", country="ML", name="Bamako Partner")
    germany = make.lab("partner", country="DE", name="Berlin Partner")
    first = make.application(applicant=researcher, host=mali)
    make.application(applicant=researcher, host=germany)
    db.session.add(Country(code="ML", risk_level="red", note=""))
    db.session.commit()
    client = app.test_client()
    sign_in(client, researcher)
    listing = page(client.get("/applications/"))
    assert listing.count("Risk: red") == 1  # Mali, not Germany (green: no badge)
    assert 'class="badge risk-badge risk-red"' in listing
    assert "Risk: red" in page(client.get(f"/applications/{first.id}"))

    # The levels are read once per page, whatever the number of rows.
    one = count_queries(lambda: client.get("/applications/"))
    for _ in range(5):
        make.application(applicant=researcher, host=mali)
    assert count_queries(lambda: client.get("/applications/")) == one


def test_levels_are_read_in_one_statement_per_request(app, make, db, count_queries):
    db.session.add_all([Country(code="ML", risk_level="red", note=""),
                        Country(code="NE", risk_level="orange", note="")])
    db.session.commit()
    with app.test_request_context("/"):
        from tracker.directory.badges import risk_badge

        assert count_queries(lambda: [risk_badge(code) for code in ("ML", "NE", "DE", "ML")]) == 1
        assert "Risk: orange" in risk_badge("ne")
        assert str(risk_badge("DE")) == ""


def test_the_country_table_has_one_row_per_level_set(db, admin, client):
    post_form(client, "/admin/countries/ML", {"risk_level": "red", "note": ""})
    post_form(client, "/admin/countries/ML", {"risk_level": "orange", "note": ""})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Country)) == 1


def test_the_level_shows_in_the_review_queue_and_the_reports_list(app, make, db, count_queries):
    unit = make.lab("unit")
    director = make.director_of(unit)
    researcher = make.user(lab=unit)
    mali = make.lab("partner", country="ML", name="Bamako Partner")
    make.application(applicant=researcher, host=mali, status="submitted")
    db.session.add(Country(code="ML", risk_level="red", note=""))
    db.session.commit()
    client = app.test_client()
    sign_in(client, director)
    assert "Risk: red" in page(client.get("/review/director"))
    assert "Risk: red" in page(client.get("/reports/applications"))
    one = count_queries(lambda: client.get("/review/director"))
    for _ in range(4):
        make.application(applicant=researcher, host=mali, status="submitted")
    assert count_queries(lambda: client.get("/review/director")) == one
    assert page(client.get("/review/director")).count("Risk: red") == 5


def test_the_level_shows_on_the_laboratories_page(client, admin, make, db):
    make.lab("partner", country="ML", name="Bamako Partner")
    db.session.add(Country(code="ML", risk_level="orange", note=""))
    db.session.commit()
    rows = table_rows(client.get("/admin/laboratories"))
    assert any("Mali" in row[5] and "Risk: orange" in row[5] for row in rows)
