"""Redirect targets that stay on this site."""

import unicodedata
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def safe_next(target, default="/"):
    """``target`` when it is a path on this site, else ``default``.

    Refuses absolute URLs, scheme-relative ones (``//evil``), backslash tricks and
    anything with control characters.
    """
    if not target or not isinstance(target, str):
        return default
    # "Cc" is every control character: C0 (tab, newline...), DEL and C1, not only < 32.
    if any(unicodedata.category(char) == "Cc" for char in target) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def same_site_referrer(request, default=None):
    """The page ``request`` came from, when it is a page of this site (else ``default``):
    a way back from an error page."""
    referrer = request.referrer
    if not referrer:
        return default
    parts = urlsplit(referrer)
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return default
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next(path, default)


def external_url(endpoint, **values):
    """The absolute address of ``endpoint``, for a link in a message.

    In a request, the request's own host. Outside one (a command run by cron), the address
    people reach the tracker at: ``PUBLIC_URL`` when set, else Flask's ``SERVER_NAME`` and
    ``PREFERRED_URL_SCHEME`` (``http://localhost`` when neither is set).
    """
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config.get("PUBLIC_URL")):
        return url_for(endpoint, _external=True, **values)
