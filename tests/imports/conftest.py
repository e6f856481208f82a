import io

import pytest

from tracker.extensions import db
from tracker.imports.writing import run_import


def csv_file(text):
    return io.BytesIO(text.encode("utf-8"))


@pytest.fixture
def importing():
    """Import ``text`` (CSV) of ``kind``: a dry run, or written with ``write=True``."""

    def _import(kind, text, write=True, actor=None, source="file.csv"):
        return run_import(kind, csv_file(text), "csv", actor=actor, source=source,
                          commit=db.session.commit if write else None)

    return _import
