"""The files of the import page, between the preview and the confirmation.

The uploaded file is kept in the file store (:mod:`tracker.core.storage`) under
``imports/`` and a random token, with a small JSON state beside it (kind, original name,
who uploaded it, the dry run's counts, then the written counts) and the error report.
Nothing of it reaches the database before the administrator confirms.
"""

import io
import json
import re
import secrets

from tracker.core.storage import MissingFile
from tracker.core.storage import storage as file_store

TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
PREFIX = "imports"


def key_of(token, suffix):
    """The key of ``token``'s file with ``suffix`` (``.json``, ``.csv``, ``.xlsx``,
    ``-report.csv``); None for anything that is not a token."""
    if not TOKEN.match(token or ""):
        return None
    return f"{PREFIX}/{token}{suffix}"


def keep_upload(stream, extension):
    """Store an uploaded file; its token."""
    token = secrets.token_urlsafe(24)
    stream.seek(0)
    file_store().save(stream, key=key_of(token, "." + extension))
    return token


def open_file(token, suffix):
    """``token``'s file with ``suffix``, open for reading in binary; raises
    :class:`~tracker.core.storage.MissingFile` when there is none."""
    return file_store().open(key_of(token, suffix))


def save_state(token, state, report=None):
    """Write ``token``'s state (a dict), and its error report when given."""
    store = file_store()
    store.save(io.BytesIO(json.dumps(state).encode()), key=key_of(token, ".json"))
    if report is not None:
        store.save(io.BytesIO(report.encode()), key=key_of(token, "-report.csv"))


def load_state(token):
    """``token``'s state, or None when there is no such import."""
    try:
        with open_file(token, ".json") as handle:
            return json.load(handle)
    except MissingFile:
        return None


def discard_upload(token, extension):
    """Remove the uploaded file once its rows are written: from then on they live in the
    database, where erasure and retention reach them."""
    key = key_of(token, "." + extension)
    if key:
        file_store().delete(key)


def stale_files(days):
    """The keys of the import files (uploads never confirmed, states, reports) last written
    more than ``days`` days ago."""
    return file_store().keys_older_than(PREFIX, days * 86400)
