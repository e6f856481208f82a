"""Personal data (GDPR): a person's copy of everything the tracker holds about them
(``export.py``), erasure on request (``erasure.py``), the daily retention
(``retention.py``), the privacy page and the pages that offer all this (``views.py``).
Who may export and erase is decided in :mod:`tracker.access`."""
