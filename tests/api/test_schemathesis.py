"""Schemathesis against a live server on 127.0.0.1, driven by the app's own OpenAPI.

Generated requests (valid and invalid) must never get a 5xx, and every response must match
the description: documented status, content type and schema. A bearer token of an
administrator reaches every operation; the one that would revoke it is left out.
"""

import os
import shutil
import subprocess
import sys
import threading
from decimal import Decimal

import pytest
from werkzeug.serving import make_server

from tracker.auth.tokens import issue_token
from tracker.extensions import db

SCHEMATHESIS = shutil.which("schemathesis", path=os.path.dirname(sys.executable))
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance")


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def _schemathesis(live_server, token, cwd, *options):
    """Run schemathesis as the holder of ``token``; the output when it finds a problem."""
    command = [
        SCHEMATHESIS, "run", f"{live_server}/api/v1/openapi.json",
        "--url", live_server,
        "--header", f"Authorization: Bearer {token}",
        "--checks", CHECKS,
        "--exclude-operation-id", "revoke_current_token",
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", "25",
        "--workers", "1",
        "--seed", "20261125",
        "--generation-database", "none",
        "--request-timeout", "10",
        "--no-color",
        *options,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=170, cwd=cwd)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    return output


def test_schemathesis_finds_no_server_error_and_no_schema_mismatch(live_server, make, org,
                                                                    tmp_path):
    assert SCHEMATHESIS, "schemathesis is not installed: pip install -r requirements-dev.txt"
    programme = make.programme("outgoing")
    for status in ("draft", "submitted", "approved"):
        make.application(applicant=org.researcher, host=org.partner, programme=programme,
                         status=status,
                         awarded_amount=Decimal("900.00") if status == "approved" else None)
    token, _ = issue_token(org.admin, "schemathesis")
    db.session.commit()
    _schemathesis(live_server, token, tmp_path)


def test_schemathesis_on_the_writes_of_an_applicant(live_server, make, org, tmp_path):
    """The writes again, as the applicant of a real draft: past the 403s and 404s.

    Random ids almost never name an application, and an administrator may not edit one: here
    the path parameters are pinned to the researcher's draft and its document, so generated
    bodies reach the schema checks, the workflow and the document store.
    """
    assert SCHEMATHESIS, "schemathesis is not installed: pip install -r requirements-dev.txt"
    draft = make.application(applicant=org.researcher, host=org.partner)
    document = make.document(draft)
    # Transitions get a draft of their own: a generated submit or withdraw would otherwise
    # move the first one out of draft, and every upload after it would stop at 409.
    moving = make.application(applicant=org.researcher, host=org.partner)
    token, _ = issue_token(org.researcher, "schemathesis")
    db.session.commit()
    (tmp_path / "schemathesis.toml").write_text(
        "[parameters]\n"
        f'"path.application_id" = {draft.id}\n'
        f'"path.document_id" = {document.id}\n'
        "\n[[operations]]\n"
        'include-operation-id = "create_transition"\n'
        f'parameters = {{ "path.application_id" = {moving.id} }}\n'
    )
    output = _schemathesis(
        live_server, token, tmp_path,
        "--include-path-regex", r"^/api/v1/applications/\{application_id\}",
    )
    assert "Tested: 6" in output, output[-3000:]
