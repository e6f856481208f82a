"""Administration of people: list, search, edit, roles, deactivation, sessions."""

import sqlalchemy as sa

from tests.conftest import post_form, sign_in
from tests.directory.helpers import (
    checked,
    described_by_error,
    error_of,
    first_column,
    input_value,
    page,
    selected,
    table_rows,
)
from tracker.auth.models import User


def form_of(user, **changes):
    """The edit form of ``user`` as a browser would send it unchanged, then ``changes``."""
    data = {
        "full_name": user.full_name,
        "email": user.email,
        "category": user.category,
        "nationality": user.nationality,
        "home_laboratory_id": str(user.home_laboratory_id or ""),
        "roles": list(user.roles),
    }
    if user.active:
        data["active"] = "y"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def reload(db, user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def signed_in_client(app, user):
    other = app.test_client()
    sign_in(other, user)
    assert other.get("/auth/password").status_code == 200
    return other


def still_signed_in(other):
    response = other.get("/auth/password")
    if response.status_code == 302:
        assert "/auth/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


# Listing -------------------------------------------------------------------------------------
def test_list_shows_people_with_lab_and_roles(client, admin, make):
    partner = make.lab("partner", name="Boston Lab", acronym="BOS")
    make.user(full_name="Bob Visitor", lab=partner, roles=("researcher", "director"))
    response = client.get("/admin/users")
    assert response.status_code == 200
    rows = {row[0]: row for row in table_rows(response)}
    assert set(rows) == {"Alice Admin", "Bob Visitor"}
    assert "BOS — Boston Lab" in rows["Bob Visitor"][3]
    assert "Laboratory director" in rows["Bob Visitor"][4]
    assert "<caption>" in page(response)
    assert page(response).count("<h1") == 1


def test_search_by_name_or_email_ignores_case(client, admin, make):
    make.user(full_name="Marie Curie", email="marie@example.org")
    make.user(full_name="Pierre Curie", email="pierre@lab.example.fr")
    make.user(full_name="Lise Meitner", email="lise@example.org")
    assert first_column(client.get("/admin/users?q=curie")) == ["Marie Curie", "Pierre Curie"]
    assert first_column(client.get("/admin/users?q=LAB.EXAMPLE")) == ["Pierre Curie"]
    # LIKE wildcards typed by the user are searched for literally.
    assert first_column(client.get("/admin/users?q=%25")) == []


def test_filter_by_role_and_active(client, admin, make, db):
    make.user(full_name="Dora Director", roles=("researcher", "director"))
    gone = make.user(full_name="Gone Researcher")
    gone.active = False
    db.session.commit()
    assert first_column(client.get("/admin/users?role=director")) == ["Dora Director"]
    assert first_column(client.get("/admin/users?role=admin")) == ["Alice Admin"]
    assert first_column(client.get("/admin/users?active=0")) == ["Gone Researcher"]
    assert "Gone Researcher" not in first_column(client.get("/admin/users?active=1"))
    # An unknown filter value is ignored, not an error.
    assert client.get("/admin/users?role=emperor").status_code == 200


def test_pagination_25_per_page_keeps_filters(client, admin, make):
    for n in range(30):
        make.user(full_name=f"Member {n:02d}")
    first = client.get("/admin/users?q=member")
    assert len(table_rows(first)) == 25
    assert 'href="/admin/users?q=member&amp;page=2"' in page(first)
    second = client.get("/admin/users?q=member&page=2")
    assert first_column(second) == [f"Member {n:02d}" for n in range(25, 30)]
    assert table_rows(client.get("/admin/users?q=member&page=99")) == []


def test_empty_state(client, admin):
    response = client.get("/admin/users?q=nobody-has-this-name")
    assert response.status_code == 200
    assert "Nobody matches these filters." in page(response)
    assert "<table" not in page(response)


def test_list_queries_do_not_grow_with_rows(client, admin, make, count_queries):
    lab = make.lab("partner")
    for _ in range(3):
        make.user(lab=lab)
    few = count_queries(lambda: client.get("/admin/users"))
    for _ in range(20):
        make.user(lab=make.lab("partner"), roles=("researcher", "director"))
    many = count_queries(lambda: client.get("/admin/users"))
    assert many == few


# Editing -------------------------------------------------------------------------------------
def test_edit_page_shows_current_values(client, admin, make):
    lab = make.lab("unit", acronym="LPMC")
    user = make.user(full_name="Ada Lovelace", lab=lab, nationality="GB", roles=("researcher",))
    response = client.get(f"/admin/users/{user.id}")
    assert input_value(response, "full_name") == "Ada Lovelace"
    assert selected(response, "nationality") == ["GB"]
    assert selected(response, "home_laboratory_id") == [str(lab.id)]
    assert checked(response, "roles") == ["researcher"]
    assert "<fieldset" in page(response) and "<legend" in page(response)


def test_edit_saves_every_field_and_lowercases_email(client, admin, make, db):
    lab = make.lab("partner", country="DE")
    user = make.user(full_name="Ada", nationality="FR")
    response = post_form(client, f"/admin/users/{user.id}", form_of(
        user,
        full_name="  Ada Lovelace ",
        email="Ada.Lovelace@Example.ORG",
        category="postdoc",
        nationality="GB",
        home_laboratory_id=str(lab.id),
        roles=["researcher", "director"],
    ))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/users")
    user = reload(db, user)
    assert user.full_name == "Ada Lovelace"
    assert user.email == "ada.lovelace@example.org"
    assert user.category == "postdoc"
    assert user.nationality == "GB"
    assert user.home_laboratory_id == lab.id
    assert user.roles == ["researcher", "director"]
    assert user.active


def test_duplicate_email_in_another_case_is_refused(client, admin, make, db):
    make.user(email="taken@example.org")
    user = make.user(email="mine@example.org", full_name="Keeps Typing")
    response = post_form(client, f"/admin/users/{user.id}",
                         form_of(user, email="Taken@Example.org", full_name="Typed Name"))
    assert response.status_code == 200
    assert error_of(response, "email") == "Another account already uses this email address."
    assert described_by_error(response, "email")
    assert input_value(response, "email") == "Taken@Example.org"
    assert input_value(response, "full_name") == "Typed Name"
    assert reload(db, user).email == "mine@example.org"


def test_keeping_ones_own_email_is_fine(client, admin, make, db):
    user = make.user(email="same@example.org")
    response = post_form(client, f"/admin/users/{user.id}", form_of(user, email="SAME@example.org"))
    assert response.status_code == 302


def test_at_least_one_role(client, admin, make, db):
    user = make.user(roles=("researcher",), full_name="Role Less")
    response = post_form(client, f"/admin/users/{user.id}", form_of(user, roles=[], full_name="Typed"))
    assert response.status_code == 200
    assert error_of(response, "roles") == "Choose at least one role."
    assert described_by_error(response, "roles-0", "roles")
    assert ' required' not in page(response).split('id="roles"')[1].split("</fieldset>")[0]
    assert input_value(response, "full_name") == "Typed"
    assert reload(db, user).roles == ["researcher"]


def test_unknown_role_or_country_is_refused(client, admin, make, db):
    user = make.user()
    response = post_form(client, f"/admin/users/{user.id}",
                         form_of(user, roles=["emperor"], nationality="XX"))
    assert response.status_code == 200
    assert error_of(response, "roles")
    assert error_of(response, "nationality")


def test_admin_cannot_remove_own_admin_role(client, admin, db):
    response = post_form(client, f"/admin/users/{admin.id}",
                         form_of(admin, roles=["researcher"], full_name="Alice Typed"))
    assert response.status_code == 200
    assert "cannot remove your own administrator role" in error_of(response, "roles")
    assert checked(response, "roles") == ["researcher"]
    assert input_value(response, "full_name") == "Alice Typed"
    assert reload(db, admin).roles == ["researcher", "admin"]


def test_admin_cannot_deactivate_themselves(client, admin, db):
    response = post_form(client, f"/admin/users/{admin.id}", form_of(admin, active=None))
    assert response.status_code == 200
    assert "cannot deactivate your own account" in error_of(response, "active")
    assert reload(db, admin).active


def test_admin_who_gives_themselves_a_role_stays_signed_in(client, admin, db):
    response = post_form(client, f"/admin/users/{admin.id}",
                         form_of(admin, roles=["researcher", "director", "admin"]))
    assert response.status_code == 302
    assert reload(db, admin).roles == ["researcher", "director", "admin"]
    assert still_signed_in(client)


def test_another_admin_can_be_demoted(client, admin, make, db):
    other = make.user(roles=("admin",))
    response = post_form(client, f"/admin/users/{other.id}", form_of(other, roles=["researcher"]))
    assert response.status_code == 302
    assert reload(db, other).roles == ["researcher"]


def test_role_change_ends_that_users_sessions(app, client, admin, make, db):
    user = make.user(roles=("researcher",))
    theirs = signed_in_client(app, user)
    response = post_form(client, f"/admin/users/{user.id}",
                         form_of(user, roles=["researcher", "director"]))
    assert response.status_code == 302
    assert not still_signed_in(theirs)
    assert still_signed_in(client)


def test_deactivation_ends_that_users_sessions(app, client, admin, make, db):
    user = make.user()
    theirs = signed_in_client(app, user)
    response = post_form(client, f"/admin/users/{user.id}", form_of(user, active=None))
    assert response.status_code == 302
    assert not reload(db, user).active
    assert not still_signed_in(theirs)


def test_other_edits_keep_that_users_sessions(app, client, admin, make, db):
    user = make.user()
    theirs = signed_in_client(app, user)
    response = post_form(client, f"/admin/users/{user.id}", form_of(user, full_name="Renamed"))
    assert response.status_code == 302
    assert still_signed_in(theirs)


def test_unknown_user_is_404(client, admin):
    assert client.get("/admin/users/999999").status_code == 404


# Access --------------------------------------------------------------------------------------
def test_people_pages_are_for_admins_only(app, make):
    user = make.user()
    director = make.director_of(make.lab("unit"))
    for person in (user, director):
        other = app.test_client()
        sign_in(other, person)
        assert other.get("/admin/users").status_code == 403
        assert other.get(f"/admin/users/{user.id}").status_code == 403
        assert post_form(other, f"/admin/users/{user.id}", form_of(user, roles=["admin"]),
                         page="/auth/password").status_code == 403
    assert sorted(db_roles(user)) == ["researcher"]
    anonymous = app.test_client()
    response = anonymous.get("/admin/users")
    assert response.status_code == 302
    assert "/auth/login?next=/admin/users" in response.headers["Location"]


def db_roles(user):
    from tracker.extensions import db

    db.session.expire_all()
    return db.session.scalars(sa.select(User).where(User.id == user.id)).one().roles


def test_filters_show_no_error_when_absent_and_one_for_a_bad_value(client, admin):
    response = client.get("/admin/users")
    assert error_of(response, "role") is None and error_of(response, "active") is None
    assert error_of(client.get("/admin/users?active=maybe"), "active") == "Not a valid choice."


def test_director_role_stays_while_they_direct_a_lab(client, admin, make, db):
    lab = make.lab("unit", acronym="LPMC")
    director = make.director_of(lab)
    response = post_form(client, f"/admin/users/{director.id}",
                         form_of(director, roles=["researcher"]))
    assert response.status_code == 200
    assert "directs LPMC" in error_of(response, "roles")
    assert reload(db, director).roles == ["researcher", "director"]
