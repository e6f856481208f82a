"""Static files that browsers keep for a year, and pages they always ask again for.

Every ``url_for('static', filename=...)`` carries ``?v=`` and the first characters of the
file's SHA-256, computed once per file and process (again when the file changes, in debug).
A response to a URL whose version is the file's current one is marked ``immutable`` for a
year: a new deployment changes the version, hence the URL, so nobody keeps a stale copy. An
unversioned or outdated URL still answers, revalidated each time (Flask's ``no-cache`` with an
ETag). HTML pages are personal and change with every action: ``private, no-cache``.
"""

import hashlib
import os

from flask import request
from werkzeug.security import safe_join

STATIC_ENDPOINT = "static"
LONG_CACHE = "public, max-age=31536000, immutable"
PAGE_CACHE = "private, no-cache"
# 12 hexadecimal characters: 48 bits, no collision between two versions of a file in practice.
VERSION_LENGTH = 12


class Fingerprints:
    """The version of each static file, read from its content once."""

    def __init__(self, folder, watch_changes=False):
        self.folder = folder
        self.watch_changes = watch_changes
        self._known = {}

    def version(self, filename):
        """The file's version, or None when ``filename`` is no file of the folder."""
        path = safe_join(self.folder, filename)
        if path is None:
            return None
        known = self._known.get(path)
        if known is not None and not self.watch_changes:
            return known[1]
        try:
            changed = os.stat(path).st_mtime_ns
        except OSError:
            return None
        if known is None or known[0] != changed:
            try:
                with open(path, "rb") as handle:
                    digest = hashlib.file_digest(handle, "sha256").hexdigest()
            except OSError:
                return None
            known = (changed, digest[:VERSION_LENGTH])
            self._known[path] = known
        return known[1]


def register_assets(app):
    """Version the static URLs and set each response's caching."""
    fingerprints = Fingerprints(app.static_folder, watch_changes=app.debug)
    app.extensions["static_fingerprints"] = fingerprints

    @app.url_defaults
    def add_static_version(endpoint, values):
        if endpoint == STATIC_ENDPOINT and "v" not in values and "filename" in values:
            version = fingerprints.version(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def set_cache_control(response):
        if request.endpoint == STATIC_ENDPOINT:
            filename = (request.view_args or {}).get("filename")
            asked = request.args.get("v")
            if asked and response.status_code in (200, 304) and \
                    asked == fingerprints.version(filename):
                response.headers["Cache-Control"] = LONG_CACHE
        elif response.mimetype == "text/html" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = PAGE_CACHE
        return response
