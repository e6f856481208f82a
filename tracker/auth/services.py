"""Signing in and out, accounts, and the Flask-Login wiring."""

import sqlalchemy as sa
from flask import abort, current_app, g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import user_logged_in
from sqlalchemy.orm import joinedload

from tracker.auth.models import User, new_feed_token
from tracker.auth.passwords import burn_verification, hash_password, verify_password
from tracker.auth.tokens import revoke_token
from tracker.core.errors import wants_json
from tracker.core.models import utcnow
from tracker.extensions import db, limiter


def normalise_email(email):
    return (email or "").strip().lower()


def user_by_email(email):
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def credentials_owner(email, password):
    """The user these credentials belong to, whatever the state of their account, or None.

    An unknown address costs the same hashing time as a wrong password, so the response
    time does not tell whether an account exists.
    """
    user = user_by_email(email)
    if user is None:
        burn_verification(password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    return user


def authenticate(email, password):
    """The user with these credentials when their account may be used now, or None.

    A deactivated account, one whose address is not confirmed yet, and one that must sign
    in through the provider, is refused.
    """
    user = credentials_owner(email, password)
    if user is None or not user.is_active or not password_sign_in_allowed(user):
        return None
    return user


def password_sign_in_allowed(user):
    """False for a person linked to the single sign-on provider when
    ``PASSWORD_SIGN_IN_FOR_SSO`` is off: the provider alone then says who they are."""
    return user.oidc_subject is None or current_app.config["PASSWORD_SIGN_IN_FOR_SSO"]


# Where an anonymous visitor's choice of language is kept (tracker._select_locale reads it).
LOCALE_SESSION_KEY = "locale"


def choose_locale(user, locale):
    """Remember ``locale`` as the reader's language: in the session, so that it holds before
    sign-in and after sign-out, and on ``user`` when someone is signed in. The caller
    checked ``locale`` and commits."""
    session[LOCALE_SESSION_KEY] = locale
    if user is not None and user.is_authenticated:
        user.locale = locale


def fresh_session():
    """Clear the session (a new one, with a new CSRF token, at every sign-in and sign-out),
    keeping only the language the visitor chose: signing in is no reason to change it."""
    locale = session.get(LOCALE_SESSION_KEY)
    session.clear()
    if locale:
        session[LOCALE_SESSION_KEY] = locale


def create_user(email, full_name, password, roles=("researcher",), confirmed=True, **fields):
    """A new account. ``confirmed=False`` (self-registration) leaves it unusable until the
    person follows the link sent to their address."""
    user = User(
        email=normalise_email(email),
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        email_confirmed_at=utcnow() if confirmed else None,
        **fields,
    )
    user.roles = roles
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user, password):
    """A new password ends every way in that the old one opened: the person's sessions and
    remember-me cookies, their API tokens, and their calendar feed's secret address."""
    user.password_hash = hash_password(password)
    user.end_all_sessions()
    for token in user.api_tokens:
        revoke_token(token)
    if user.calendar_feed is not None:
        user.calendar_feed.token = new_feed_token()


def login_account_key():
    """Rate-limit key for the account named in a sign-in or token request."""
    email = request.form.get("email")
    if email is None and request.is_json:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    return "account:" + normalise_email(email if isinstance(email, str) else "")


def _account_limit():
    return current_app.config["LOGIN_ACCOUNT_LIMIT"]


def _address_limit():
    return current_app.config["LOGIN_ADDRESS_LIMIT"]


def limit_sign_in(view):
    """Count failed sign-ins per account and per client address, whichever way in.

    The sign-in form and the API's token endpoint share the two counts (``shared_limit``
    scopes): an account limited on one is limited on the other, and an address spreading
    its guesses over both is counted once. Only failures count (``deduct_when``).
    """
    account = limiter.shared_limit(_account_limit, scope="sign-in-account",
                                   key_func=login_account_key, methods=["POST"],
                                   deduct_when=login_failed)
    address = limiter.shared_limit(_address_limit, scope="sign-in-address",
                                   methods=["POST"], deduct_when=login_failed)
    return account(address(view))


def limit_sign_on_returns(view):
    """Count failed returns from the single sign-on provider with the sign-in failures per
    client address: who is signing in is not known before the provider's answer is."""
    return limiter.shared_limit(_address_limit, scope="sign-in-address",
                                deduct_when=login_failed)(view)


def mark_login_failed():
    g.login_failed = True


def login_failed(response):
    """Only failed attempts count against the sign-in limits."""
    return bool(g.get("login_failed"))


def note_sign_in(app, user, **extra):
    """Keep the time of each sign-in, which tells the retention that the account is used.

    Every way in signs the person in once its own writes are committed, so the time is
    committed at once, as its own small write (a sign-in that a later error undid would
    still have happened).
    """
    db.session.execute(sa.update(User).where(User.id == user.id)
                       .values(last_sign_in_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.commit()


def configure_login_manager(login_manager):
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id):
        # The id carries the user's session token: rotating the token ends every session.
        identifier, _, token = (user_id or "").partition(":")
        if not identifier.isdigit() or not token:
            return None
        # Roles and directed laboratories are read on nearly every page: one round trip.
        user = db.session.get(
            User,
            int(identifier),
            options=[joinedload(User.role_rows), joinedload(User.directed_laboratories)],
        )
        if user is None or not user.is_active or user.session_token != token:
            return None
        return user

    user_logged_in.connect(note_sign_in)

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, url_for

        if wants_json():
            abort(401)
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
