"""The tokens page creates tokens, the API docs render backticks as code, the favicon."""

import sqlalchemy as sa

from tests.conftest import csrf_token
from tracker.api.docs import inline_code
from tracker.auth.models import ApiToken


# API tokens made from the page ------------------------------------------------------------
def test_the_tokens_page_creates_a_token_shown_once(client, login, make, db):
    me = make.user()
    login(me)
    page = client.get("/auth/tokens").get_data(as_text=True)
    assert 'action="/auth/tokens"' in page and "Create a token" in page

    response = client.post("/auth/tokens", data={
        "name": "backup script", "csrf_token": csrf_token(client, "/auth/tokens")})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    row = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == me.id)).one()
    assert row.name == "backup script"
    token = html.split('id="new-token">', 1)[1].split("<", 1)[0]
    # The token shown opens the API; the page after shows it no more.
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in client.get("/auth/tokens").get_data(as_text=True)


def test_creating_a_token_needs_the_csrf_token_and_a_short_name(client, login, make, db):
    me = make.user()
    login(me)
    assert client.post("/auth/tokens", data={"name": "x"}).status_code == 400
    too_long = client.post("/auth/tokens", data={
        "name": "x" * 101, "csrf_token": csrf_token(client, "/auth/tokens")})
    assert too_long.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


# The API documentation's backticks ----------------------------------------------------------
def test_backticks_become_code_and_everything_else_is_escaped():
    assert str(inline_code("Use `q` to search")) == "Use <code>q</code> to search"
    assert str(inline_code("`<script>` & <b>`")) == "<code>&lt;script&gt;</code> &amp; &lt;b&gt;`"
    assert str(inline_code(None)) == ""


def test_the_api_docs_page_shows_no_literal_backticks(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    main = html.split("<main", 1)[1]
    assert "`" not in main
    assert "<code>" in main


# The favicon -----------------------------------------------------------------------------
def test_favicon_is_served_and_named_by_every_page(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.get_data()
    assert 'rel="icon" href="/static/img/favicon.svg?v=' in client.get("/").get_data(as_text=True)
