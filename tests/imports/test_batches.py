"""Rows are checked and written a batch at a time: what a batch names is read in a few
statements, its new rows inserted together, and a file larger than a batch, a key twice in
one file, an update beside a creation, a refused row among valid ones all come out as they
would row by row."""

import sqlalchemy as sa
from sqlalchemy import event

from tests.imports.test_kinds import APPLICATIONS, _directory, _refusals
from tracker.applications.models import Application, CostItem, Event
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.extensions import db
from tracker.imports import writing

PEOPLE_HEADER = "email,full_name,nationality,roles\n"


def _people(count, start=0):
    return "".join(f"p{n}@example.org,Person {n},FR,researcher\n"
                   for n in range(start, start + count))


def _entries(action):
    return db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.subject_type == "user", AuditEntry.action == action)
        .order_by(AuditEntry.id)).all()


def test_a_file_larger_than_a_batch_writes_every_row_and_reports_progress(
        importing, monkeypatch):
    monkeypatch.setattr(writing, "BATCH_ROWS", 2)
    calls = []
    result = writing.run_import(
        "people", _csv(PEOPLE_HEADER + _people(5)), "csv", source="people.csv",
        commit=db.session.commit, progress=lambda done, total: calls.append((done, total)))
    assert (result.created, result.refused, result.written) == (5, 0, True)
    assert calls == [(2, 5), (4, 5), (5, 5)]
    people = db.session.scalars(sa.select(User).order_by(User.email)).all()
    assert [person.email for person in people] == [f"p{n}@example.org" for n in range(5)]
    assert all(person.roles == ["researcher"] for person in people)
    created = _entries("create")
    assert [entry.subject_id for entry in created] == [str(person.id) for person in
                                                       sorted(people, key=lambda p: p.id)]
    assert created[0].after["roles"] == ["researcher"] and created[0].before is None
    assert created[0].subject_label == "Person 0 <p0@example.org>"
    again = importing("people", PEOPLE_HEADER + _people(5))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def _csv(text):
    from tests.imports.conftest import csv_file

    return csv_file(text)


def test_a_key_twice_in_one_file_is_refused_in_the_same_batch_and_across_batches(
        importing, monkeypatch):
    monkeypatch.setattr(writing, "BATCH_ROWS", 2)
    text = PEOPLE_HEADER + _people(2) + "P0@example.org,Again,FR,\n" + \
        "p1@example.org,Again,FR,\n"
    result = importing("people", text)
    refusals = _refusals(result)
    assert (result.created, result.refused) == (2, 2)
    # Line 4 shares a batch with nothing written yet of line 2's; line 5 follows a commit.
    assert "Row 2 of the file has the same key" in refusals[4, "email"]
    assert "Row 3 of the file has the same key" in refusals[5, "email"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
    assert db.session.scalar(sa.select(User.full_name).where(
        User.email == "p0@example.org")) == "Person 0"


def test_an_update_and_a_creation_in_one_batch(importing):
    importing("people", PEOPLE_HEADER + _people(1))
    result = importing("people", PEOPLE_HEADER + "p0@example.org,Person Zero,FR,researcher\n"
                       + _people(1, start=1))
    assert (result.created, result.updated) == (1, 1)
    [update] = _entries("update")
    assert (update.before, update.after) == ({"full_name": "Person 0"},
                                             {"full_name": "Person Zero"})
    assert [entry.subject_label for entry in _entries("create")] == [
        "Person 0 <p0@example.org>", "Person 1 <p1@example.org>"]


def test_applications_updated_and_created_in_one_batch_with_their_events(importing, make):
    admin = make.user(roles=("admin",))
    _directory(importing)
    importing("applications", APPLICATIONS)
    header, row = APPLICATIONS.splitlines()
    changed = row.replace("Fieldwork,", "Fieldwork in Kyoto,")
    created = row.replace("MOB-2024-000123", "MOB-2024-000200").removesuffix("1500") + "700"
    refused = row.replace("MOB-2024-000123", "MOB-2024-000201").replace(",2024-03-20,",
                                                                        ",2024-02-20,")
    result = importing("applications", "\n".join([header, changed, created, refused]) + "\n",
                       actor=admin, source="again.csv")
    assert (result.updated, result.created, result.refused) == (1, 1, 1)
    stored = {application.reference: application
              for application in db.session.scalars(sa.select(Application))}
    assert set(stored) == {"MOB-2024-000123", "MOB-2024-000200"}
    first, second = stored["MOB-2024-000123"], stored["MOB-2024-000200"]
    assert (first.title, first.version) == ("Fieldwork in Kyoto", 2)
    assert first.events[-1].changes == {"title": {"old": "Fieldwork",
                                                  "new": "Fieldwork in Kyoto"}}
    assert (first.events[-1].from_status, first.events[-1].actor_id) == ("completed", admin.id)
    [event_of_new] = second.events
    assert (event_of_new.action, event_of_new.from_status, event_of_new.to_status,
            event_of_new.comment, event_of_new.actor_id, event_of_new.changes) == (
        "import", None, "completed", "again.csv", admin.id, None)
    assert [(item.kind, str(item.amount)) for item in second.cost_items] == [("travel", "700.00")]
    assert second.requested_amount == 700
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CostItem)) == 2


def _statements(run):
    count = 0

    def counted(*args):
        nonlocal count
        count += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def test_the_statements_of_a_batch_do_not_grow_with_its_rows(importing):
    _directory(importing)
    header, row = APPLICATIONS.splitlines()

    def rows(first, count):
        return "\n".join([header, *(row.replace("MOB-2024-000123", f"MOB-2024-{n:06d}")
                                    .replace(",1200,", ",,")
                                    for n in range(first, first + count))]) + "\n"

    few = _statements(lambda: importing("applications", rows(1, 2)))
    many = _statements(lambda: importing("applications", rows(100, 40)))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 42
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 42
    assert many == few


def test_a_past_outgoing_stay_leaves_from_the_unit_its_row_names(importing, make):
    _directory(importing)
    importing("laboratories", "name;acronym;kind;country\nAutre unité;LY;unit;FR\n"
              "Partner;PB;partner;BR\n")
    header, row = APPLICATIONS.splitlines()
    # Ada belongs to LX today; the stay of 2024 left from LY.
    moved = row.replace(",LX,", ",LY,")
    from_partner = row.replace("MOB-2024-000123", "MOB-2024-000124").replace(",LX,", ",PB,")
    result = importing("applications", "\n".join([header, moved, from_partner]) + "\n")
    assert (result.created, result.refused) == (1, 1)
    assert "the home laboratory is one of our units" in \
        _refusals(result)[3, "home_laboratory"]
    application = db.session.scalar(sa.select(Application))
    assert application.home_laboratory.acronym == "LY"
