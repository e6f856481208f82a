"""Configuration: production refuses unsafe settings and marks its cookies Secure."""

import logging

import pytest

from config import ProductionConfig
from tests.conftest import PASSWORD, csrf_token
from tracker import create_app


def test_production_refuses_to_start_without_a_secret_key(database_uri):
    # SECRET_KEY=None stands for "not in the environment", whatever this machine has.
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY=None, SQLALCHEMY_DATABASE_URI=database_uri)


def test_production_refuses_an_empty_secret_key(database_uri):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY="", SQLALCHEMY_DATABASE_URI=database_uri)


def test_production_refuses_debug_mode(database_uri):
    with pytest.raises(RuntimeError, match="[Dd]ebug"):
        create_app(
            ProductionConfig,
            SECRET_KEY="a-real-secret-for-this-test",
            DEBUG=True,
            SQLALCHEMY_DATABASE_URI=database_uri,
        )


def test_production_cookies_are_secure_httponly_and_lax(database_uri, make):
    user = make.user()
    production = create_app(
        ProductionConfig,
        SECRET_KEY="a-real-secret-for-this-test",
        SQLALCHEMY_DATABASE_URI=database_uri,
        PASSWORD_HASH_METHOD="scrypt:4096:8:1",
    )
    client = production.test_client()

    # Secure cookies travel over HTTPS only, so the client speaks HTTPS; over HTTPS the
    # CSRF check also wants the Referer a browser sends.
    login_url = "https://localhost/auth/login"
    response = client.post(
        login_url,
        data={"email": user.email, "password": PASSWORD, "remember": "y",
              "csrf_token": csrf_token(client, login_url)},
        headers={"Referer": login_url},
    )

    assert response.status_code == 302
    cookies = {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        assert "; Secure" in cookies[name]
        assert "HttpOnly" in cookies[name]
        assert "SameSite=Lax" in cookies[name]


def test_production_keeps_csrf_protection_on(database_uri):
    production = create_app(
        ProductionConfig, SECRET_KEY="a-real-secret-for-this-test", SQLALCHEMY_DATABASE_URI=database_uri
    )
    assert production.config.get("WTF_CSRF_ENABLED", True) is True
    response = production.test_client().post(
        "https://localhost/auth/login", data={"email": "a@example.org", "password": "x"}
    )
    assert response.status_code == 400


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(database_uri):
    from flask import request

    proxied = create_app(
        ProductionConfig,
        SECRET_KEY="a-real-secret-for-this-test",
        SQLALCHEMY_DATABASE_URI=database_uri,
        PROXY_FIX_X_FOR=1,
    )
    direct = create_app(
        ProductionConfig, SECRET_KEY="a-real-secret-for-this-test", SQLALCHEMY_DATABASE_URI=database_uri
    )
    headers = {"X-Forwarded-For": "203.0.113.7"}
    seen = {}
    for name, instance in (("proxied", proxied), ("direct", direct)):
        @instance.route("/_address")
        def address():
            return request.remote_addr

        seen[name] = instance.test_client().get(
            "/_address", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"}
        ).get_data(as_text=True)
    assert seen == {"proxied": "203.0.113.7", "direct": "127.0.0.1"}


def test_production_warns_when_report_figures_stay_in_each_worker(database_uri, caplog):
    def warnings_with(**settings):
        caplog.clear()
        create_app(ProductionConfig, SECRET_KEY="a-real-secret-for-this-test",
                   SQLALCHEMY_DATABASE_URI=database_uri, **settings)
        return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]

    caplog.set_level(logging.WARNING)
    assert any("CACHE_URL" in message for message in warnings_with(CACHE_URL=None))
    shared = warnings_with(CACHE_URL="redis://127.0.0.1:6379/1")  # not contacted at start
    assert not any("CACHE_URL" in message for message in shared)


def test_translated_text_renders_outside_a_request(app):
    """Command-line tools turn lazy translated messages into text without a request."""
    from flask_babel import lazy_gettext

    assert str(lazy_gettext("Draft")) == "Draft"


@pytest.mark.parametrize(("setting", "value", "warning"), [
    # Notifications would only be logged.
    ("MAIL_SERVER", "smtp.example.org", "MAIL_SERVER is unset"),
    # Large exports and imports would run within requests.
    ("REDIS_URL", "redis://127.0.0.1:6379/2", "REDIS_URL is unset"),
])
def test_production_warns_of_a_missing_service(database_uri, caplog, tmp_path, setting, value,
                                               warning):
    caplog.set_level(logging.WARNING)
    create_app(ProductionConfig, SECRET_KEY="a-real-secret-for-this-test",
               SQLALCHEMY_DATABASE_URI=database_uri, UPLOAD_FOLDER=str(tmp_path),
               **{setting: None})
    assert any(warning in r.getMessage() for r in caplog.records)
    caplog.clear()
    create_app(ProductionConfig, SECRET_KEY="a-real-secret-for-this-test",
               SQLALCHEMY_DATABASE_URI=database_uri, UPLOAD_FOLDER=str(tmp_path),
               **{setting: value})
    assert not any(setting in r.getMessage() for r in caplog.records)


def test_production_refuses_an_upload_folder_it_cannot_write(database_uri, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(RuntimeError, match="UPLOAD_FOLDER"):
        create_app(ProductionConfig, SECRET_KEY="a-real-secret-for-this-test",
                   SQLALCHEMY_DATABASE_URI=database_uri, UPLOAD_FOLDER=str(blocker / "uploads"))


def test_production_creates_a_missing_upload_folder(database_uri, tmp_path):
    folder = tmp_path / "documents" / "uploads"
    create_app(ProductionConfig, SECRET_KEY="a-real-secret-for-this-test",
               SQLALCHEMY_DATABASE_URI=database_uri, UPLOAD_FOLDER=str(folder))
    assert folder.is_dir() and list(folder.iterdir()) == []
