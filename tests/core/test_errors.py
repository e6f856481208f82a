"""Error pages for browsers, JSON errors under /api/, and never a traceback."""

import pytest
from werkzeug.exceptions import Conflict

from config import TestingConfig
from tracker import create_app
from tracker.extensions import db

SECRET_DETAIL = "secret detail of the failure 7f3a"


@pytest.fixture
def failing_app(database_uri):
    """A separate app with views that fail, so the shared app never gains routes."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_uri)

    @app.route("/failing")
    def failing():
        raise RuntimeError(SECRET_DETAIL)

    @app.route("/api/v1/failing")
    def failing_api():
        raise RuntimeError(SECRET_DETAIL)

    @app.route("/failing-insert")
    def failing_insert():
        from tracker.auth.models import User

        # Two accounts with one address: the unique constraint refuses the second row.
        for _ in range(2):
            db.session.add(User(email="twice@example.org", full_name="Twice",
                                password_hash=SECRET_DETAIL, nationality="FR"))
        db.session.flush()

    @app.route("/api/v1/conflict")
    def conflict_api():
        raise Conflict()

    yield app
    with app.app_context():
        db.engine.dispose()


def assert_no_traceback(body):
    assert "Traceback" not in body
    assert SECRET_DETAIL not in body
    assert 'File "' not in body


def assert_json_error(response, status, code):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert_no_traceback(response.get_data(as_text=True))
    return error


def test_unknown_page_is_a_friendly_html_404(client):
    response = client.get("/no/such/page")

    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "This page does not exist" in body
    assert "<main" in body  # the site's layout, with its navigation back
    assert_no_traceback(body)


def test_wrong_method_is_a_friendly_html_405(client):
    response = client.get("/auth/logout")

    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert_no_traceback(response.get_data(as_text=True))


@pytest.mark.parametrize("path", ["/api/anything", "/api/v1/anything", "/api/v1/applications/0/nothing"])
def test_unknown_api_path_is_a_json_404(client, path):
    assert_json_error(client.get(path), 404, "not_found")


def test_failing_view_renders_the_friendly_500_page(failing_app):
    response = failing_app.test_client().get("/failing")

    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "Something went wrong on our side" in body
    # It promises nothing the app does not do: the error is logged, nobody is alerted.
    assert "recorded in the server" in body and "has been told" not in body
    assert_no_traceback(body)


def test_a_failed_statement_is_logged_without_its_values(failing_app, caplog):
    with caplog.at_level("ERROR"):
        response = failing_app.test_client().get("/failing-insert")
    assert response.status_code == 500
    logged = caplog.text
    assert "IntegrityError" in logged  # the failure itself is logged...
    assert SECRET_DETAIL not in logged  # ...without the values bound to the statement
    assert "twice@example.org" not in logged
    assert_no_traceback(response.get_data(as_text=True))


def test_failing_api_view_answers_a_json_500(failing_app):
    assert_json_error(failing_app.test_client().get("/api/v1/failing"), 500, "server_error")


def test_http_errors_in_the_api_keep_their_status(failing_app):
    assert_json_error(failing_app.test_client().get("/api/v1/conflict"), 409, "conflict")


def test_failures_are_logged_for_the_team(failing_app, caplog):
    failing_app.test_client().get("/failing")
    assert SECRET_DETAIL in caplog.text
