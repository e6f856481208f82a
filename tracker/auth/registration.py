"""Open self-registration: address confirmation, its rate limits, and home-unit requests.

In production accounts come from the office (invitations, single sign-on, an admin), and
``REGISTRATION_OPEN`` is off. When it is on (the demo), anyone may register, so:

- the answer to a registration never says whether the address already has an account (its
  owner is told by mail instead);
- a new account signs in only once its owner followed a signed, expiring link sent to the
  address;
- a unit chosen at registration is a request that its director (or an admin) confirms,
  never a home unit taken by the person themselves.
"""

from flask import current_app, request, url_for
from flask_babel import gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.auth.passwords import hash_password
from tracker.auth.services import create_user, normalise_email, user_by_email
from tracker.core.models import utcnow
from tracker.extensions import db, limiter
from tracker.notifications.services import notify

# A salt of this purpose only: a token signed for anything else with the same SECRET_KEY
# (a session, a CSRF token) never reads as a confirmation link.
CONFIRMATION_SALT = "tracker.auth.confirm-email"
CONFIRMATION_MAX_AGE = 48 * 3600


def registration_open():
    """True when anyone may create an account from the registration page."""
    return bool(current_app.config.get("REGISTRATION_OPEN"))


# Limits ------------------------------------------------------------------------------------
def _posted_email_key():
    """Rate-limit key for the address a registration or a new link is asked for."""
    email = request.form.get("email")
    return "registration-email:" + normalise_email(email if isinstance(email, str) else "")


def _address_limit():
    return current_app.config["REGISTRATION_ADDRESS_LIMIT"]


def _email_limit():
    return current_app.config["REGISTRATION_EMAIL_LIMIT"]


def limit_registration(view):
    """Count every registration and every request for a new link, per client address and
    per address asked for.

    Both send mail: without a limit, a script could create accounts by the thousand or fill
    someone's mailbox. The registration form and the form asking for a new link share the
    two counts, so an address cannot spread its posts over both.
    """
    per_client = limiter.shared_limit(_address_limit, scope="registration-client",
                                      methods=["POST"])
    per_email = limiter.shared_limit(_email_limit, scope="registration-email",
                                     key_func=_posted_email_key, methods=["POST"])
    return per_client(per_email(view))


# Confirmation links --------------------------------------------------------------------------
def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRMATION_SALT)


def confirmation_token(user):
    """A signed token naming ``user`` and the address it confirms."""
    return _serializer().dumps({"user": user.id, "email": user.email})


def read_confirmation_token(token):
    """``(outcome, user)`` for a confirmation link's token.

    ``outcome`` is ``"valid"`` (user awaits confirmation), ``"used"`` (already confirmed),
    ``"expired"`` (older than 48 hours) or ``"invalid"`` (altered, or its account or address
    gone); ``user`` is None unless the outcome is ``"valid"`` or ``"used"``.
    """
    try:
        payload = _serializer().loads(token, max_age=CONFIRMATION_MAX_AGE)
    except SignatureExpired:
        return "expired", None
    except BadSignature:
        return "invalid", None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return "invalid", None
    user = db.session.get(User, payload["user"])
    if user is None or user.email != payload.get("email"):
        return "invalid", None
    return ("used" if user.email_confirmed else "valid"), user


def send_confirmation(user):
    """Queue a message carrying a new confirmation link for ``user``."""
    link = url_for("auth.confirm_email", token=confirmation_token(user), _external=True)

    def compose():
        return gettext("Confirm your address to use the mobility tracker"), gettext(
            "Hello %(name)s,\n\nTo finish creating your account, open this link within 48 "
            "hours:\n\n%(link)s\n\nIf you did not ask for an account, ignore this message: "
            "without confirmation the account cannot be used.",
            name=user.full_name, link=link,
        )

    return notify([user], compose)


def _warn_owner(user):
    """Tell the owner of an existing account that someone registered with their address."""

    def compose():
        return gettext("Someone tried to register with your address"), gettext(
            "Hello %(name)s,\n\nSomeone tried to create a mobility tracker account with your "
            "address. You already have one: nothing was changed. If you forgot your "
            "password, ask the international relations office. If this was not you, you "
            "need not do anything.",
            name=user.full_name,
        )

    return notify([user], compose)


def register_person(email, full_name, password, category, nationality,
                    requested_laboratory_id=None):
    """Register someone, answering the same whether or not the address has an account.

    A new address gets an unconfirmed account and a confirmation link; an address awaiting
    confirmation gets a new link; a confirmed one, a warning to its owner. Returns the new
    account, or None. Flushes; the caller commits.
    """
    existing = user_by_email(email)
    if existing is None:
        user = create_user(
            email, full_name, password, roles=("researcher",), confirmed=False,
            category=category, nationality=nationality,
            requested_laboratory_id=requested_laboratory_id,
        )
        # The person made their own account: they are its actor.
        audit.record(user, "create", "user", user, after=audit.snapshot("user", user))
        send_confirmation(user)
        return user
    # The same hashing work as a new account, so the response time says nothing either.
    hash_password(password)
    if not existing.email_confirmed:
        send_confirmation(existing)
    elif existing.active:
        _warn_owner(existing)
    return None


def resend_confirmation(email):
    """Send a new link when ``email`` names an account awaiting confirmation; else nothing.

    The caller answers the same either way.
    """
    user = user_by_email(email)
    if user is not None and not user.email_confirmed:
        send_confirmation(user)


def confirm_address(user):
    """Mark ``user``'s address confirmed, and tell the director of the unit they asked for."""
    user.email_confirmed_at = utcnow()
    laboratory = user.requested_laboratory
    director = laboratory.director if laboratory is not None else None
    if director is not None and director.is_active:
        link = url_for("auth.home_requests", _external=True)

        def compose():
            subject = gettext("%(name)s asks to join %(laboratory)s",
                              name=user.full_name, laboratory=laboratory.label)
            body = gettext(
                "%(name)s (%(email)s) registered and named %(laboratory)s as their home "
                "laboratory. Confirm or refuse it on the page of home laboratory requests:"
                "\n\n%(link)s",
                name=user.full_name, email=user.email, laboratory=laboratory.label, link=link,
            )
            return subject, body

        notify([director], compose)


# Home-unit requests ----------------------------------------------------------------------------
def decide_home_request(person, accept, actor=None):
    """Confirm (``accept``) or refuse ``person``'s requested home laboratory, and tell them.

    The caller found ``person`` through :func:`tracker.access.home_requests_to_decide`;
    ``actor`` (the director or admin deciding) is named in the audit of a confirmation.
    """
    laboratory = person.requested_laboratory
    person.requested_laboratory_id = None
    if accept:
        before = audit.snapshot("user", person)
        person.home_laboratory_id = laboratory.id
        audit.record_change(actor, "user", person, before)

    def compose():
        if accept:
            return gettext("Your home laboratory is confirmed"), gettext(
                "%(laboratory)s confirmed that you belong to it: it is now your home "
                "laboratory.", laboratory=laboratory.label)
        return gettext("Your home laboratory request was not confirmed"), gettext(
            "%(laboratory)s did not confirm that you belong to it. If this is a mistake, "
            "contact its director or the international relations office.",
            laboratory=laboratory.label)

    notify([person], compose)
    db.session.flush()
