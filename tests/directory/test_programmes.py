"""Administration of programmes: list, filters, create, edit, and their validation."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import post_form, sign_in
from tests.directory.helpers import (
    checked,
    described_by_error,
    error_of,
    first_column,
    input_value,
    page,
    selected,
    table_rows,
)
from tracker.directory.models import Programme


def programme_form(**changes):
    data = {
        "name": "Young researchers abroad",
        "direction": "outgoing",
        "opens_on": "2027-01-01",
        "closes_on": "2027-06-30",
        "min_days": "10",
        "max_days": "365",
        "budget": "150000.50",
        "eligible_categories": ["phd_student", "postdoc"],
        "description": "For stays in partner laboratories.",
        "active": "y",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def programmes_named(db, name):
    db.session.expire_all()
    return db.session.scalars(sa.select(Programme).where(Programme.name == name)).all()


# Listing -------------------------------------------------------------------------------------
def test_list_filters_by_direction_active_and_name(client, admin, make):
    make.programme("outgoing", name="Outgoing Open")
    make.programme("incoming", name="Incoming Open")
    make.programme("incoming", name="Incoming Closed", active=False)
    assert sorted(first_column(client.get("/admin/programmes?direction=incoming"))) == [
        "Incoming Closed", "Incoming Open"]
    assert first_column(client.get("/admin/programmes?active=0")) == ["Incoming Closed"]
    assert sorted(first_column(client.get("/admin/programmes?active=1"))) == [
        "Incoming Open", "Outgoing Open"]
    assert first_column(client.get("/admin/programmes?q=outgoing+op")) == ["Outgoing Open"]
    response = client.get("/admin/programmes?q=nothing-like-it")
    assert "No programme matches these filters." in page(response)


def test_list_shows_categories_and_budget(client, admin, make):
    make.programme("outgoing", name="Doctoral", categories=("phd_student",),
                   budget=Decimal("12345.60"))
    [row] = table_rows(client.get("/admin/programmes"))
    assert row[0] == "Doctoral"
    assert row[4] == "12,345.60"
    assert row[5] == "PhD student"


def test_list_shows_budgets_in_the_readers_way(client, admin, make):
    make.programme("outgoing", name="Doctoral", budget=Decimal("1200000.00"))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    [row] = table_rows(client.get("/admin/programmes"))
    assert row[4].replace("\u202f", " ") == "1 200 000,00"


def test_pagination(client, admin, make):
    for n in range(26):
        make.programme("outgoing", name=f"Call {n:02d}")
    assert len(table_rows(client.get("/admin/programmes"))) == 25
    assert len(table_rows(client.get("/admin/programmes?page=2"))) == 1


def test_list_queries_do_not_grow_with_rows(client, admin, make, count_queries):
    make.programme("outgoing")
    few = count_queries(lambda: client.get("/admin/programmes"))
    for _ in range(15):
        make.programme("incoming")
    assert count_queries(lambda: client.get("/admin/programmes")) == few


# Creating and editing ------------------------------------------------------------------------
def test_new_programme_form_starts_active(client, admin):
    response = client.get("/admin/programmes/new")
    assert response.status_code == 200
    assert 'id="active"' in page(response)
    assert "checked" in page(response).split('id="active"')[0].rsplit("<input", 1)[1]


def test_create_a_programme(client, admin, db):
    response = post_form(client, "/admin/programmes/new", programme_form())
    assert response.status_code == 302
    [programme] = programmes_named(db, "Young researchers abroad")
    assert programme.direction == "outgoing"
    assert (programme.opens_on, programme.closes_on) == (date(2027, 1, 1), date(2027, 6, 30))
    assert (programme.min_days, programme.max_days) == (10, 365)
    assert programme.budget == Decimal("150000.50")
    assert programme.eligible_categories == ["phd_student", "postdoc"]
    assert programme.description == "For stays in partner laboratories."
    assert programme.active


def test_edit_a_programme(client, admin, make, db):
    programme = make.programme("outgoing", name="Old name", categories=("researcher",))
    page_before = client.get(f"/admin/programmes/{programme.id}")
    assert input_value(page_before, "name") == "Old name"
    assert checked(page_before, "eligible_categories") == ["researcher"]
    response = post_form(client, f"/admin/programmes/{programme.id}", programme_form(
        name="New name", direction="incoming", eligible_categories=["engineer", "other"],
        active=None, budget="0"))
    assert response.status_code == 302
    [programme] = programmes_named(db, "New name")
    assert programme.direction == "incoming"
    assert programme.eligible_categories == ["engineer", "other"]
    assert programme.budget == Decimal("0.00")
    assert not programme.active


@pytest.mark.parametrize("typed", ["1500,50", "1 500,50", "1\u202f500,50"])
def test_a_french_budget_is_read_as_typed_never_rescaled(client, admin, db, typed):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    response = post_form(client, "/admin/programmes/new", programme_form(budget=typed))
    assert response.status_code == 302
    [programme] = programmes_named(db, "Young researchers abroad")
    assert programme.budget == Decimal("1500.50")


def test_an_english_budget_that_could_be_read_two_ways_is_refused(client, admin, db):
    response = post_form(client, "/admin/programmes/new", programme_form(budget="1500,50"))
    assert response.status_code == 200
    assert error_of(response, "budget") == (
        "Enter an amount in euros as you write it, such as 1,500.50.")
    assert input_value(response, "budget") == "1500,50"
    assert programmes_named(db, "Young researchers abroad") == []


def test_a_huge_budget_is_too_large_with_the_limit_given(client, admin, db):
    response = post_form(client, "/admin/programmes/new",
                         programme_form(budget="99,999,999,999,999"))
    assert error_of(response, "budget") == "This amount is too large: at most €999,999,999,999.99."


def test_same_day_and_equal_bounds_are_fine(client, admin, db):
    response = post_form(client, "/admin/programmes/new", programme_form(
        opens_on="2027-03-01", closes_on="2027-03-01", min_days="1827", max_days="1827"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"opens_on": "2027-06-30", "closes_on": "2027-01-01"}, "closes_on",
         "The programme must close on or after the day it opens."),
        ({"min_days": "100", "max_days": "30"}, "max_days",
         "The longest stay cannot be shorter than the shortest stay."),
        ({"budget": "-1.00"}, "budget", "The budget cannot be negative."),
        ({"budget": "10.123"}, "budget", "Use at most two decimals (cents)."),
        ({"budget": "NaN"}, "budget",
         "Enter an amount in euros as you write it, such as 1,500.50."),
        ({"budget": "1e20"}, "budget", "This amount is too large: at most €999,999,999,999.99."),
        ({"eligible_categories": []}, "eligible_categories",
         "Choose at least one category of people."),
        ({"max_days": "1828"}, "max_days", "Enter a number of days from 1 to 1827."),
        ({"min_days": "0"}, "min_days", "Enter a number of days from 1 to 1827."),
        ({"closes_on": ""}, "closes_on", "Enter a date."),
        ({"name": ""}, "name", "This field is required."),
    ],
    ids=["dates reversed", "min over max", "negative budget", "three decimals", "not a number",
         "too large", "no category", "too long", "zero days", "no closing date", "no name"],
)
def test_refusals_keep_typed_values_and_show_the_message(client, admin, db, changes, field, message):
    data = programme_form(**{"name": "Typed programme", "description": "Typed description",
                             **changes})
    response = post_form(client, "/admin/programmes/new", data)
    assert response.status_code == 200
    assert error_of(response, field) == message
    if field == "eligible_categories":
        assert described_by_error(response, "eligible_categories-0", "eligible_categories")
    else:
        assert described_by_error(response, field)
    # What was typed is still there.
    if field != "name":
        assert input_value(response, "name") == "Typed programme"
    assert "Typed description" in page(response)
    assert input_value(response, "budget") == data["budget"]
    assert input_value(response, "min_days") == data["min_days"]
    assert selected(response, "direction") == ["outgoing"]
    assert checked(response, "eligible_categories") == data["eligible_categories"]
    assert programmes_named(db, data["name"]) == []


def test_edit_refusal_leaves_the_programme_unchanged(client, admin, make, db):
    programme = make.programme("outgoing", name="Stable", min_days=1, max_days=30)
    response = post_form(client, f"/admin/programmes/{programme.id}",
                         programme_form(name="Changed", min_days="40", max_days="30"))
    assert response.status_code == 200
    assert error_of(response, "max_days")
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).name == "Stable"


def test_unknown_programme_is_404(client, admin):
    assert client.get("/admin/programmes/31337").status_code == 404


# Access --------------------------------------------------------------------------------------
def test_programme_pages_are_for_admins_only(app, make, db):
    programme = make.programme("outgoing")
    director = make.director_of(make.lab("unit"))
    researcher = make.user()
    for person in (researcher, director):
        other = app.test_client()
        sign_in(other, person)
        for url in ("/admin/programmes", "/admin/programmes/new", f"/admin/programmes/{programme.id}"):
            assert other.get(url).status_code == 403
        assert post_form(other, "/admin/programmes/new", programme_form(),
                         page="/auth/password").status_code == 403
    assert programmes_named(db, "Young researchers abroad") == []
    response = app.test_client().get("/admin/programmes")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_absurd_page_numbers_answer_an_empty_page(client, admin, make):
    make.programme("outgoing")
    for number in ("0", "-3", "abc", "9" * 30):
        response = client.get(f"/admin/programmes?page={number}")
        assert response.status_code == 200, number
