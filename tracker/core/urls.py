"""Redirect targets that stay on this site."""

from urllib.parse import urlsplit


def safe_next(target, default="/"):
    """``target`` when it is a path on this site, else ``default``.

    Refuses absolute URLs, scheme-relative ones (``//evil``), backslash tricks and
    anything with control characters.
    """
    if not target or not isinstance(target, str):
        return default
    if any(ord(char) < 32 for char in target) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
