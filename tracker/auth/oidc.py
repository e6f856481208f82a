"""Single sign-on through the organisation's OpenID Connect provider.

The tracker is a relying party of one provider, named by ``OIDC_ISSUER`` (its endpoints and
keys come from the issuer's discovery document). Authlib runs the authorization code flow
with PKCE (S256); the state, the nonce and the code verifier wait in the session; the ID
token is checked against the provider's published keys (signature, issuer, audience,
expiry, nonce) before any of its claims is believed. Every refusal is a
:class:`SignOnRefused`, shown as a page and written to the log, never a 500.

Who the person is here is decided from the verified claims only (:func:`account_for`):

1. the account already linked to this issuer and subject, whatever its address now;
2. else the account with the same address, linked now, and only when the provider says it
   verified that address (else anyone able to set an address there could take an account);
3. else nobody yet: a person with a verified address in ``OIDC_ALLOWED_DOMAINS`` gets a new
   account once they have said what the provider does not (:func:`create_account`).
"""

import logging
import secrets

import requests
import sqlalchemy as sa
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app
from flask_babel import lazy_gettext as _l
from joserfc.errors import JoseError

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.auth.registration import confirm_address
from tracker.auth.services import create_user, normalise_email
from tracker.directory.models import Laboratory
from tracker.extensions import db

log = logging.getLogger(__name__)

# Where the session keeps the ID token of a sign-in through the provider: the provider's
# sign-out is given it as a hint of whose session to end.
ID_TOKEN_KEY = "oidc_id_token"

# Why a sign-in through the provider was refused: what the person reads, and the status.
REFUSALS = {
    "provider": (_l("The identity provider did not sign you in. Try again, or use your "
                    "password if you have one."), 400),
    "state": (_l("This sign-in could not be completed: its link was already used, was "
                 "altered, or was started in another browser. Start again from the sign-in "
                 "page."), 400),
    "token": (_l("The identity provider's answer could not be verified, so you are not "
                 "signed in. Start again; if this goes on, tell the international relations "
                 "office."), 400),
    "unreachable": (_l("The identity provider cannot be reached now. Try again in a few "
                       "minutes."), 503),
    "domain": (_l("Your address is not in a domain whose people may create an account here. "
                  "Ask the international relations office to create yours."), 403),
    "unverified": (_l("Your identity provider has not verified your address, so it cannot "
                      "be used to find or create your account here. Ask the international "
                      "relations office."), 403),
    "taken": (_l("The account with your address is already linked to another identity at "
                 "the provider. Ask the international relations office."), 403),
    "inactive": (_l("Your account is deactivated. Ask the international relations office."),
                 403),
}


class SignOnRefused(Exception):
    """A sign-in through the provider that opens no session; ``reason`` is a key of
    :data:`REFUSALS`."""

    def __init__(self, reason, detail=""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason

    @property
    def message(self):
        return REFUSALS[self.reason][0]

    @property
    def status(self):
        return REFUSALS[self.reason][1]


def enabled():
    """True when single sign-on is configured."""
    config = current_app.config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def client():
    """The Authlib client for the configured provider, kept per application and settings
    so that the discovery document and the keys are fetched once, not at every sign-in."""
    config = current_app.config
    settings = (config["OIDC_ISSUER"], config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"])
    clients = current_app.extensions.setdefault("tracker.oidc", {})
    if settings not in clients:
        issuer, client_id, client_secret = settings
        clients[settings] = FlaskOAuth2App(
            FlaskIntegration("oidc"), "oidc",
            client_id=client_id, client_secret=client_secret,
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                           "timeout": 10},
        )
    return clients[settings]


def login_redirect(redirect_uri):
    """The redirect to the provider's sign-in, with a new state, nonce and PKCE verifier."""
    try:
        return client().authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError) as error:
        raise _refused("unreachable", error) from None


def verified_claims():
    """``(id_token, claims)`` of the sign-in the provider sent back to the callback.

    Authlib takes the state's data out of the session (a callback answers once), exchanges
    the code with the verifier and checks the ID token; any failure is a refusal.
    """
    try:
        token = client().authorize_access_token()
    except MismatchingStateError as error:
        raise _refused("state", error) from None
    except OAuthError as error:
        raise _refused("provider", f"{error.error}: {error.description}") from None
    except JoseError as error:
        raise _refused("token", repr(error)) from None
    except (requests.RequestException, ValueError) as error:
        raise _refused("unreachable", error) from None
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        raise _refused("token", "no verified ID token in the answer")
    return token["id_token"], dict(claims)


def _refused(reason, detail):
    log.warning("single sign-on refused (%s): %s", reason, detail)
    return SignOnRefused(reason, str(detail))


def issuer():
    return current_app.config["OIDC_ISSUER"]


def _linked_account(claims):
    return db.session.scalar(sa.select(User).where(
        User.oidc_issuer == issuer(), User.oidc_subject == str(claims["sub"])))


def _verified_email(claims):
    """The claims' address, or None unless the provider says it verified it."""
    email = normalise_email(claims.get("email"))
    return email if email and claims.get("email_verified") is True else None


def account_for(claims):
    """The account these verified claims sign in to, linking it at first use; None when
    the person has no account yet and may create one (:func:`may_create_account`).

    Raises :class:`SignOnRefused` when the claims open no account. Flushes.
    """
    user = _linked_account(claims)
    if user is None:
        email = normalise_email(claims.get("email"))
        existing = db.session.scalar(sa.select(User).where(User.email == email)) if email else None
        if existing is None:
            may_create_account(claims)
            return None
        user = _link(existing, claims)
    if not user.active:
        raise _refused("inactive", f"user {user.id}")
    return user


def _link(user, claims):
    if _verified_email(claims) is None:
        raise _refused("unverified", f"user {user.id}, subject {claims['sub']}")
    if user.oidc_subject is not None:
        raise _refused("taken", f"user {user.id} is linked to {user.oidc_subject}")
    before = audit.snapshot("user", user)
    user.oidc_issuer, user.oidc_subject = issuer(), str(claims["sub"])
    if not user.email_confirmed:
        # The provider vouches for the address, as the confirmation link would have.
        confirm_address(user)
    # The person linked their own account: they are its actor.
    audit.record_change(user, "user", user, before)
    log.info("single sign-on linked user %s to subject %s", user.id, claims["sub"])
    return user


def may_create_account(claims):
    """Raise :class:`SignOnRefused` unless these claims may create a new account: a
    verified address in one of ``OIDC_ALLOWED_DOMAINS``."""
    email = _verified_email(claims)
    if email is None:
        raise _refused("unverified", f"subject {claims['sub']}")
    domain = email.rpartition("@")[2]
    if domain not in current_app.config["OIDC_ALLOWED_DOMAINS"]:
        raise _refused("domain", f"subject {claims['sub']}, domain {domain}")


def unit_from_claims(claims):
    """The unit named (by its acronym) in the claim ``OIDC_UNIT_CLAIM``, or None."""
    name = current_app.config.get("OIDC_UNIT_CLAIM")
    acronym = claims.get(name) if name else None
    if not isinstance(acronym, str) or not acronym.strip():
        return None
    return db.session.scalar(sa.select(Laboratory).where(
        Laboratory.kind == "unit",
        sa.func.lower(Laboratory.acronym) == acronym.strip().lower()))


def create_account(claims, category, nationality, requested_laboratory_id=None):
    """A new account for verified claims that :func:`may_create_account` allowed.

    The provider's unit claim sets the home unit; failing it, the unit the person named is
    a request its director confirms, as at registration. The account has no usable
    password: the person signs in through the provider. Flushes; the caller commits.
    """
    existing = account_for(claims)
    if existing is not None:
        # The same person answered twice (two tabs), or an account with their address was
        # made meanwhile: that account it is, never a second one.
        return existing
    unit = unit_from_claims(claims)
    email = _verified_email(claims)
    user = create_user(
        email, (claims.get("name") or email.partition("@")[0])[:200],
        secrets.token_urlsafe(32), roles=("researcher",), category=category,
        nationality=nationality, oidc_issuer=issuer(), oidc_subject=str(claims["sub"]),
        home_laboratory_id=unit.id if unit else None,
        requested_laboratory_id=None if unit else requested_laboratory_id,
    )
    audit.record(user, "create", "user", user, after=audit.snapshot("user", user))
    # Tells the requested unit's director, as a confirmed registration does.
    confirm_address(user)
    log.info("single sign-on created user %s for subject %s", user.id, claims["sub"])
    return user


def end_session_url(id_token, post_logout_redirect_uri):
    """The provider's end-session address for this ID token, or None when the provider
    offers none (or cannot be reached: the local session is ended all the same)."""
    try:
        metadata = client().load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        log.warning("single sign-on: no end-session address: %s", error)
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return client().create_logout_url(post_logout_redirect_uri=post_logout_redirect_uri,
                                      id_token_hint=id_token)["url"]
