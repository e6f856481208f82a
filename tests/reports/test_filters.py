"""One filter builder: the reports list and the API's list find the same applications."""

import re

import pytest
import sqlalchemy as sa

from tracker.access import visible_applications
from tracker.applications.models import Application
from tracker.extensions import db
from tracker.reports.filters import apply_filters, text_search

REF = re.compile(r"MOB-\d{4}-\d{6}")


@pytest.fixture
def named(make, org):
    """Applications whose references, titles and names tell prefixes from substrings."""
    ada, programme = org["ada"], org["outgoing"]
    return {
        "first": make.application(applicant=ada, programme=programme, reference="MOB-2031-000123",
                                  title="Optics"),
        "second": make.application(applicant=ada, programme=programme,
                                   reference="MOB-2031-001230", title="About MOB-2031-000123"),
        "other_year": make.application(applicant=org["bob"], programme=programme,
                                       reference="MOB-2032-000123", title="50% off_site"),
    }


def _keys(named, query):
    ids = set(db.session.scalars(query.with_only_columns(Application.id)))
    return {key for key, application in named.items() if application.id in ids}


# What each text finds among the applications of ``named``.
FOUND = {
    "mob-2031-000123": {"first"},          # a whole reference: that one, not the title
    "MOB-2031-00": {"first", "second"},    # the beginning of references
    "mob-": {"first", "second", "other_year"},
    "2031-000123": {"first", "second"},    # not a reference's start: anywhere, titles too
    "MOB-2031_000123": set(),              # "_" is a character, not a wildcard
    "50%": {"other_year"},
    "off_s": {"other_year"},
    "%": {"other_year"},
    "optics": {"first"},
    "LOVELACE": {"first", "second"},
}


@pytest.mark.parametrize("q", FOUND)
def test_text_search(app, org, named, q):
    assert _keys(named, sa.select(Application).where(text_search(q))) == FOUND[q]


def test_filters_never_widen_what_the_user_sees(app, org, named):
    query = apply_filters(visible_applications(org["bob"]), q="mob-")
    assert _keys(named, query) == {"other_year"}


def test_no_filter_leaves_the_query_alone(app, org):
    query = visible_applications(org["admin"])
    assert str(apply_filters(query, status=None, q="")) == str(query)


@pytest.mark.parametrize("q", ["mob-2031-000123", "MOB-2031-00", "2031-000123", "off_s",
                               "LOVELACE"])
def test_the_list_and_the_api_find_the_same(client, login, org, named, q):
    login(org["admin"])
    page = client.get(f"/reports/applications?q={q}")
    assert page.status_code == 200
    api = client.get(f"/api/v1/applications?q={q}")
    assert api.status_code == 200
    from_api = {item["reference"] for item in api.get_json()["items"]}
    assert set(REF.findall(page.get_data(as_text=True))) == from_api
    assert from_api == {named[key].reference for key in FOUND[q]}


@pytest.mark.parametrize("query", ["q=a%00b", "programme=%C2%B2", "laboratory=%D9%A3",
                                   "year=%C2%B2%C2%B2"])
def test_values_the_database_cannot_take_are_400(client, login, org, query):
    login(org["admin"])
    assert client.get(f"/reports/applications?{query}").status_code == 400
    assert client.get(f"/reports/applications.csv?{query}").status_code == 400


def test_dashboard_year_in_other_digits_is_400(client, login, org):
    login(org["admin"])
    assert client.get("/reports/?year=%C2%B2").status_code == 400


# Accents are ignored, on both databases -------------------------------------------------------
@pytest.fixture
def accented(make, org):
    programme = org["outgoing"]
    emile = make.user(lab=org["unit_a"], full_name="Émile Châtelet")
    return {
        "plain": make.application(applicant=org["ada"], programme=programme,
                                  title="Petit prince"),
        "accented": make.application(applicant=org["ada"], programme=programme,
                                     title="Le Pétit Café"),
        "ligature": make.application(applicant=org["ada"], programme=programme,
                                     title="Œuvres complètes"),
        "by_emile": make.application(applicant=emile, programme=programme, title="Optique"),
    }


ACCENT_FOUND = {
    "pétit": {"plain", "accented"},     # an accent typed finds the word without
    "petit": {"plain", "accented"},     # and the plain word finds the accented one
    "PÉTIT": {"plain", "accented"},
    "cafe": {"accented"},
    "oeuvres": {"ligature"},
    "completes": {"ligature"},
    "emile chatelet": {"by_emile"},     # applicants' names too
    "ÉMILE": {"by_emile"},
    "pe%t": set(),                      # wildcards are still characters
}


@pytest.mark.parametrize("q", ACCENT_FOUND)
def test_search_ignores_accents(app, org, accented, q):
    assert _keys(accented, sa.select(Application).where(text_search(q))) == ACCENT_FOUND[q]


def test_the_list_and_the_api_ignore_accents_alike(client, login, org, accented):
    login(org["admin"])
    for q, expected in (("pétit", {"plain", "accented"}), ("petit", {"plain", "accented"})):
        api = client.get(f"/api/v1/applications?q={q}").get_json()
        assert {item["reference"] for item in api["items"]} == \
            {accented[key].reference for key in expected}
        page = client.get(f"/reports/applications?q={q}").get_data(as_text=True)
        assert set(REF.findall(page)) == {accented[key].reference for key in expected}


def test_the_search_function_is_the_databases_own(app, db):
    """PostgreSQL's comes from the migration (unaccent), SQLite's from the connection."""
    folded = db.session.scalar(sa.select(sa.func.tracker_unaccent("Pétit Œuvre Çà")))
    assert folded == "Petit OEuvre Ca"
    if db.engine.dialect.name == "postgresql":
        volatility = db.session.scalar(sa.text(
            "SELECT provolatile FROM pg_proc WHERE proname = 'tracker_unaccent'"))
        assert volatility == "i"  # IMMUTABLE: an index may use it
