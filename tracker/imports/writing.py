"""Running an import: a dry run that only counts, or the writing of the valid rows.

Every row is checked before anything of it is written, so a refused row writes nothing;
valid rows are written ``BATCH_ROWS`` at a time, each batch in one transaction (the
caller's ``commit``, called after each batch: services never commit by themselves). The
error report names each refused row, column and reason.
"""

import csv
import io
import time
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from tracker.extensions import db
from tracker.imports.columns import label_of
from tracker.imports.kinds import Context, advance_reference_counters, check_row, write_row
from tracker.imports.reading import BadFile, read_rows

BATCH_ROWS = 1000
# The refusals a run keeps for its report; beyond, it only counts them (memory stays flat).
MAX_REPORTED = 10_000
COUNTERS = {"create": "created", "update": "updated", "unchanged": "unchanged"}


@dataclass
class Result:
    """The counts of a run, and its refused rows as ``(line, column, reason)``."""

    kind: str
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    written: bool = False
    seconds: float = 0.0
    problems: list = field(default_factory=list)

    def count(self, outcome, line):
        self.total += 1
        if outcome.action == "refuse":
            self.refused += 1
            for column, message in outcome.problems.items():
                if len(self.problems) < MAX_REPORTED:
                    self.problems.append((line, column, str(message)))
        else:
            counter = COUNTERS[outcome.action]
            setattr(self, counter, getattr(self, counter) + 1)

    @property
    def rows_per_second(self):
        return self.total / self.seconds if self.seconds else 0.0


def run_import(kind, stream, extension, actor=None, source="", commit=None, progress=None):
    """Check every row of ``stream``; with ``commit``, write the valid ones too.

    Without ``commit`` it is a dry run: nothing is written. ``progress(result)`` is called
    after each batch. Raises :class:`BadFile` for a file that cannot be read.
    """
    started = time.monotonic()
    context = Context(kind, actor, source)
    result = Result(kind)
    pending = 0
    for line, row in read_rows(stream, extension, kind):
        # The rows written and not yet flushed are the batch's: a check's query need not
        # send them first (two rows of a file never share a key).
        with db.session.no_autoflush:
            outcome = check_row(kind, row, context, line)
        result.count(outcome, line)
        if commit is not None and outcome.action in ("create", "update"):
            write_row(kind, outcome, context)
            pending += 1
        if result.total % BATCH_ROWS == 0:
            if pending:
                _end_batch(context, commit)
                pending = 0
            if progress is not None:
                result.seconds = time.monotonic() - started
                progress(result)
    if result.total == 0:
        raise BadFile(_l("The file has a header but no rows to import."))
    if commit is not None:
        _end_batch(context, commit)
        result.written = True
    else:
        db.session.rollback()
    result.seconds = time.monotonic() - started
    return result


def _end_batch(context, commit):
    advance_reference_counters(context)
    commit()
    # The session keeps no written row alive (its identity map is weak); the run's lookups
    # are read again, as they may have changed with the batch.
    context.laboratories.clear()
    context.programmes.clear()


def report_csv(result):
    """The error report: one line per refused cell, ``row, column, reason``."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(["row", "column", "reason"])
    for line, column, reason in result.problems:
        writer.writerow([line, f"{label_of(result.kind, column)} ({column})", reason])
    return buffer.getvalue()
