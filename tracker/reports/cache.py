"""A small per-process cache with expiry, for figures that may be a minute old.

Each gunicorn worker keeps its own; nothing here is shared between users unless the key
says so (keys carry the visibility scope). ``REPORTS_CACHE_SECONDS`` (default 60; 0 turns
caching off, the default under ``TESTING`` so every test sees its own data) scales every
lifetime.
"""

import threading
import time

from flask import current_app

MAX_ENTRIES = 1000


class TTLCache:
    def __init__(self, lifetime_factor=1.0):
        self.lifetime_factor = lifetime_factor
        self._entries = {}
        self._lock = threading.Lock()

    def _lifetime(self):
        return current_app.config["REPORTS_CACHE_SECONDS"] * self.lifetime_factor

    def get(self, key):
        """(value, computed_at) for ``key``, or None when missing or expired."""
        with self._lock:
            entry = self._entries.get(key)
        if entry and entry[0] > time.monotonic():
            return entry[1], entry[2]
        return None

    def set(self, key, value):
        lifetime = self._lifetime()
        if lifetime > 0:
            with self._lock:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key] = (time.monotonic() + lifetime, value, time.time())

    def get_or_set(self, key, compute):
        """The value for ``key``, computing and keeping it when missing or expired.

        Returns (value, computed_at) with ``computed_at`` in seconds since the epoch.
        """
        found = self.get(key) if self._lifetime() > 0 else None
        if found is not None:
            return found
        value = compute()
        self.set(key, value)
        return value, time.time()

    def __len__(self):
        return len(self._entries)

    def clear(self):
        with self._lock:
            self._entries.clear()
