"""Running an import: a dry run that only counts, or the writing of the valid rows.

Rows are read and checked ``BATCH_ROWS`` at a time: the stored rows a batch names are read
in a few statements (:func:`~tracker.imports.kinds.prefetch`), every row of it is checked,
then its valid rows are written together in one transaction (the caller's ``commit``,
called after each batch: services never commit by themselves). A refused row writes
nothing. The error report names each refused row, column and reason.
"""

import csv
import io
import time
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from tracker.extensions import db
from tracker.imports.columns import label_of
from tracker.imports.kinds import Context, check_row, prefetch, write_batch
from tracker.imports.reading import BadFile, count_rows, read_rows

BATCH_ROWS = 2000
# The refusals a run keeps for its report; beyond, it only counts them (memory stays flat).
MAX_REPORTED = 10_000
COUNTERS = {"create": "created", "update": "updated", "unchanged": "unchanged"}
WRITTEN = ("create", "update")


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

    Without ``commit`` it is a dry run: nothing is written. ``progress(done, total)`` is
    called after each batch with the rows checked so far and the rows the file holds
    (counted first; None when the file does not tell), so that the command line, or a
    background job, can show how far it is. Raises :class:`BadFile` for a file that cannot
    be read.
    """
    started = time.monotonic()
    expected = count_rows(stream, extension) if progress is not None else None
    context = Context(kind, actor, source)
    result = Result(kind)
    for batch in _batches(read_rows(stream, extension, kind)):
        # Nothing of the batch is written before all of it is checked: a check's query
        # need not send anything first.
        with db.session.no_autoflush:
            prefetch(kind, [row for _, row in batch], context)
            outcomes = [(line, check_row(kind, row, context, line)) for line, row in batch]
        for line, outcome in outcomes:
            result.count(outcome, line)
        if commit is not None:
            write_batch(kind, [outcome for _, outcome in outcomes
                               if outcome.action in WRITTEN], context)
            commit()
        context.forget()
        if progress is not None:
            progress(result.total, expected)
    if result.total == 0:
        raise BadFile(_l("The file has a header but no rows to import."))
    if commit is None:
        db.session.rollback()
    result.written = commit is not None
    result.seconds = time.monotonic() - started
    return result


def _batches(rows):
    """``rows`` in lists of ``BATCH_ROWS``."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def report_csv(result):
    """The error report: one line per refused cell, ``row, column, reason``."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(["row", "column", "reason"])
    for line, column, reason in result.problems:
        writer.writerow([line, f"{label_of(result.kind, column)} ({column})", reason])
    return buffer.getvalue()
