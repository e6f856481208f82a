"""Invitations: a unit's director (or an admin) invites an incoming visitor.

The host gives who the visitor is and what the stay is; :func:`invite` then, in the
caller's transaction,

- finds the visitor's account by address, or creates one (a random password nobody knows,
  the address unconfirmed, so nobody can sign in with it until the visitor sets a password
  through the link);
- creates the visitor's draft through :func:`tracker.applications.services.create_application`,
  so an invitation is refused for exactly what an application would be;
- stores an :class:`~tracker.applications.models.Invitation` carrying only the SHA-256 of a
  one-time link valid :data:`INVITATION_DAYS` days, and queues the message with the link.

Following the link (:func:`read_invitation`, :func:`accept_invitation`): a new visitor sets a
password, which confirms the address; an existing account signs in as usual. Either way the
visitor lands on the draft, completes it and submits it. Services flush, never commit.
"""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from tracker import access
from tracker.applications.models import FUNDINGS, Invitation
from tracker.applications.services import create_application
from tracker.audit import services as audit
from tracker.auth.passwords import password_problems
from tracker.auth.services import create_user, normalise_email, set_password, user_by_email
from tracker.auth.tokens import hash_token
from tracker.core.countries import is_country
from tracker.core.errors import InvalidValues, NotAllowed
from tracker.core.models import utcnow
from tracker.directory.models import Laboratory
from tracker.extensions import db
from tracker.notifications.services import notify

INVITATION_DAYS = 7
STATE_LABELS = {"sent": _l("Sent"), "accepted": _l("Accepted"), "expired": _l("Expired")}


def invitation_state(invitation, now=None):
    """``sent``, ``accepted`` or ``expired``."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.expires_at <= (now or utcnow()):
        return "expired"
    return "sent"


def _person_problems(email, full_name, nationality):
    problems = {}
    email = normalise_email(email)
    local, at, domain = email.partition("@")
    if not at or not local or not domain or "@" in domain or len(email) > 254 \
            or any(character.isspace() for character in email):
        problems["email"] = [_l("Enter an email address, such as name@example.org.")]
    if not (full_name or "").strip():
        problems["full_name"] = [_l("Enter the visitor's full name.")]
    elif len(full_name.strip()) > 200:
        problems["full_name"] = [_l("Use at most 200 characters.")]
    if not is_country(nationality) or len(nationality or "") != 2:
        problems["nationality"] = [_l("Choose a country.")]
    return problems


def invite(inviter, *, email, full_name, nationality, home_laboratory_id, host_laboratory_id,
           funding, start_date, end_date, purpose, title, programme_id=None, today=None):
    """Invite a visitor to ``host_laboratory_id``; returns ``(invitation, link)``.

    Refuses with :class:`NotAllowed` (403) when ``inviter`` may not invite to that unit,
    then :class:`InvalidValues` (422, by field) for the visitor's values and for whatever
    the draft application would be refused for.
    """
    host = db.session.get(Laboratory, host_laboratory_id) if host_laboratory_id else None
    if host is not None and host.kind == "unit":
        if not access.can_invite(inviter, host):
            raise NotAllowed(_l("You may invite visitors only to the units you direct."))
    elif not access.can_invite(inviter):
        raise NotAllowed(_l("Only a unit's director or an administrator invites visitors."))

    problems = _person_problems(email, full_name, nationality)
    if host is None or host.kind != "unit":
        problems["host_laboratory_id"] = [_l("Choose one of our units as the host.")]
    # Asked here, not left to the application's rules: a new account is given it first.
    if not home_laboratory_id or db.session.get(Laboratory, home_laboratory_id) is None:
        problems["home_laboratory_id"] = [_l("Choose the home laboratory.")]
    if funding not in FUNDINGS:
        problems["funding"] = [_l("Choose a programme call or the unit's own funds.")]
    visitor = user_by_email(email) if "email" not in problems else None
    if visitor is not None and not visitor.active:
        problems["email"] = [_l("This person's account is deactivated: ask the office.")]
    elif visitor is not None and visitor.id == inviter.id:
        problems["email"] = [_l("You cannot invite yourself.")]
    if problems:
        raise InvalidValues(_l("Please correct the fields marked."), problems)

    if visitor is None:
        visitor = create_user(
            email, full_name, secrets.token_urlsafe(32), roles=("researcher",),
            confirmed=False, category="researcher", nationality=nationality.upper(),
            home_laboratory_id=home_laboratory_id,
        )
        audit.record(inviter, "create", "user", visitor, after=audit.snapshot("user", visitor))
    data = {
        "funding": funding,
        "programme_id": programme_id,
        "home_laboratory_id": home_laboratory_id,
        "host_laboratory_id": host.id,
        "title": title,
        "purpose": purpose,
        "start_date": start_date,
        "end_date": end_date,
        # The visitor states the costs when completing the draft.
        "requested_amount": "0.00",
    }
    application = create_application(visitor, "incoming", data, today=today, actor=inviter)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=hash_token(token),
        email=visitor.email,
        invited_by_id=inviter.id,
        user_id=visitor.id,
        application_id=application.id,
        host_laboratory_id=host.id,
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    link = url_for("applications.accept_invitation_link", token=token, _external=True)
    _send(invitation, visitor, inviter, host, link)
    return invitation, link


def _send(invitation, visitor, inviter, host, link):
    """Queue the invitation message, with its link, for ``visitor``."""

    def compose():
        subject = gettext("%(name)s invites you to %(laboratory)s",
                          name=inviter.full_name, laboratory=host.label)
        body = gettext(
            "Hello %(visitor)s,\n\n%(name)s invites you to %(laboratory)s and has prepared "
            "your mobility application. Open this link within %(days)d days to complete and "
            "submit it:\n\n%(link)s\n\nThe link works once. If you did not expect this "
            "invitation, ignore this message.",
            visitor=visitor.full_name, name=inviter.full_name, laboratory=host.label,
            days=INVITATION_DAYS, link=link,
        )
        return subject, body

    return notify([visitor], compose, application=invitation.application)


def find_invitation(token):
    """The invitation whose link carries ``token`` (whatever its state), or None."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == hash_token(token))
    )


def read_invitation(token, now=None):
    """``(outcome, invitation)``: ``valid``, ``used``, ``expired`` or ``invalid`` (None)."""
    invitation = find_invitation(token)
    if invitation is None:
        return "invalid", None
    state = invitation_state(invitation, now)
    if state == "accepted":
        return "used", invitation
    if state == "expired":
        return "expired", invitation
    if not invitation.user.active:
        return "invalid", None
    return "valid", invitation


def needs_password(invitation):
    """True when the visitor has no usable account yet (their address is unconfirmed)."""
    return not invitation.user.email_confirmed


def accept_problems(invitation, password, confirmation):
    """What refuses this new password, as ``{field: [messages]}``."""
    problems = {}
    messages = password_problems(password or "", invitation.user.email,
                                 invitation.user.full_name)
    if messages:
        problems["password"] = messages
    if password != confirmation:
        problems["confirm"] = [_l("The two passwords differ.")]
    return problems


def accept_invitation(invitation, password=None, confirmation=None):
    """Accept ``invitation`` (valid, per :func:`read_invitation`).

    A visitor without a usable account sets ``password``, which confirms their address
    (the link came to it). Returns the visitor. Flushes, never commits.
    """
    visitor = invitation.user
    if needs_password(invitation):
        problems = accept_problems(invitation, password, confirmation)
        if problems:
            raise InvalidValues(_l("Please correct the fields marked."), problems)
        set_password(visitor, password)
        visitor.email_confirmed_at = utcnow()
    invitation.accepted_at = utcnow()
    db.session.flush()
    return visitor
