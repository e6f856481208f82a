"""Where the files people upload live: documents of applications and of agreements, and the
import page's files between preview and confirmation.

Every reader and writer of these files goes through :func:`storage`, which answers the
backend that ``STORAGE_BACKEND`` names. A backend keeps bytes under keys and knows nothing
else: what may be stored (types, sizes) is decided by the callers, before and after
:meth:`LocalStorage.save`, and which key belongs to which row is in the database.

One backend exists, ``local``: a folder (``UPLOAD_FOLDER``, by default the instance's
``uploads``). With several nodes that folder is shared storage (NFS, a mounted volume),
which is enough because every write goes to a temporary name and is then renamed into
place, so no node ever reads half a file. Another backend (an object store) is a class with
the same five methods, added to :data:`BACKENDS`.
"""

import os
import re
import secrets
import shutil
import tempfile
import time

from flask import current_app

# A key is one or two plain names ("abc", "imports/abc.json"): never a way out of the store.
KEY = re.compile(r"^(?:[A-Za-z0-9_-]{1,64}/)?[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$")
_CHUNK = 1024 * 1024


class MissingFile(LookupError):
    """No file is stored under this key (or the key is not one)."""


def new_key(prefix=""):
    """A random key, ``prefix/`` first when given: unguessable, so never a clash."""
    name = secrets.token_hex(20)
    return f"{prefix}/{name}" if prefix else name


class LocalStorage:
    """Files in a folder of the local disk (or of a shared mount); the key is the path
    under it."""

    def __init__(self, folder):
        self.folder = folder

    @classmethod
    def from_config(cls, config):
        return cls(config["UPLOAD_FOLDER"])

    def _path(self, key):
        if not isinstance(key, str) or not KEY.match(key):
            raise MissingFile(key)
        return os.path.join(self.folder, *key.split("/"))

    def save(self, stream, key=None, prefix=""):
        """Copy the binary ``stream`` (read to its end) into the store; its key.

        A new random key unless ``key`` is given (a file replaced whole, as the import's
        state is). Whatever ``stream.read`` raises (a caller's size check among them)
        leaves nothing behind; ``OSError`` means the store refuses the file.
        """
        key = key or new_key(prefix)
        path = self._path(key)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        # Written beside its final place, then renamed: readers see all of it or nothing.
        handle, temporary = tempfile.mkstemp(prefix=".upload-", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(stream, out, _CHUNK)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
        return key

    def open(self, key):
        """The file under ``key``, open for reading in binary (the caller closes it)."""
        try:
            return open(self._path(key), "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise MissingFile(key) from None

    def delete(self, key):
        """Remove the file under ``key``; nothing to do when there is none."""
        try:
            os.remove(self._path(key))
        except (FileNotFoundError, MissingFile):
            pass

    def exists(self, key):
        try:
            return os.path.isfile(self._path(key))
        except MissingFile:
            return False

    def keys_older_than(self, prefix, seconds):
        """The keys under ``prefix/`` last written more than ``seconds`` ago, sorted."""
        folder = os.path.join(self.folder, prefix)
        if not os.path.isdir(folder):
            return []
        cutoff = time.time() - seconds
        return sorted(f"{prefix}/{name}" for name in os.listdir(folder)
                      if not name.startswith(".")
                      and os.path.getmtime(os.path.join(folder, name)) < cutoff)


# The backends ``STORAGE_BACKEND`` may name.
BACKENDS = {"local": LocalStorage}


def check_backend(config):
    """Refuse to start with a ``STORAGE_BACKEND`` that does not exist."""
    name = config.get("STORAGE_BACKEND")
    if name not in BACKENDS:
        raise RuntimeError(f"STORAGE_BACKEND {name!r} is unknown; use one of "
                           f"{', '.join(sorted(BACKENDS))}.")


def storage():
    """The application's file store, as configured now (tests point it elsewhere)."""
    config = current_app.config
    return BACKENDS[config["STORAGE_BACKEND"]].from_config(config)
