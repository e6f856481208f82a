"""Whatever a client sends, the tracker answers without a server error and writes nothing
when it refuses.

Hypothesis throws arbitrary text (NUL, lone surrogates, very long strings, right-to-left
marks), numbers (huge, negative, floats, NaN as text) and structures (nested lists and
objects, wrong types) at every web form, every query string and every JSON write of the
API, signed in as an administrator and as a researcher (and anonymously at the forms that
take strangers). The targets come from the application's own URL map, so a new route is
thrown at without anyone listing it here. Each example asserts: no 5xx, no traceback in
the body, and, when the answer is neither 2xx nor 3xx, the same number of applications,
users, laboratories, programmes and events as before.
"""

import json
import re
from datetime import date, timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from marshmallow import Schema
from wtforms import Form
from wtforms.fields.core import UnboundField

from tests.api.conftest import Api
from tests.conftest import csrf_token, sign_in
from tracker.applications.models import Amendment, Application, Event
from tracker.applications.workflow import TRANSITIONS
from tracker.auth.models import User
from tracker.directory.models import Laboratory, Programme
from tracker.extensions import db
from tracker.jobs.models import Job

COUNTED = (Application, User, Laboratory, Programme, Event, Amendment)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Routes that serve files or the description of the API: no input of the person's.
NOT_INPUT = {"static", "api.openapi", "api.docs"}

HYPOTHESIS = settings(
    max_examples=75,
    deadline=None,
    database=None,  # no example folder left in the working copy or on CI
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)


# What is thrown -------------------------------------------------------------------------------
NASTY_TEXT = [
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\u202eevil\u202c", "\u200f\u200e",
    "x" * 5000, "é" * 300, "NaN", "nan", "Infinity", "-Infinity", "1e309", "-1", "-0.0",
    "99999999999999999999999999", str(2**63), str(2**31), "0x10", "1 500,50", "1,5e3",
    "2024-02-30", "0000-00-00", "9999-12-31", "31/12/2025", "true", "null", "[]", "{}",
    "<script>alert(1)</script>", "'; DROP TABLE users; --", "../../etc/passwd", "%00",
    "admin", "outgoing", "incoming", "programme", "unit", "research_stay", "researcher",
    "FR", "US", "confirm", "refuse",
]

any_text = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=40),
    st.text(max_size=300),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-2**70, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
)


def _plausible(world):
    """Values that pass the first checks, so that later ones are reached too."""
    today = date.today()
    return st.one_of(
        st.sampled_from(world["ids"]),
        st.sampled_from([str(value) for value in world["ids"]]),
        st.sampled_from([(today + timedelta(days=n)).isoformat() for n in (-400, -1, 0, 30, 60, 90, 4000)]),
        st.sampled_from(["1500.00", "0", "0.00", "12.345", "-5"]),
    )


def scalars(world):
    return st.one_of(any_text, numbers, st.booleans(), st.none(), _plausible(world))


def structures(world):
    return st.recursive(
        scalars(world),
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), any_text), children, max_size=3),
        ),
        max_leaves=8,
    )


# Field names, read from the forms and schemas ------------------------------------------------
def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _form_field_names():
    names = set()
    for form in _subclasses(Form):
        names.update(name for name, value in vars(form).items() if isinstance(value, UnboundField))
    return names


def _schema_field_names():
    names = set()
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("tracker."):
            names.update(schema._declared_fields)
    return names


def _field_names():
    import tracker.api.views  # noqa: F401  (every schema and form is defined by now)
    import tracker.applications.views  # noqa: F401
    import tracker.auth.views  # noqa: F401
    import tracker.directory.views  # noqa: F401

    names = _form_field_names() | _schema_field_names()
    names |= {"cost_items-0-kind", "cost_items-0-amount", "cost_items-0-description",
              "q", "status", "direction", "programme", "laboratory", "country", "kind",
              "page", "per_page", "cursor", "sort", "year", "active", "role", "format"}
    return sorted(names - {"csrf_token"})


FIELD_NAMES = _field_names()


def form_value(world):
    """One value of a form field: text, a number as text, a structure as JSON text."""
    return st.one_of(
        scalars(world).map(lambda value: value if isinstance(value, str) else json.dumps(value)),
        structures(world).map(json.dumps),
    )


def form_fields(world):
    """A form's fields, some of them repeated (a list of values for one name)."""
    return st.dictionaries(
        st.one_of(st.sampled_from(FIELD_NAMES), any_text),
        st.one_of(form_value(world), st.lists(form_value(world), min_size=2, max_size=3)),
        max_size=8,
    )


def encode(fields):
    """``fields`` URL-encoded as a client may send them, lone surrogates included (as the
    bytes a broken client would send: not valid UTF-8)."""
    def part(text):
        return quote(text.encode("utf-8", "surrogatepass"), safe="")

    pairs = []
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append(f"{part(name)}={part(value)}")
    return "&".join(pairs)


# The world the routes are thrown at ---------------------------------------------------------
@pytest.fixture
def world(app, make, monkeypatch):
    """One of everything, and the ids that fill the routes' placeholders."""
    from tracker.auth.models import ApiToken
    from tracker.auth.tokens import issue_token
    from tracker.reports.calendar import feed_for

    # The sign-in and registration limits (tested in tests/auth/) would answer 429 after
    # a few examples, hiding the forms behind them and refusing the next example's sign-in.
    for limit in ("REGISTRATION_ADDRESS_LIMIT", "REGISTRATION_EMAIL_LIMIT",
                  "LOGIN_ACCOUNT_LIMIT", "LOGIN_ADDRESS_LIMIT"):
        monkeypatch.setitem(app.config, limit, "100000 per hour")
    unit = make.lab("unit", acronym="UNIT")
    partner = make.lab("partner", acronym="PART")
    director = make.director_of(unit)
    researcher = make.user(lab=unit, email="researcher@example.org")
    admin = make.user(roles=("admin",), lab=unit, email="admin@example.org")
    other = make.user(lab=unit)
    programme = make.programme("outgoing")
    draft = make.application(applicant=researcher, host=partner, programme=programme)
    submitted = make.application(applicant=researcher, host=partner, programme=programme,
                                 status="submitted")
    approved = make.application(applicant=researcher, host=partner, programme=programme,
                                status="approved")
    amended = make.application(applicant=researcher, host=partner, programme=programme,
                               status="approved")
    amendment = Amendment(application_id=amended.id, requested_by_id=researcher.id,
                          status="submitted", changes={"end_date": "2099-01-01"},
                          previous={"end_date": amended.end_date.isoformat()}, reason="More")
    db.session.add(amendment)
    document = make.document(draft, uploader=researcher)
    notification = make.notification(researcher, application_id=draft.id)
    rule = make.rule()
    # The admin's stand-in from tomorrow (nobody stands in for anyone today).
    delegation = make.delegation(admin, researcher, date.today() + timedelta(days=1))
    agreement = make.agreement([unit, partner])
    for user in (researcher, admin):
        issue_token(user, "fuzz")
    feed = feed_for(researcher)
    job = Job(kind="export_xlsx", owner_id=researcher.id, status="running")
    db.session.add(job)
    db.session.commit()
    token_ids = [token.id for token in db.session.scalars(sa.select(ApiToken))]
    users = {"researcher": researcher, "admin": admin}
    placeholders = {
        "application_id": [draft.id, submitted.id, approved.id, amended.id],
        "amendment_id": [amendment.id],
        "document_id": [document.id],
        "laboratory_id": [unit.id, partner.id],
        "lab_id": [unit.id, partner.id],
        "programme_id": [programme.id],
        "user_id": [other.id, director.id],
        "notification_id": [notification.id],
        "token_id": token_ids,
        "action": list(TRANSITIONS) + ["fly"],
        "kind": ["security", "host", "bogus", "people"],  # of an opinion, or of an import
        "extension": ["csv", "xlsx", "pdf"],  # of an import's template
        "direction": ["outgoing", "incoming"],
        "token": [feed.token, "not-a-token"],
        "filename": ["css/app.css"],
        "code": ["DE", "ml", "XX"],
        "rule_id": [rule.id],
        "delegation_id": [delegation.id],
        "agreement_id": [agreement.id],
        "job_id": [job.id],
    }
    ids = [unit.id, partner.id, programme.id, draft.id, submitted.id, other.id, director.id]
    return {"users": users, "placeholders": placeholders, "ids": ids}


def _targets(app, want):
    """(endpoint, rule, method) of the routes ``want(rule, method)`` keeps."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if rule.endpoint in NOT_INPUT:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if want(rule.rule, method):
                found.append((rule.endpoint, rule.rule, method))
    return found


def web_forms(app):
    return _targets(app, lambda path, method: method in WRITE_METHODS and not path.startswith("/api/"))


def api_writes(app):
    return _targets(app, lambda path, method: method in WRITE_METHODS and path.startswith("/api/"))


def pages(app):
    return _targets(app, lambda path, method: method == "GET")


PLACEHOLDER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def route_path(rule, world, choose):
    """``rule`` with each placeholder replaced by a value of the world, drawn by ``choose``."""
    return PLACEHOLDER.sub(
        lambda match: str(choose(st.sampled_from(world["placeholders"][match.group(1)]))), rule
    )


# The assertions ------------------------------------------------------------------------------
def counts():
    """Rows of the tables a refused request must leave alone."""
    found = tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in COUNTED
    )
    db.session.rollback()  # no read transaction held while the next request writes
    return found


def check(response, before, what):
    # Shown by --hypothesis-show-statistics: which answers the examples reached.
    event(f"{what.split(' ')[1]} {response.status_code}")
    body = response.get_data().decode("utf-8", "replace")  # exports are binary
    assert response.status_code < 500, f"{what}: {response.status_code}\n{body[:1500]}"
    assert "Traceback" not in body, f"{what}: a traceback in the body\n{body[:1500]}"
    if not 200 <= response.status_code < 400:
        assert counts() == before, f"{what}: answered {response.status_code} yet wrote rows"


def client_for(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, world["users"][role])
    return client


# Web forms -------------------------------------------------------------------------------------
ANONYMOUS_FORMS = {"auth.login", "auth.register", "auth.resend_confirmation_link"}


@pytest.mark.parametrize("role", ["admin", "researcher", "anonymous"])
def test_web_forms_never_fail_and_refusals_write_nothing(app, world, role):
    clients = {}

    @HYPOTHESIS
    @given(data=st.data())
    def throw(data):
        targets = [target for target in web_forms(app)
                   if role != "anonymous" or target[0] in ANONYMOUS_FORMS]
        endpoint, rule, method = data.draw(st.sampled_from(targets), label="route")
        path = route_path(rule, world, data.draw)
        fields = data.draw(form_fields(world), label="fields")
        # Logging out ends the session; the next example signs in again.
        if role not in clients or endpoint == "auth.logout":
            clients[role] = client_for(app, world, role)
        client = clients[role]
        token_page = "/auth/login" if role == "anonymous" else "/auth/password"
        # Mostly with a valid CSRF token, so that the form itself is reached.
        if data.draw(st.integers(0, 9), label="with a CSRF token") > 0:
            fields = {**fields, "csrf_token": csrf_token(client, token_page)}
        as_json = data.draw(st.integers(0, 9), label="as JSON") == 0
        before = counts()
        if as_json:
            # A form posted as JSON by a confused client: the form sees no fields.
            response = client.open(path, method=method, json=fields)
        else:
            response = client.open(path, method=method, data=encode(fields),
                                   content_type="application/x-www-form-urlencoded")
        check(response, before, f"{role} {method} {path} {fields!r:.300}")
        if endpoint == "auth.logout" or response.status_code == 302 and endpoint in (
                "auth.change_password", "auth.login"):
            clients.pop(role, None)

    throw()


# Query strings ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["admin", "researcher"])
def test_query_strings_never_fail(app, world, role):
    client = client_for(app, world, role)

    @HYPOTHESIS
    @given(data=st.data())
    def throw(data):
        endpoint, rule, method = data.draw(st.sampled_from(pages(app)), label="route")
        path = route_path(rule, world, data.draw)
        fields = data.draw(form_fields(world), label="query")
        before = counts()
        headers = {"Accept": "application/json"} if path.startswith("/api/") else {}
        response = client.get(f"{path}?{encode(fields)}", headers=headers)
        check(response, before, f"{role} GET {path}?{encode(fields):.300}")

    throw()


# JSON writes of the API ----------------------------------------------------------------------
def json_bodies(world):
    return st.one_of(
        structures(world),
        st.dictionaries(st.sampled_from(FIELD_NAMES), structures(world), max_size=10),
        st.dictionaries(st.sampled_from(FIELD_NAMES), scalars(world), min_size=3, max_size=14),
    )


@pytest.mark.parametrize("role", ["admin", "researcher"])
def test_api_writes_never_fail_and_refusals_write_nothing(app, client, world, role):
    api = Api(client)
    user = world["users"][role]

    @HYPOTHESIS
    @given(data=st.data())
    def throw(data):
        endpoint, rule, method = data.draw(st.sampled_from(api_writes(app)), label="route")
        if endpoint == "api.revoke_current_token":
            return  # tested in tests/api/test_tokens.py; it would end this test's token
        path = route_path(rule, world, data.draw)
        body = data.draw(json_bodies(world), label="body")
        raw = data.draw(st.integers(0, 9), label="raw") == 0
        before = counts()
        if raw:
            # NaN, Infinity and lone surrogates as a sloppy encoder writes them.
            payload = json.dumps(body, allow_nan=True).encode("utf-8", "surrogatepass")
            response = api.call(method, path, user, data=payload,
                                content_type="application/json")
        else:
            response = api.call(method, path, user,
                                data=json.dumps(body, allow_nan=True, ensure_ascii=True),
                                content_type="application/json")
        check(response, before, f"{role} {method} {path} {body!r:.300}")

    throw()
