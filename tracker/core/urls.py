"""Redirect targets that stay on this site."""

import unicodedata
from urllib.parse import urlsplit


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
