"""The audit page: administrators only, newest first, filters, keyset pages with a constant
number of statements, each change field by field."""

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import sign_in
from tests.directory.helpers import page, table_rows
from tracker.audit.models import AuditEntry
from tracker.audit.services import PER_PAGE
from tracker.extensions import db

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def add_entries(count, actor=None, subject_type="laboratory", label="Lab {n}", start=START,
                step=timedelta(minutes=1)):
    """``count`` entries, one every ``step`` from ``start``, numbered from 1 (oldest)."""
    rows = [
        AuditEntry(actor_id=actor.id if actor else None, action="update",
                   subject_type=subject_type, subject_id=str(n),
                   subject_label=label.format(n=n), before={"city": f"Old {n}"},
                   after={"city": f"New {n}"}, created_at=start + step * n)
        for n in range(1, count + 1)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def labels(response):
    return re.findall(r">(Lab \d+)<", page(response))


def link(response, rel):
    match = re.search(rf'rel="{rel}" href="([^"]+)"', page(response))
    return match.group(1).replace("&amp;", "&") if match else None


# Who may read it -------------------------------------------------------------------------------
@pytest.mark.parametrize("roles", [("researcher",), ("researcher", "director"),
                                   ("security_officer",)])
def test_only_administrators_read_the_audit(client, make, roles):
    add_entries(1)
    sign_in(client, make.user(roles=roles))
    response = client.get("/admin/audit")
    assert response.status_code == 403
    assert "Lab 1" not in page(response)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_directory_menu_links_to_it_for_administrators(client, admin):
    assert 'href="/admin/audit"' in page(client.get("/"))


# What it shows ---------------------------------------------------------------------------------
def test_empty_state(client, admin):
    response = client.get("/admin/audit")
    assert response.status_code == 200
    assert "No change of the directory is recorded yet." in page(response)


def test_a_change_reads_who_when_what_and_each_field_before_and_after(client, admin, make):
    from decimal import Decimal
    from datetime import date

    from tracker.directory import services

    programme = make.programme(name="Short stays", budget=Decimal("100000.00"),
                               opens_on=date(2026, 1, 1), closes_on=date(2026, 12, 31))
    services.save_programme(
        programme, name="Short stays", direction=programme.direction,
        opens_on=programme.opens_on, closes_on=date(2027, 1, 31),
        min_days=programme.min_days, max_days=programme.max_days,
        budget=Decimal("120000.50"), eligible_categories=programme.eligible_categories,
        description="", active=False, actor=admin)
    db.session.commit()

    response = client.get("/admin/audit")
    [row] = table_rows(response)
    when, who, what, values = row
    assert "Alice Admin" in who and "alice.admin@example.org" in who
    assert what == "Short stays Programme Changed"
    assert "Budget (EUR) Before: €100,000.00 → After: €120,000.50" in values
    assert "Closes on Before: 12/31/2026 → After: 1/31/2027" in values
    assert "Active Before: Yes → After: No" in values
    assert f'href="/admin/programmes/{programme.id}"' in page(response)


def test_a_command_line_change_and_a_country_read_in_the_readers_language(client, admin):
    from tracker.directory import services

    services.set_country_level("ML", "red", "", None)
    db.session.commit()
    [row] = table_rows(client.get("/admin/audit"))
    assert "The system or the command line" in row[1]
    assert row[2] == "Mali Country Changed"
    assert "Risk level Before: Green: normal vigilance → After: Red: formally not recommended" in row[3]


def test_times_are_in_the_organisation_time_zone(client, admin):
    add_entries(1, start=datetime(2026, 7, 1, 21, 0, tzinfo=timezone.utc),
                step=timedelta(minutes=30))
    [row] = table_rows(client.get("/admin/audit"))
    # 21:30 UTC is 23:30 in Paris in summer.
    assert row[0] == "7/1/2026, 11:30 PM"


# Filters ---------------------------------------------------------------------------------------
def test_filter_by_kind_actor_subject_and_days(client, admin, make):
    bob = make.user(full_name="Bob Builder", email="bob@example.org")
    add_entries(3, actor=admin)
    add_entries(2, actor=bob, label="Lab 1{n}", start=START + timedelta(days=2))
    add_entries(1, actor=bob, subject_type="programme", label="Programme {n}",
                start=START + timedelta(days=5))

    assert labels(client.get("/admin/audit?subject_type=laboratory")) == [
        "Lab 12", "Lab 11", "Lab 3", "Lab 2", "Lab 1"]
    assert labels(client.get("/admin/audit?actor=BUILDER")) == ["Lab 12", "Lab 11"]
    assert labels(client.get("/admin/audit?actor=alice.admin@")) == ["Lab 3", "Lab 2", "Lab 1"]
    assert labels(client.get("/admin/audit?q=lab 1")) == ["Lab 12", "Lab 11", "Lab 1"]
    # Days of the organisation's time zone, both ends included.
    assert labels(client.get("/admin/audit?since=2026-03-04&until=2026-03-04")) == [
        "Lab 12", "Lab 11"]
    assert labels(client.get("/admin/audit?until=2026-03-02")) == ["Lab 3", "Lab 2", "Lab 1"]
    response = client.get("/admin/audit?actor=nobody")
    assert "No change matches these filters." in page(response)


def test_a_bad_filter_is_shown_next_to_its_field_and_left_out(client, admin):
    add_entries(2)
    response = client.get("/admin/audit?since=2026-03-05&until=2026-03-01&subject_type=bogus")
    assert response.status_code == 200
    assert 'id="until-error"' in page(response)
    assert "The last day cannot be before the first." in page(response)
    assert 'aria-describedby="until-error"' in page(response)
    assert labels(response) == []  # since is still valid: nothing after 5 March

    response = client.get("/admin/audit?since=0001-01-01&until=9999-12-31")
    assert response.status_code == 200
    assert "Enter a day between 1900 and 2999." in page(response)
    assert labels(response) == ["Lab 2", "Lab 1"]


# Pages -----------------------------------------------------------------------------------------
def test_keyset_pages_walk_forwards_and_back_keeping_the_filters(client, admin, make):
    add_entries(PER_PAGE * 2 + 5)
    add_entries(3, subject_type="programme", label="Programme {n}",
                start=START + timedelta(days=30))
    total = PER_PAGE * 2 + 5

    first = client.get("/admin/audit?subject_type=laboratory")
    assert labels(first) == [f"Lab {n}" for n in range(total, total - PER_PAGE, -1)]
    assert link(first, "prev") is None
    second = client.get(link(first, "next"))
    assert "subject_type=laboratory" in link(first, "next")
    assert labels(second) == [f"Lab {n}" for n in range(total - PER_PAGE, 5, -1)]
    third = client.get(link(second, "next"))
    assert labels(third) == [f"Lab {n}" for n in range(5, 0, -1)]
    assert link(third, "next") is None

    back = client.get(link(third, "prev"))
    assert labels(back) == labels(second)
    assert labels(client.get(link(back, "prev"))) == labels(first)


def test_entries_of_the_same_moment_are_each_on_one_page(client, admin):
    add_entries(PER_PAGE + 10, step=timedelta(0))
    first = client.get("/admin/audit")
    second = client.get(link(first, "next"))
    shown = labels(first) + labels(second)
    assert len(shown) == len(set(shown)) == PER_PAGE + 10


def test_a_page_costs_the_same_statements_whatever_its_length_and_place(
        client, admin, make, count_queries):
    bob = make.user(full_name="Bob Builder")
    add_entries(3, actor=bob)
    few = count_queries(lambda: client.get("/admin/audit"))
    add_entries(PER_PAGE * 3, actor=admin, start=START + timedelta(days=1))
    full = count_queries(lambda: client.get("/admin/audit"))
    next_page = link(client.get("/admin/audit"), "next")
    later = count_queries(lambda: client.get(next_page))
    filtered = count_queries(lambda: client.get("/admin/audit?actor=alice&subject_type=laboratory"))
    assert few == full == later == filtered


@pytest.mark.parametrize("cursor", ["nonsense", "eyJhZnRlciI6IDF9", "A" * 3000])
def test_a_cursor_we_did_not_hand_out_is_a_bad_request(client, admin, cursor):
    assert client.get(f"/admin/audit?after={cursor}").status_code == 400
    assert client.get(f"/admin/audit?before={cursor}").status_code == 400


def test_a_french_reader_reads_days_amounts_and_countries_in_french(client, admin, french):
    from decimal import Decimal

    from tracker.audit import services as audit

    admin.locale = "fr"
    db.session.commit()
    audit.record(admin, "update", "country", "DE", {"risk_level": "green"},
                 {"risk_level": "orange"}, label="Germany")
    audit.record(admin, "update", "programme", 3,
                 {"budget": Decimal("100000.00"), "opens_on": "2026-12-01"},
                 {"budget": Decimal("1500.50"), "opens_on": "2027-01-15"}, label="Court séjour")
    db.session.commit()

    rows = table_rows(client.get("/admin/audit"))
    programme, country = rows
    assert country[2].startswith("Allemagne")
    assert "01/12/2026" in programme[3] and "15/01/2027" in programme[3]
    # (the cells' spaces, narrow and non-breaking ones included, read as plain spaces)
    assert "100 000,00 € → After: 1 500,50 €" in programme[3]
