"""Fixtures: the app on the leg's real database, a clean database per test, factories.

The database is SQLite (a file in a temporary folder) unless ``TEST_DATABASE_URL`` names a
PostgreSQL server: then a database of its own is created for the run and dropped after it.
The schema is always built by the migrations, as in production.
"""

import contextlib
import contextvars
import os
import re
import types
import uuid
from datetime import date, timedelta
from decimal import Decimal

import flask_migrate
import pytest
import redis
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient

from config import TestingConfig, database_url
from tracker import create_app
from tracker.extensions import db as _db
from tracker.extensions import limiter

PASSWORD = "correct horse battery staple"


# Databases -------------------------------------------------------------------------------
@contextlib.contextmanager
def scratch_database(sqlite_path, prefix, server_url=None):
    """A new, empty database on the leg's server, dropped afterwards; yields its URL.

    A SQLite file at ``sqlite_path`` unless ``TEST_DATABASE_URL`` (or ``server_url``, for a
    test that needs PostgreSQL on every leg) names a PostgreSQL server, where a database
    named ``<prefix>_<pid>_<random>`` is created for the caller.
    """
    server_url = server_url or os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield "sqlite:///" + str(sqlite_path)
        return
    server_url = database_url(server_url)
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    with scratch_database(tmp_path_factory.mktemp("db") / "tracker-test.db", "tracker_test") as uri:
        yield uri


class IsolatedClient(FlaskClient):
    """A test client whose requests each get their own application context.

    Tests run inside an application context (for factories and queries); without this,
    requests would share it, and with it ``g`` and the database session, unlike production.
    """

    def open(self, *args, **kwargs):
        def request_outside_test_context():
            _cv_app.set(None)
            return FlaskClient.open(self, *args, **kwargs)

        return contextvars.copy_context().run(request_outside_test_context)


@pytest.fixture(scope="session")
def app(database_uri, tmp_path_factory):
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_uri,
        UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")),
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        flask_migrate.upgrade()
        # The migrations seed the default requirement rules; every test starts without them
        # (the first test included, as the others do after the tables are emptied), and
        # the tests of requirements add them (tests/requirement_world.py).
        _db.session.execute(sa.text("DELETE FROM requirement_rules"))
        _db.session.commit()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _empty_tables():
    engine = _db.engine
    tables = [table.name for table in _db.metadata.sorted_tables]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for name in reversed(tables):
                connection.exec_driver_sql(f'DELETE FROM "{name}"')
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


@pytest.fixture(autouse=True)
def _app_context(app):
    """Every test runs in an application context on an empty database."""
    with app.app_context():
        yield
        _db.session.remove()
        _empty_tables()
        limiter.reset()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


# Factories -------------------------------------------------------------------------------
class Factory:
    """Builds valid rows with sensible defaults; every call commits."""

    def __init__(self):
        self.counter = 0

    def _next(self):
        self.counter += 1
        return self.counter

    def lab(self, kind="unit", country=None, director=None, **fields):
        from tracker.directory.models import Laboratory

        n = self._next()
        country = country or ("FR" if kind == "unit" else "US")
        lab = Laboratory(
            name=fields.pop("name", f"Laboratory {n}"),
            acronym=fields.pop("acronym", f"L{n}"),
            kind=kind,
            country=country,
            city=fields.pop("city", "Paris" if country == "FR" else "Boston"),
            institution=fields.pop("institution", "Institution"),
            director=director,
            **fields,
        )
        _db.session.add(lab)
        _db.session.commit()
        return lab

    def user(self, roles=("researcher",), email=None, password=PASSWORD, lab=None, **fields):
        from tracker.auth.services import create_user

        n = self._next()
        user = create_user(
            email or f"user{n}@example.org",
            fields.pop("full_name", f"User {n}"),
            password,
            roles=roles,
            nationality=fields.pop("nationality", "FR"),
            category=fields.pop("category", "researcher"),
            home_laboratory_id=lab.id if lab is not None else None,
            **fields,
        )
        _db.session.commit()
        return user

    def director_of(self, lab, **fields):
        user = self.user(roles=("researcher", "director"), lab=lab, **fields)
        lab.director = user
        _db.session.commit()
        return user

    def programme(self, direction="outgoing", **fields):
        from tracker.directory.models import Programme

        n = self._next()
        today = date.today()
        categories = fields.pop("categories", ("researcher", "engineer", "phd_student", "postdoc", "other"))
        programme = Programme(
            name=fields.pop("name", f"Programme {n}"),
            direction=direction,
            opens_on=fields.pop("opens_on", today - timedelta(days=30)),
            closes_on=fields.pop("closes_on", today + timedelta(days=300)),
            min_days=fields.pop("min_days", 1),
            max_days=fields.pop("max_days", 1000),
            budget=fields.pop("budget", Decimal("100000.00")),
            **fields,
        )
        programme.eligible_categories = categories
        _db.session.add(programme)
        _db.session.commit()
        return programme


    def application(self, applicant=None, status="draft", direction="outgoing", **fields):
        """An application in ``status``, written directly (a fixture, not a transition)."""
        from tracker.applications.models import Application

        n = self._next()
        if applicant is None:
            applicant = self.user(lab=self.lab("unit" if direction == "outgoing" else "partner"))
        home = fields.pop("home", None) or applicant.home_laboratory or self.lab(
            "unit" if direction == "outgoing" else "partner"
        )
        host = fields.pop("host", None) or self.lab(
            "partner" if direction == "outgoing" else "unit"
        )
        programme = fields.pop("programme", None) or self.programme(direction)
        start = fields.pop("start_date", date.today() + timedelta(days=60))
        application = Application(
            reference=fields.pop("reference", f"MOB-{start.year}-{900000 + n:06d}"),
            direction=direction,
            programme=programme,
            applicant=applicant,
            home_laboratory=home,
            host_laboratory=host,
            title=fields.pop("title", f"Research stay {n}"),
            purpose=fields.pop("purpose", "research_stay"),
            start_date=start,
            end_date=fields.pop("end_date", start + timedelta(days=20)),
            requested_amount=fields.pop("requested_amount", Decimal("1500.00")),
            status=status,
            **fields,
        )
        _db.session.add(application)
        _db.session.commit()
        return application

    def document(self, application, uploader=None, kind="cv", content=None, name="cv.pdf"):
        """A document stored through the real service (file on disk, row, event)."""
        import io

        from werkzeug.datastructures import FileStorage

        from tracker.applications.documents import store_document

        content = content or b"%PDF-1.7\n% test document\n%%EOF\n"
        document = store_document(
            application, uploader or application.applicant, kind,
            FileStorage(stream=io.BytesIO(content), filename=name),
        )
        _db.session.commit()
        return document

    def rule(self, **fields):
        """A requirement rule (by default: research stays over 30 days need an invitation
        letter before submission)."""
        from tracker.applications.models import RequirementRule

        rule = RequirementRule(
            code=fields.pop("code", "invitation_letter"),
            name=fields.pop("name", "Research stay over 30 days"),
            min_days=fields.pop("min_days", 31),
            purposes=fields.pop("purposes", "research_stay"),
            document_kind=fields.pop("document_kind", "invitation_letter"),
            opinion_kind=fields.pop("opinion_kind", None),
            blocks=fields.pop("blocks", "submit"),
            **fields,
        )
        _db.session.add(rule)
        _db.session.commit()
        return rule

    def delegation(self, delegator, delegate, starts_on=None, ends_on=None, **fields):
        """A delegation written directly (a fixture: past ones too), from today for a week
        unless told otherwise."""
        from tracker.delegations.models import Delegation

        starts_on = starts_on or date.today()
        delegation = Delegation(delegator_id=delegator.id, delegate_id=delegate.id,
                                starts_on=starts_on,
                                ends_on=ends_on or starts_on + timedelta(days=7),
                                created_by_id=delegator.id, **fields)
        _db.session.add(delegation)
        _db.session.commit()
        return delegation

    def agreement(self, laboratories, starts_on=None, ends_on=None, **fields):
        """An agreement in force (by default from a year ago for four years) covering
        ``laboratories``, written directly (a fixture, not the service)."""
        from tracker.agreements.models import Agreement

        n = self._next()
        starts_on = starts_on or date.today() - timedelta(days=365)
        agreement = Agreement(
            kind=fields.pop("kind", "framework"), title=fields.pop("title", f"Agreement {n}"),
            reference=fields.pop("reference", f"AGR-{n:04d}"), starts_on=starts_on,
            ends_on=ends_on or starts_on + timedelta(days=4 * 365),
            status=fields.pop("status", "in_force"), laboratories=list(laboratories),
            **fields,
        )
        _db.session.add(agreement)
        _db.session.commit()
        return agreement

    def agreement_document(self, agreement, uploader, content=None, name="signed.pdf"):
        """A document of ``agreement`` stored through the real service (file, row, audit)."""
        import io

        from werkzeug.datastructures import FileStorage

        from tracker.agreements.services import attach_document

        content = content or b"%PDF-1.7\n% signed agreement\n%%EOF\n"
        document = attach_document(agreement, uploader,
                                   FileStorage(stream=io.BytesIO(content), filename=name))
        _db.session.commit()
        return document

    def notification(self, user, subject="Something happened", body="Details.", **fields):
        from tracker.notifications.models import Notification

        notification = Notification(user_id=user.id, subject=subject, body=body, **fields)
        _db.session.add(notification)
        _db.session.commit()
        return notification


@pytest.fixture
def make():
    return Factory()


@pytest.fixture
def make_user(make):
    return make.user


# Signing in through the real form --------------------------------------------------------
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(response):
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def csrf_token(client, url="/auth/login"):
    """A CSRF token of ``client``'s session, read from a page as a browser would."""
    return csrf_from(client.get(url))


def post_form(client, url, data, page=None):
    """POST ``data`` to ``url`` with the CSRF token of the page it comes from."""
    token = csrf_token(client, page or url)
    return client.post(url, data={**data, "csrf_token": token})


def sign_in(client, user, password=PASSWORD, remember=False):
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    response = post_form(client, "/auth/login", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login(client):
    """``login(user)`` signs ``user`` in on ``client`` through the login form."""

    def _login(user, password=PASSWORD):
        sign_in(client, user, password)
        return client

    return _login


# Workers and the shared report cache ---------------------------------------------------
# The Redis of the machine (CI starts it too); another database than the one the README's
# production settings use, and a prefix of each test's own within it.
TEST_CACHE_URL = os.environ.get("TEST_CACHE_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def shared_cache():
    """``url`` and a ``prefix`` of this test's own on the test Redis, and a ``client``.

    The prefix carries the process and a random part, so that two runs (the two CI legs,
    two developers) never read each other's keys; every key under it is removed afterwards.
    Redis must answer: the test fails, with what is missing, rather than being skipped.
    """
    client = redis.Redis.from_url(TEST_CACHE_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
        problem = None
    except redis.exceptions.RedisError as error:
        problem = error  # reported outside the handler, without a chained traceback
    if problem is not None:
        client.close()
        pytest.fail(f"The shared cache tests need Redis at {TEST_CACHE_URL} (start it, or "
                    f"set TEST_CACHE_URL): {problem}", pytrace=False)
    prefix = f"tracker-test-{os.getpid()}-{uuid.uuid4().hex[:12]}:"

    def keys():
        return sorted(key.decode() for key in client.scan_iter(match=prefix + "*"))

    yield types.SimpleNamespace(url=TEST_CACHE_URL, prefix=prefix, client=client, keys=keys)
    leftovers = list(client.scan_iter(match=prefix + "*"))
    if leftovers:
        client.delete(*leftovers)
    client.close()


@pytest.fixture
def worker(database_uri, tmp_path):
    """``worker(**settings)``: another app on the test database, as a gunicorn worker is.

    Figures are kept for a minute unless ``settings`` say otherwise.
    """
    built = []

    def _worker(**settings):
        settings.setdefault("REPORTS_CACHE_SECONDS", 60)
        instance = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_uri,
                              UPLOAD_FOLDER=str(tmp_path), **settings)
        instance.test_client_class = IsolatedClient
        built.append(instance)
        return instance

    yield _worker
    for instance in built:
        with instance.app_context():
            _db.session.remove()
            _db.engine.dispose()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgresql`` only run on the PostgreSQL leg."""
    if os.environ.get("TEST_DATABASE_URL"):
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


# CI: a skipped test is a failed run ------------------------------------------------------
def pytest_sessionfinish(session, exitstatus):
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; skips are failures in CI.", red=True)
        session.exitstatus = 1


# Foreign keys on SQLite ------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _sqlite_foreign_keys_on(_app_context):
    """Each test starts on fresh SQLite connections, so foreign keys are enforced.

    ``_empty_tables`` turns them off, then on again inside its transaction, where SQLite
    ignores the PRAGMA: the pooled connection kept them off for every later test. New
    connections get them from the app's own connect hook, as in production.
    """
    if _db.engine.dialect.name == "sqlite":
        _db.engine.dispose()
    yield


# Workflow ----------------------------------------------------------------------------------
@pytest.fixture
def make_application(make):
    """``make_application(status=...)``: an application written directly (not a transition)."""
    return make.application


@pytest.fixture
def people(make):
    """A small organisation for workflow tests: see the keys."""
    unit = make.lab("unit", acronym="UNIT")
    other_unit = make.lab("unit", acronym="OTHER")
    partner = make.lab("partner", acronym="PART", country="DE", city="Berlin")
    director = make.director_of(unit, full_name="Dana Director")
    return {
        "unit": unit,
        "other_unit": other_unit,
        "partner": partner,
        "director": director,
        "other_director": make.director_of(other_unit),
        "researcher": make.user(lab=unit, full_name="Rita Researcher"),
        "other_researcher": make.user(lab=unit),
        "admin": make.user(roles=("admin",), lab=other_unit, full_name="Ada Admin"),
        "programme": make.programme("outgoing", name="Outgoing stays"),
    }


# Languages -------------------------------------------------------------------------------
FRENCH_SAMPLE = os.path.join(os.path.dirname(__file__), "fixtures", "french-sample.po")


@pytest.fixture
def french(app, tmp_path, monkeypatch):
    """The app reads its French from tests/fixtures/french-sample.po, compiled here, in
    place of translations/: tests see the language really change, whatever the real
    catalogue holds (or before it exists). Yields the sample as ``{msgid: msgstr}``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(FRENCH_SAMPLE, "rb") as handle:
        catalogue = read_po(handle, locale="fr")
    folder = tmp_path / "translations" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as handle:
        write_mo(handle, catalogue)
    babel = app.extensions["babel"]
    monkeypatch.setattr(babel, "translation_directories", [str(tmp_path / "translations")])
    # Flask-Babel keeps loaded catalogues per process: forget them before and after.
    babel.instance.domain_instance.cache.clear()
    yield {message.id: message.string for message in catalogue if message.id}
    babel.instance.domain_instance.cache.clear()
