"""Schemathesis against a live server on 127.0.0.1, driven by the app's own OpenAPI.

Generated requests (valid and invalid) must never get a 5xx, and every response must match
the description: documented status, content type and schema. Schemathesis's warnings fail
the run too: an operation whose valid-looking requests are all refused (422) is one the
description misleads about, and one that never finds its data (404) or cannot authenticate
is one the run does not really test.

The caller is an administrator with drafts of their own, so every operation is within reach;
the one that would revoke the run's own token is left out. Two runs share the time:

- the examples, coverage and fuzzing phases, with the ids of real rows in the path;
- the stateful phase, which follows the description's links from what it creates
  (application → its transitions, events, documents; laboratory → its edit), so a pinned
  id would only stand in its way.

What no description can know (the rows' ids, the password) is test data: path ids in the
generated ``schemathesis.toml``, body values through ``tests/api/schemathesis_hooks.py``.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from tracker.agreements.models import Agreement
from tracker.applications.models import Amendment, Application, Document
from tracker.auth.tokens import issue_token
from tracker.extensions import db

SCHEMATHESIS = shutil.which("schemathesis", path=os.path.dirname(sys.executable))
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance")
SEED = 20261125
# More than the valid DELETEs of an agreement the run sends.
DELETABLE_AGREEMENTS = 120
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def fuzzed(app, make, org, monkeypatch):
    """The rows of the run and the administrator's token.

    Failed sign-ins are not limited here: generated token requests fail by the dozen, as
    they are meant to, and the limit would soon refuse the valid ones too.
    """
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_LIMIT", "100000 per minute")
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "100000 per minute")
    programme = make.programme("outgoing")
    approved = None
    for status in ("submitted", "approved"):
        approved = make.application(
            applicant=org.researcher, host=org.partner, programme=programme, status=status,
            awarded_amount=Decimal("900.00") if status == "approved" else None)
    # Amendments: one approved stay to ask changes to, one whose change awaits the office.
    amended = make.application(applicant=org.researcher, host=org.partner,
                               programme=programme, status="approved",
                               awarded_amount=Decimal("900.00"))
    amendment = Amendment(application_id=amended.id, requested_by_id=org.researcher.id,
                          status="endorsed",
                          changes={"end_date": (amended.end_date + timedelta(days=5))
                                   .isoformat()},
                          previous={"end_date": amended.end_date.isoformat()},
                          reason="More time")
    db.session.add(amendment)
    draft = make.application(applicant=org.admin, host=org.partner, programme=programme)
    # Transitions get a draft of their own: a generated submit or withdraw would otherwise
    # move the first one out of draft, and every edit and upload after it would stop at 409.
    moving = make.application(applicant=org.admin, host=org.partner, programme=programme)
    document = make.document(draft)
    # Laboratory edits get a laboratory the drafts do not depend on.
    edited_lab = make.lab("partner", country="IT")
    # Invitations bring visitors from the partner to the unit, on an incoming programme.
    incoming = make.programme("incoming")
    stand_in = org.researcher
    # Agreements: one to read and change, and a stock to delete (each valid DELETE the run
    # sends takes the next one: a deleted agreement answers 404 ever after).
    agreement = make.agreement([org.unit, org.partner, org.joint])
    deletable = [Agreement(kind="exchange", title=f"To delete {n}", reference=f"DEL-{n}",
                           starts_on=date.today(), ends_on=date.today(), status="draft",
                           laboratories=[org.unit, org.partner])
                 for n in range(DELETABLE_AGREEMENTS)]
    db.session.add_all(deletable)
    token, _ = issue_token(org.admin, "schemathesis")
    db.session.commit()
    # Its documents: one to download, and a stock to delete, as for the agreements.
    kept_document = make.agreement_document(agreement, org.admin)
    deletable_documents = [make.agreement_document(agreement, org.admin).id
                           for _ in range(DELETABLE_AGREEMENTS)]
    return {"token": token, "admin": org.admin, "programme": programme, "home": org.unit,
            "host": org.partner, "draft": draft, "moving": moving, "document": document,
            "edited_lab": edited_lab, "incoming": incoming, "approved": approved,
            "amended": amended, "amendment": amendment, "stand_in": stand_in,
            "agreement": agreement, "deletable": [row.id for row in deletable],
            "agreement_document": kept_document.id,
            "deletable_documents": deletable_documents,
            "covered": [org.unit.id, org.partner.id, org.joint.id],
            "extension": (approved.end_date + timedelta(days=7)).isoformat(),
            "fixtures": {draft.id, moving.id}}


def _body_rows(rows):
    """operationId → body field → value, for the hook: the rows a valid request names."""
    world = {"programme_id": rows["programme"].id, "home_laboratory_id": rows["home"].id,
             "host_laboratory_id": rows["host"].id}
    return {
        "create_token": {"email": rows["admin"].email, "password": PASSWORD},
        # The programme, the caller's unit and the partner make an outgoing stay.
        "create_application": {"direction": "outgoing", **world},
        "update_application": world,
        # A visitor from the partner to the unit, on the incoming programme when the
        # generated invitation is a programme call (the hook follows the funding).
        # An extension the approved stay may take (the values of a change are the edit's
        # rules, which no schema tells); an amount the programme's budget holds.
        "create_amendment": {"+changes": {"end_date": rows["extension"]}},
        "create_amendment_transition": {"awarded_amount": "950.00"},
        # A stand-in the caller may name, for a period of its own (the hook's fresh_period).
        "create_delegation": {"+delegate_id": rows["stand_in"].id, "fresh_period": True},
        # The laboratories of both sides (a joint unit's agreement names its joint unit),
        # and a term in order: no schema says that one date follows the other.
        "create_agreement": {"+laboratory_ids": rows["covered"], "+agreement_term": True},
        "update_agreement": {"laboratory_ids": rows["covered"], "agreement_term": True},
        "delete_agreement": {"path_pool": rows["deletable"]},
        "delete_agreement_document": {"path_pool": rows["deletable_documents"],
                                      "pool_parameter": "document_id"},
        "create_invitation": {"home_laboratory_id": rows["host"].id,
                              "host_laboratory_id": rows["home"].id,
                              "programme_id": rows["incoming"].id},
    }


def _config(rows, pin_paths):
    """schemathesis.toml: fail on every warning, with the test data of the run."""
    # Generated dates are drawn from a few valid stays, mostly: random ones are centuries
    # apart, and no schema can say that one date follows the other. (The coverage phase
    # does not draw: its dates are one and the same day, a valid stay too.)
    start = date.today() + timedelta(days=60)
    starts = [str(start + timedelta(days=day)) for day in (0, 1, 15)]
    ends = [str(start + timedelta(days=day)) for day in (20, 30, 140)]
    lines = [
        'hooks = "tests.api.schemathesis_hooks"',
        "", "[warnings]", "fail-on = true",
        "", "[dictionaries]",
        f"starts = {{ values = {json.dumps(starts)} }}",
        f"ends = {{ values = {json.dumps(ends)} }}",
        "", "[parameters]",
        '"body.start_date" = { dictionary = "starts", probability = 0.9 }',
        '"body.end_date" = { dictionary = "ends", probability = 0.9 }',
    ]
    if pin_paths:
        lines += [
            f'"path.application_id" = {rows["draft"].id}',
            f'"path.document_id" = {rows["document"].id}',
            f'"path.lab_id" = {rows["edited_lab"].id}',
            '"path.code" = "DE"',
            f'"path.agreement_id" = {rows["agreement"].id}',
            "", "[[operations]]", 'include-operation-id = "create_transition"',
            f'parameters = {{ "path.application_id" = {rows["moving"].id} }}',
            "", "[[operations]]", 'include-operation-id = "delete_agreement"',
            f'parameters = {{ "path.agreement_id" = {rows["deletable"][0]} }}',
            "", "[[operations]]", 'include-operation-id = "download_agreement_document"',
            f'parameters = {{ "path.document_id" = {rows["agreement_document"]} }}',
            "", "[[operations]]", 'include-operation-id = "delete_agreement_document"',
            f'parameters = {{ "path.document_id" = {rows["deletable_documents"][0]} }}',
            "", "[[operations]]", 'include-operation-id = "create_amendment"',
            f'parameters = {{ "path.application_id" = {rows["approved"].id} }}',
        ]
        for operation in ("list_amendments", "create_amendment_transition"):
            lines += [
                "", "[[operations]]", f'include-operation-id = "{operation}"',
                f'parameters = {{ "path.application_id" = {rows["amended"].id}, '
                f'"path.amendment_id" = {rows["amendment"].id} }}',
            ]
    # Only the description's own links: the ones schemathesis would guess from names would
    # dilute them, and they are what the stateful run checks.
    lines += ["", "[phases.stateful.inference]", "algorithms = []"]
    return "\n".join(lines) + "\n"


def _schemathesis(live_server, rows, tmp_path, *options, pin_paths):
    """Run schemathesis as the administrator; its output, or the test fails with it."""
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(rows, pin_paths))
    command = [
        SCHEMATHESIS, "--config-file", str(config), "run", f"{live_server}/api/v1/openapi.json",
        "--url", live_server,
        "--header", f"Authorization: Bearer {rows['token']}",
        "--checks", CHECKS,
        "--exclude-operation-id", "revoke_current_token",
        "--workers", "1",
        "--seed", str(SEED),
        "--generation-database", "none",
        "--request-timeout", "10",
        "--no-color",
        *options,
    ]
    environment = {**os.environ, "PYTHONPATH": str(ROOT),
                   "TRACKER_FUZZ_ROWS": json.dumps(_body_rows(rows))}
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path,
                            env=environment)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    return output


def test_schemathesis_examples_coverage_and_fuzzing(live_server, fuzzed, tmp_path):
    assert SCHEMATHESIS, "schemathesis is not installed: pip install -r requirements-dev.txt"
    output = _schemathesis(live_server, fuzzed, tmp_path,
                           "--phases", "examples,coverage,fuzzing", "--max-examples", "25",
                           pin_paths=True)
    assert "Tested: 40" in output, output[-3000:]


def test_schemathesis_stateful_follows_the_links(live_server, fuzzed, tmp_path):
    assert SCHEMATHESIS, "schemathesis is not installed: pip install -r requirements-dev.txt"
    har = tmp_path / "requests.har"
    _schemathesis(live_server, fuzzed, tmp_path,
                  "--phases", "stateful", "--max-examples", "100",
                  "--report", "har", "--report-har-path", str(har), pin_paths=False)
    # The drafts it created, it went on to edit, move, read the history of and attach
    # documents to: the links from the 201 lead there.
    created = set(db.session.scalars(sa.select(Application.id).where(
        Application.applicant_id == fuzzed["admin"].id,
        Application.id.not_in(fuzzed["fixtures"]))))
    reached = set()
    for entry in json.loads(har.read_text())["log"]["entries"]:
        path = entry["request"]["url"].split("/api/v1/applications/", 1)[-1].split("/")
        if path[0].isdigit() and int(path[0]) in created and entry["response"]["status"] != 404:
            reached.add((entry["request"]["method"], path[1] if len(path) > 1 else ""))
    assert {("PATCH", ""), ("POST", "transitions"), ("GET", "events"),
            ("POST", "documents")} <= reached, sorted(reached)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document).where(
        Document.application_id.in_(created)))
    # The generator picks the funding and the hook follows it: programme calls and unit
    # missions both get created.
    fundings = set(db.session.scalars(sa.select(Application.funding).where(
        Application.id.in_(created))))
    assert fundings == {"programme", "unit"}, fundings
