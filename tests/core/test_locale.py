"""The reader's language: the person's choice, else the visitor's, else the browser's; the
header's switch that sets it; and ``lang`` true to the text on every page."""

import re

import sqlalchemy as sa
from flask_babel import refresh

from tests.conftest import csrf_token, sign_in
from tracker.auth.models import User
from tracker.core.errors import handle_database_unavailable

FRENCH_BROWSER = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.8"}


def page_language(response):
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:300]
    return match.group(1)


def switch(client, locale, next_url="/", headers=None):
    """Press the header's button for ``locale`` on the page ``next_url``."""
    token = csrf_token(client, "/")
    return client.post("/language", data={"locale": locale, "next": next_url,
                                          "csrf_token": token}, headers=headers or {})


def stored_locale(db, user):
    db.session.expire_all()
    return db.session.get(User, user.id).locale


# The selector ----------------------------------------------------------------------------
def test_without_any_choice_the_default_language_speaks(client, french):
    response = client.get("/auth/login")
    assert page_language(response) == "en"
    assert "Mobility tracker" in response.get_data(as_text=True)


def test_the_browsers_language_when_nobody_chose(client, french):
    response = client.get("/auth/login", headers=FRENCH_BROWSER)
    assert page_language(response) == "fr"
    assert "Suivi des mobilités" in response.get_data(as_text=True)
    # A language the tracker does not speak: the browser's next best, else the default.
    assert page_language(client.get("/auth/login", headers={
        "Accept-Language": "de-DE,de;q=0.9,fr;q=0.4"})) == "fr"
    assert page_language(client.get("/auth/login", headers={"Accept-Language": "de"})) == "en"


def test_a_visitors_choice_beats_the_browser(client, french):
    switch(client, "fr")
    response = client.get("/auth/login", headers=ENGLISH_BROWSER)
    assert page_language(response) == "fr"
    assert "Suivi des mobilités" in response.get_data(as_text=True)


def test_the_persons_choice_beats_the_session_and_the_browser(app, db, make, french):
    user = make.user()
    user.locale = "en"
    db.session.commit()
    client = app.test_client()
    switch(client, "fr")  # as a visitor, before signing in
    sign_in(client, user)
    assert page_language(client.get("/", headers=FRENCH_BROWSER)) == "en"


def test_a_visitors_choice_survives_signing_in_and_out(app, make, french):
    user = make.user()  # no choice of their own
    client = app.test_client()
    switch(client, "fr")
    sign_in(client, user)
    assert page_language(client.get("/", headers=ENGLISH_BROWSER)) == "fr"
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert page_language(client.get("/auth/login", headers=ENGLISH_BROWSER)) == "fr"


def test_without_a_request_the_default_language(app):
    from flask_babel import get_locale

    assert str(get_locale()) == "en"


# The switch ------------------------------------------------------------------------------
def test_the_switch_remembers_the_choice_on_the_person(app, db, make, french):
    user = make.user()
    client = app.test_client()
    sign_in(client, user)

    response = switch(client, "fr", next_url="/applications/?status=draft")

    assert response.status_code == 302
    assert response.headers["Location"] == "/applications/?status=draft"
    assert stored_locale(db, user) == "fr"
    # Another browser, which never pressed the switch, speaks it too.
    elsewhere = app.test_client()
    sign_in(elsewhere, user)
    assert page_language(elsewhere.get("/", headers=ENGLISH_BROWSER)) == "fr"

    switch(client, "en")
    assert stored_locale(db, user) == "en"


def test_a_visitors_choice_is_kept_in_their_session_only(client, db, make):
    someone = make.user()
    switch(client, "fr")
    with client.session_transaction() as session:
        assert session["locale"] == "fr"
    assert stored_locale(db, someone) is None


def test_the_switch_needs_the_csrf_token(app, db, make):
    user = make.user()
    client = app.test_client()
    sign_in(client, user)
    response = client.post("/language", data={"locale": "fr", "next": "/"})
    assert response.status_code == 400
    assert stored_locale(db, user) is None


def test_the_switch_goes_back_only_to_this_site(client):
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example",
                   "javascript:alert(1)", ""):
        response = switch(client, "fr", next_url=target)
        assert response.status_code == 302
        assert response.headers["Location"] == "/", target


def test_the_switch_refuses_a_language_the_tracker_does_not_speak(app, db, make):
    user = make.user()
    client = app.test_client()
    sign_in(client, user)
    for locale in ("de", "", "fr_FR", "x" * 500):
        assert switch(client, locale).status_code == 400
    assert stored_locale(db, user) is None


def test_the_switch_is_in_the_header_of_every_page(client, make, french):
    html = client.get("/auth/login", headers=FRENCH_BROWSER).get_data(as_text=True)
    header = html.split("</header>", 1)[0]
    form = re.search(r'<form method="post" action="/language"[^>]*>(.*?)</form>', header, re.S)
    assert form, header
    assert 'aria-label="Langue"' in form.group(0)
    assert 'name="csrf_token"' in form.group(1)
    assert 'name="next" value="/auth/login"' in form.group(1)
    buttons = re.findall(r"<button([^>]*)>([^<]*)</button>", form.group(1))
    assert [(re.search(r'lang="(\w+)"', attrs).group(1), name) for attrs, name in buttons] == [
        ("en", "English"), ("fr", "Français")]
    # The language being read is marked as such; both remain buttons a keyboard reaches.
    assert ['aria-current="true"' in attrs for attrs, _ in buttons] == [False, True]
    assert all('type="submit"' in attrs for attrs, _ in buttons)


# lang on every page, error pages included ------------------------------------------------
def test_error_pages_speak_the_readers_language(client, make, french):
    response = client.get("/no/such/page", headers=FRENCH_BROWSER)
    assert response.status_code == 404
    assert page_language(response) == "fr"
    assert "Page introuvable" in response.get_data(as_text=True)
    assert page_language(client.get("/no/such/page")) == "en"


def test_the_outage_page_speaks_the_readers_language(app, french):
    error = sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))
    for headers, language, title in ((FRENCH_BROWSER, "fr", "Momentanément indisponible"),
                                     (ENGLISH_BROWSER, "en", "Temporarily unavailable")):
        with app.test_request_context("/", headers=headers):
            refresh()  # the test's application context outlives one request; a server's does not
            body, status, _ = handle_database_unavailable(error)
        assert status == 503
        assert f'<html lang="{language}">' in body and title in body


def test_countries_are_named_in_the_readers_language(app):
    from tracker.core.countries import country_choices, country_name

    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert (country_name("JP"), country_name("de")) == ("Japon", "Allemagne")
        names = [name for _, name in country_choices()]
        # Sorted as a French reader expects: accents aside, "Égypte" before "Érythrée" and
        # both among the E's, not after "Zimbabwe".
        assert names.index("Égypte") < names.index("Érythrée") < names.index("Espagne")
        assert country_name("JP", "en") == "Japan"  # the API's one value


def test_countries_are_named_in_english_for_an_english_reader(app):
    from tracker.core.countries import country_name

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert country_name("JP") == "Japan"
