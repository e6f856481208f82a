"""Administration of laboratories: list, filters, create, edit, and the kind/country rules."""

import sqlalchemy as sa

from tests.conftest import post_form, sign_in
from tests.directory.helpers import (
    described_by_error,
    error_of,
    first_column,
    input_value,
    page,
    selected,
    table_rows,
)
from tracker.auth.models import User
from tracker.directory.models import Laboratory


def lab_form(**changes):
    data = {
        "name": "Laboratoire de physique",
        "acronym": "LPX",
        "kind": "unit",
        "institution": "Organisation",
        "city": "Lyon",
        "country": "FR",
        "director_email": "",
    }
    data.update(changes)
    return data


def labs_named(db, name):
    db.session.expire_all()
    return db.session.scalars(sa.select(Laboratory).where(Laboratory.name == name)).all()


def lab_count(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Laboratory))


# Listing -------------------------------------------------------------------------------------
def test_list_shows_kind_country_and_director(client, admin, make):
    joint = make.lab("joint_unit", country="JP", name="Tokyo Joint Unit", city="Tokyo")
    make.director_of(joint, full_name="Kenji Director")
    response = client.get("/admin/laboratories")
    assert response.status_code == 200
    rows = {row[0]: row for row in table_rows(response)}
    assert rows["Tokyo Joint Unit"][2] == "International joint unit (abroad)"
    assert rows["Tokyo Joint Unit"][5] == "Japan"
    assert rows["Tokyo Joint Unit"][6] == "Kenji Director"
    assert "<caption>" in page(response) and '<th scope="col">' in page(response)


def test_filter_by_kind_and_country(client, admin, make):
    make.lab("partner", country="DE", name="Berlin Partner")
    make.lab("partner", country="US", name="Boston Partner")
    make.lab("joint_unit", country="DE", name="Munich Joint Unit")
    assert first_column(client.get("/admin/laboratories?kind=partner")) == [
        "Berlin Partner", "Boston Partner"]
    assert first_column(client.get("/admin/laboratories?country=DE")) == [
        "Berlin Partner", "Munich Joint Unit"]
    assert first_column(client.get("/admin/laboratories?kind=joint_unit&country=DE")) == [
        "Munich Joint Unit"]
    assert selected(client.get("/admin/laboratories?country=DE"), "country") == ["DE"]


def test_search_on_name_acronym_city_and_institution(client, admin, make):
    make.lab("partner", name="Alpha", acronym="AAA", city="Boston", institution="MIT")
    make.lab("partner", name="Beta", acronym="QZX", city="Berlin", institution="TU")
    make.lab("partner", name="Gamma", acronym="GGG", city="Oxford", institution="Wellcome Trust")
    assert first_column(client.get("/admin/laboratories?q=alp")) == ["Alpha"]
    assert first_column(client.get("/admin/laboratories?q=qzx")) == ["Beta"]
    assert first_column(client.get("/admin/laboratories?q=oxford")) == ["Gamma"]
    assert first_column(client.get("/admin/laboratories?q=wellcome")) == ["Gamma"]


def test_pagination_and_empty_state(client, admin, make):
    for n in range(27):
        make.lab("partner", name=f"Partner {n:02d}")
    first = client.get("/admin/laboratories?kind=partner")
    assert len(table_rows(first)) == 25
    assert "Page 1 of 2" in page(first)
    assert len(table_rows(client.get("/admin/laboratories?kind=partner&page=2"))) == 2
    empty = client.get("/admin/laboratories?q=atlantis")
    assert "No laboratory matches these filters." in page(empty)


def test_list_queries_do_not_grow_with_rows(client, admin, make, count_queries):
    make.director_of(make.lab("unit"))
    few = count_queries(lambda: client.get("/admin/laboratories"))
    for _ in range(15):
        make.director_of(make.lab("joint_unit", country="DE"))
    many = count_queries(lambda: client.get("/admin/laboratories"))
    assert many == few


# Creating ------------------------------------------------------------------------------------
def test_create_a_unit(client, admin, db):
    response = post_form(client, "/admin/laboratories/new", lab_form())
    assert response.status_code == 302
    [lab] = labs_named(db, "Laboratoire de physique")
    assert (lab.acronym, lab.kind, lab.city, lab.country, lab.director) == (
        "LPX", "unit", "Lyon", "FR", None)


def test_create_with_a_director_gives_the_director_role(app, client, admin, make, db):
    person = make.user(email="new.director@example.org", full_name="Nora Director")
    theirs = app.test_client()
    sign_in(theirs, person)
    response = post_form(client, "/admin/laboratories/new",
                         lab_form(director_email="New.Director@example.org"))
    assert response.status_code == 302
    [lab] = labs_named(db, "Laboratoire de physique")
    assert lab.director.email == "new.director@example.org"
    assert lab.director.roles == ["researcher", "director"]
    follow = client.get(response.headers["Location"])
    assert "Nora Director now has the director role" in page(follow)
    # The role change went through set_roles: their sessions ended.
    assert theirs.get("/auth/password").status_code == 302


def test_existing_director_keeps_their_roles_and_sessions(app, client, admin, make, db):
    person = make.user(roles=("researcher", "director"), email="dir@example.org")
    theirs = app.test_client()
    sign_in(theirs, person)
    response = post_form(client, "/admin/laboratories/new",
                         lab_form(kind="joint_unit", country="JP", director_email="dir@example.org"))
    assert response.status_code == 302
    assert "now has the director role" not in page(client.get("/admin/laboratories"))
    assert theirs.get("/auth/password").status_code == 200


def test_admin_who_directs_a_new_lab_stays_signed_in(client, admin, db):
    response = post_form(client, "/admin/laboratories/new",
                         lab_form(director_email=admin.email))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, admin.id).roles == ["researcher", "director", "admin"]
    follow = client.get("/admin/laboratories")
    assert follow.status_code == 200
    assert "You now have the director role." in page(follow)


def test_unit_abroad_is_refused_next_to_country(client, admin, db):
    count = lab_count(db)
    response = post_form(client, "/admin/laboratories/new",
                         lab_form(country="DE", name="Typed Name", city="Typed City"))
    assert response.status_code == 200
    assert "A unit is one of our laboratories in France" in error_of(response, "country")
    assert described_by_error(response, "country")
    assert input_value(response, "name") == "Typed Name"
    assert input_value(response, "city") == "Typed City"
    assert selected(response, "country") == ["DE"]
    assert selected(response, "kind") == ["unit"]
    assert lab_count(db) == count


def test_partner_or_joint_unit_in_france_is_refused(client, admin, db):
    for kind in ("partner", "joint_unit"):
        response = post_form(client, "/admin/laboratories/new", lab_form(kind=kind, country="FR"))
        assert response.status_code == 200
        assert "are abroad" in error_of(response, "country")
        assert selected(response, "kind") == [kind]
    assert labs_named(db, "Laboratoire de physique") == []


def test_partner_with_a_director_is_refused(client, admin, make, db):
    make.user(email="someone@example.org")
    response = post_form(client, "/admin/laboratories/new", lab_form(
        kind="partner", country="US", director_email="someone@example.org"))
    assert response.status_code == 200
    assert "Partner laboratories have no director" in error_of(response, "director_email")
    assert input_value(response, "director_email") == "someone@example.org"
    assert labs_named(db, "Laboratoire de physique") == []


def test_unknown_or_deactivated_director_is_refused(client, admin, make, db):
    response = post_form(client, "/admin/laboratories/new",
                         lab_form(director_email="ghost@example.org"))
    assert "Nobody has an account with this email address." == error_of(response, "director_email")
    gone = make.user(email="gone@example.org")
    gone.active = False
    db.session.commit()
    response = post_form(client, "/admin/laboratories/new",
                         lab_form(director_email="gone@example.org"))
    assert "deactivated" in error_of(response, "director_email")
    assert labs_named(db, "Laboratoire de physique") == []


def test_required_fields_and_unknown_values(client, admin, db):
    response = post_form(client, "/admin/laboratories/new",
                         lab_form(name="   ", kind="castle", country="ZZ"))
    assert response.status_code == 200
    assert error_of(response, "name")
    assert error_of(response, "kind")
    assert error_of(response, "country")


# Editing -------------------------------------------------------------------------------------
def test_edit_page_shows_current_values(client, admin, make):
    lab = make.lab("joint_unit", country="JP", name="Tokyo JU")
    make.director_of(lab, email="kenji@example.org")
    response = client.get(f"/admin/laboratories/{lab.id}")
    assert input_value(response, "name") == "Tokyo JU"
    assert selected(response, "kind") == ["joint_unit"]
    assert selected(response, "country") == ["JP"]
    assert input_value(response, "director_email") == "kenji@example.org"


def test_edit_a_partner_into_a_joint_unit_with_director(client, admin, make, db):
    lab = make.lab("partner", country="DE", name="Berlin")
    person = make.user(email="berlin.director@example.org")
    response = post_form(client, f"/admin/laboratories/{lab.id}", lab_form(
        name="Berlin Joint Unit", kind="joint_unit", country="DE", city="Berlin",
        director_email="berlin.director@example.org"))
    assert response.status_code == 302
    db.session.expire_all()
    lab = db.session.get(Laboratory, lab.id)
    assert (lab.name, lab.kind, lab.director_id) == ("Berlin Joint Unit", "joint_unit", person.id)


def test_edit_removes_the_director(client, admin, make, db):
    lab = make.lab("unit")
    make.director_of(lab)
    response = post_form(client, f"/admin/laboratories/{lab.id}", lab_form(director_email=""))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Laboratory, lab.id).director_id is None


def test_turning_a_directed_unit_into_a_partner_is_refused(client, admin, make, db):
    lab = make.lab("unit", name="Directed")
    director = make.director_of(lab)
    response = post_form(client, f"/admin/laboratories/{lab.id}", lab_form(
        name="Directed", kind="partner", country="US", director_email=director.email))
    assert response.status_code == 200
    assert "Partner laboratories have no director" in error_of(response, "director_email")
    db.session.expire_all()
    assert db.session.get(Laboratory, lab.id).kind == "unit"


def test_unknown_laboratory_is_404(client, admin):
    assert client.get("/admin/laboratories/424242").status_code == 404
    assert post_form(client, "/admin/laboratories/424242", lab_form(),
                     page="/admin/laboratories/new").status_code == 404


# Access --------------------------------------------------------------------------------------
def test_laboratory_pages_are_for_admins_only(app, make, db):
    lab = make.lab("unit")
    director = make.director_of(lab)
    researcher = make.user(lab=lab)
    for person in (researcher, director):
        other = app.test_client()
        sign_in(other, person)
        for url in ("/admin/laboratories", "/admin/laboratories/new", f"/admin/laboratories/{lab.id}"):
            assert other.get(url).status_code == 403
        assert post_form(other, "/admin/laboratories/new", lab_form(),
                         page="/auth/password").status_code == 403
    assert labs_named(db, "Laboratoire de physique") == []
    response = app.test_client().get("/admin/laboratories/new")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
