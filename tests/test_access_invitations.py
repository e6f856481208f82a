"""The access questions of countries and invitations, asked directly."""

from flask_login import AnonymousUserMixin

from tracker import access
from tracker.applications.models import Invitation
from tracker.core.models import utcnow
from tracker.extensions import db


def test_who_manages_countries(make):
    assert access.can_manage_countries(make.user(roles=("admin",)))
    assert access.can_manage_countries(make.user(roles=("security_officer",)))
    assert not access.can_manage_countries(make.user())
    assert not access.can_manage_countries(make.director_of(make.lab("unit")))
    assert not access.can_manage_countries(AnonymousUserMixin())
    inactive = make.user(roles=("admin",), active=False)
    assert not access.can_manage_countries(inactive)


def test_who_invites_to_which_unit(make):
    unit, other_unit = make.lab("unit"), make.lab("unit")
    joint, partner = make.lab("joint_unit", country="JP"), make.lab("partner")
    director = make.director_of(unit)
    joint_director = make.director_of(joint)
    admin = make.user(roles=("admin",))
    assert access.can_invite(director) and access.can_invite(director, unit)
    assert not access.can_invite(director, other_unit)
    assert not access.can_invite(joint_director) and not access.can_invite(joint_director, joint)
    assert access.can_invite(admin, other_unit) and access.can_invite(admin)
    assert not access.can_invite(admin, partner)  # a visitor comes to one of our units
    assert not access.can_invite(make.user(lab=unit), unit)
    assert not access.can_invite(AnonymousUserMixin())
    hosts = db.session.scalars(access.invitation_host_laboratories(director)).all()
    assert hosts == [unit]
    assert set(db.session.scalars(access.invitation_host_laboratories(admin))) == {unit, other_unit}
    assert db.session.scalars(access.invitation_host_laboratories(make.user())).all() == []


def test_own_invitations(make):
    unit = make.lab("unit")
    director, other = make.director_of(unit), make.director_of(make.lab("unit"))
    visitor = make.user(lab=make.lab("partner"))
    for inviter in (director, other):
        db.session.add(Invitation(token_hash=f"{inviter.id:064d}", email=visitor.email,
                                  invited_by_id=inviter.id, user_id=visitor.id,
                                  host_laboratory_id=unit.id, expires_at=utcnow()))
    db.session.commit()
    mine = db.session.scalars(access.own_invitations(director)).all()
    assert [invitation.invited_by_id for invitation in mine] == [director.id]
    assert len(db.session.scalars(access.own_invitations(make.user(roles=("admin",)))).all()) == 2
    assert db.session.scalars(access.own_invitations(AnonymousUserMixin())).all() == []
    assert db.session.scalars(access.own_invitations(visitor)).all() == []


def test_the_navigation_offers_invitations_and_countries_to_who_may_open_them(make):
    from tracker.main.navigation import nav_links

    def endpoints(user):
        return {endpoint for endpoint, _label, _menu in nav_links(user)}

    unit_director = make.director_of(make.lab("unit"))
    joint_director = make.director_of(make.lab("joint_unit", country="JP"))
    officer = make.user(roles=("security_officer",))
    assert "applications.invitations" in endpoints(unit_director)
    assert "applications.invitations" not in endpoints(joint_director)
    assert "directory.list_countries" in endpoints(officer)
    assert "directory.list_countries" not in endpoints(unit_director)
    assert "directory.list_rules" not in endpoints(officer)
