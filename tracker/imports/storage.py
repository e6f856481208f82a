"""The files of the import page, between the preview and the confirmation.

The uploaded file is kept in ``UPLOAD_FOLDER/imports/`` under a random name, with a small
JSON state beside it (kind, original name, who uploaded it, the dry run's counts, then the
written counts) and the error report. Nothing of it reaches the database before the
administrator confirms.
"""

import json
import os
import re
import secrets
import time

from flask import current_app

TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


def _folder():
    folder = os.path.join(current_app.config["UPLOAD_FOLDER"], "imports")
    os.makedirs(folder, exist_ok=True)
    return folder


def path_of(token, suffix):
    """The path of ``token``'s file with ``suffix`` (``.json``, ``.csv``, ``.xlsx``,
    ``-report.csv``); None for anything that is not a token."""
    if not TOKEN.match(token or ""):
        return None
    return os.path.join(_folder(), token + suffix)


def keep_upload(stream, extension):
    """Store an uploaded file; its token."""
    token = secrets.token_urlsafe(24)
    stream.seek(0)
    with open(path_of(token, "." + extension), "wb") as handle:
        while chunk := stream.read(1024 * 1024):
            handle.write(chunk)
    return token


def save_state(token, state, report=None):
    """Write ``token``'s state (a dict), and its error report when given."""
    with open(path_of(token, ".json"), "w", encoding="utf-8") as handle:
        json.dump(state, handle)
    if report is not None:
        with open(path_of(token, "-report.csv"), "w", encoding="utf-8", newline="") as handle:
            handle.write(report)


def load_state(token):
    """``token``'s state, or None when there is no such import."""
    path = path_of(token, ".json")
    if path is None or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def discard_upload(token, extension):
    """Remove the uploaded file once its rows are written: from then on they live in the
    database, where erasure and retention reach them."""
    path = path_of(token, "." + extension)
    if path and os.path.exists(path):
        os.remove(path)


def stale_files(days):
    """The import files (uploads never confirmed, states, reports) last written more than
    ``days`` days ago, as paths."""
    folder = _folder()
    cutoff = time.time() - days * 86400
    return sorted(os.path.join(folder, name) for name in os.listdir(folder)
                  if os.path.getmtime(os.path.join(folder, name)) < cutoff)
