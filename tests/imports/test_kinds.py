"""Each kind imports, re-imports without creating anything, updates what changed (in the
audit), and refuses what the forms refuse, naming the row and the column."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from tracker.applications.models import Application, Event
from tracker.applications.services import next_reference
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.directory.models import Laboratory, Programme
from tracker.extensions import db

LABS = ("name;acronym;kind;country;city\n"
        "Laboratoire X;LX;unit;FR;Lyon\n"
        "Kyoto Lab;KU;partner;JP;Kyoto\n")
PEOPLE = ("email,full_name,nationality,category,home_laboratory,roles\n"
          "ada@example.org,Ada Martin,FR,researcher,LX,researcher director\n"
          "bob@example.org,Bob Stone,GB,Chercheur,KU,\n")
PROGRAMMES = ("name,direction,opens_on,closes_on,min_days,max_days,budget\n"
              "Short stays,outgoing,2020-01-01,2026-12-31,1,90,5000\n")
APPLICATIONS = (
    "reference,title,status,direction,programme,applicant_email,home_laboratory,"
    "host_laboratory,purpose,start_date,end_date,requested_amount,awarded_amount,cost_travel\n"
    "MOB-2024-000123,Fieldwork,completed,outgoing,Short stays,ada@example.org,LX,KU,"
    "fieldwork,2024-03-01,2024-03-20,,1200,1500\n")


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _directory(importing):
    for kind, text in (("laboratories", LABS), ("people", PEOPLE),
                       ("programmes", PROGRAMMES)):
        assert importing(kind, text).refused == 0


def test_every_kind_imports_then_re_imports_unchanged(importing, make):
    admin = make.user(roles=("admin",))
    _directory(importing)
    result = importing("applications", APPLICATIONS, actor=admin, source="past.csv")
    assert (result.created, result.refused) == (1, 0)
    ada = db.session.scalar(sa.select(User).where(User.email == "ada@example.org"))
    assert ada.roles == ["researcher", "director"] and ada.home_laboratory.acronym == "LX"
    application = db.session.scalar(sa.select(Application))
    assert (application.reference, application.status, application.start_date) == (
        "MOB-2024-000123", "completed", date(2024, 3, 1))
    assert application.requested_amount == Decimal("1500.00")
    assert application.awarded_amount == Decimal("1200.00")
    [event] = application.events
    assert (event.action, event.actor_id, event.comment, event.to_status) == (
        "import", admin.id, "past.csv", "completed")
    counts = [_count(model) for model in (Laboratory, User, Programme, Application, Event,
                                          AuditEntry)]
    for kind, text in (("laboratories", LABS), ("people", PEOPLE),
                       ("programmes", PROGRAMMES), ("applications", APPLICATIONS)):
        again = importing(kind, text)
        assert (again.created, again.updated, again.refused) == (0, 0, 0), kind
    assert counts == [_count(model) for model in (Laboratory, User, Programme, Application,
                                                  Event, AuditEntry)]
    # The next application of 2024 does not take an imported reference.
    assert next_reference(2024) == "MOB-2024-000124"


def test_a_changed_value_updates_and_is_audited(importing):
    _directory(importing)
    result = importing("laboratories", LABS.replace("Lyon", "Grenoble"))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.before, entry.after) == (
        "update", {"city": "Lyon"}, {"city": "Grenoble"})


def test_a_dry_run_writes_nothing(importing):
    result = importing("laboratories", LABS, write=False)
    assert (result.created, result.written) == (2, False)
    assert _count(Laboratory) == 0


def _refusals(result):
    return {(line, column): reason for line, column, reason in result.problems}


def test_directory_rows_refused_as_the_forms_refuse_them(importing):
    result = importing("laboratories", LABS + "Berlin unit;BU;unit;DE;Berlin\n"
                       "Nowhere;NW;partner;XX;Nowhere\n"
                       "Twice;LX;unit;FR;Lyon\n")
    refusals = _refusals(result)
    assert (result.created, result.refused) == (2, 3)
    assert "A unit is one of our laboratories in France" in refusals[4, "country"]
    assert "Unknown country XX" in refusals[5, "country"]
    assert "Row 2 of the file has the same key" in refusals[6, "acronym"]
    people = importing("people", PEOPLE + "ADA@example.org,Ada Bis,FR,,,\n"
                       "zed@example.org,Zed,FR,,NOPE,\n")
    refusals = _refusals(people)
    assert "Row 2 of the file has the same key" in refusals[4, "email"]
    assert "No laboratory has this acronym" in refusals[5, "home_laboratory"]
    programmes = importing("programmes", PROGRAMMES.replace("2026-12-31", "2019-12-31"))
    assert "close on or after" in _refusals(programmes)[2, "closes_on"]


def test_a_person_whose_email_another_row_has_is_refused_not_merged(importing):
    result = importing("people", "email,full_name,nationality\n"
                       "ada@example.org,Ada,FR\nAda@Example.org,Other Ada,FR\n")
    assert (result.created, result.refused) == (1, 1)
    assert db.session.scalar(sa.select(User.full_name)) == "Ada"


def test_application_rows_refused_as_the_forms_refuse_them(importing):
    _directory(importing)
    header, row = APPLICATIONS.splitlines()
    rows = [
        row.replace("Short stays", "Unknown call"),
        row.replace("MOB-2024-000123", "MOB-2024-000124").replace(",2024-03-20,", ",2024-02-20,"),
        row.replace("MOB-2024-000123", "MOB-2024-000125").replace("ada@", "nobody@"),
        row.replace("MOB-2024-000123", "REF-1"),
        row.replace("MOB-2024-000123", "MOB-2024-000126").replace(",1200,", ",9000,"),
    ]
    result = importing("applications", "\n".join([header, *rows]) + "\n")
    refusals = _refusals(result)
    assert result.refused == 5 and _count(Application) == 0
    assert "No programme has this name" in refusals[2, "programme"]
    assert "end on or after" in refusals[3, "end_date"]
    assert "Nobody has this email address" in refusals[4, "applicant_email"]
    assert "MOB-YYYY-NNNNNN" in refusals[5, "reference"]
    assert "exceed its budget" in refusals[6, "awarded_amount"]


def test_the_command_line_imports_with_a_dry_run_first(app, tmp_path):
    path = tmp_path / "labs.csv"
    path.write_text(LABS, encoding="utf-8")
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["import", "laboratories", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "2 would be created" in dry.output
    assert _count(Laboratory) == 0
    done = runner.invoke(args=["import", "laboratories", str(path)])
    assert done.exit_code == 0 and "2 were created" in done.output
    assert "2 of 2 rows checked (" in done.output and "rows/s)" in done.output
    assert _count(Laboratory) == 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"name\nx\n")
    refused = runner.invoke(args=["import", "laboratories", str(bad)])
    assert refused.exit_code == 1 and "Required columns are missing" in refused.output
