"""Retention: personal data kept no longer than its purpose needs (run daily).

The documents of an application finished (TERMINAL statuses) more than
``DOCUMENT_RETENTION_YEARS`` ago are erased; a person who has neither signed in nor had an
application move for ``PERSON_RETENTION_YEARS``, and is not abroad today, is erased as an
administrator would erase them (:mod:`tracker.privacy.erasure`). Both are found by one
indexed statement and handled in batches, each committed, so a million applications cost
a few statements per batch; a second run finds nothing left to do. The files an import
leaves (an upload never confirmed, its error report) go after ``IMPORT_FILES_DAYS``, the
files of background jobs (exports) after ``JOB_FILES_DAYS``.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

import sqlalchemy as sa
from flask import current_app

from tracker import access
from tracker.applications.documents import remove_files_on_commit
from tracker.applications.models import Application, Document
from tracker.applications.workflow import TERMINAL
from tracker.auth.models import ApiToken, User
from tracker.core.storage import storage
from tracker.extensions import db
from tracker.imports.storage import stale_files
from tracker.jobs.services import stale_job_files
from tracker.privacy.erasure import erase_people

BATCH = 500
# People go by smaller batches: each name is looked for in messages and the audit, and
# SQLite limits how many conditions one statement may chain.
PEOPLE_BATCH = 100


@dataclass
class Plan:
    """What a run erases (or would erase, for a dry run): ids of documents and people."""

    documents: list = field(default_factory=list)
    people: list = field(default_factory=list)
    import_files: list = field(default_factory=list)
    job_files: list = field(default_factory=list)


def years_before(today, years):
    """The instant ``years`` years before the start of ``today`` (29 February gives 28)."""
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def expired_documents(today):
    """A SELECT of the ids of documents whose application finished before the cut-off."""
    cutoff = years_before(today, current_app.config["DOCUMENT_RETENTION_YEARS"])
    return (sa.select(Document.id).join(Application)
            .where(Application.status.in_(sorted(TERMINAL)), Application.updated_at < cutoff)
            .order_by(Document.id))


def inactive_people(today):
    """A SELECT of the ids of people not erased yet, without a sign-in, an API call or an
    application changed since the cut-off, and not abroad today."""
    cutoff = years_before(today, current_app.config["PERSON_RETENTION_YEARS"])
    recent_application = sa.select(Application.id).where(
        Application.applicant_id == User.id,
        sa.or_(Application.updated_at >= cutoff,
               access.stays_in_progress(User.id, today)))
    recent_token = sa.select(ApiToken.id).where(ApiToken.user_id == User.id,
                                                ApiToken.last_used_at >= cutoff)
    return (sa.select(User.id)
            .where(User.erased_at.is_(None),
                   sa.func.coalesce(User.last_sign_in_at, User.created_at) < cutoff,
                   ~recent_application.exists(), ~recent_token.exists())
            .order_by(User.id))


def plan(today=None):
    """What a run on ``today`` would erase."""
    today = today or date.today()
    return Plan(documents=list(db.session.scalars(expired_documents(today))),
                people=list(db.session.scalars(inactive_people(today))),
                import_files=stale_files(current_app.config["IMPORT_FILES_DAYS"]),
                job_files=stale_job_files(current_app.config["JOB_FILES_DAYS"]))


def apply_retention(today=None):
    """Erase what :func:`plan` finds, batch by batch, each batch committed (with its
    documents' files); returns the :class:`Plan` carried out."""
    done = plan(today)
    for start in range(0, len(done.documents), BATCH):
        _erase_documents(done.documents[start:start + BATCH])
        db.session.commit()
    for start in range(0, len(done.people), PEOPLE_BATCH):
        erase_people(done.people[start:start + PEOPLE_BATCH])
        db.session.commit()
    store = storage()
    for key in done.import_files + done.job_files:
        store.delete(key)
    return done


def _erase_documents(document_ids):
    remove_files_on_commit(db.session.scalars(
        sa.select(Document.stored_name).where(Document.id.in_(document_ids))).all())
    db.session.execute(sa.delete(Document).where(Document.id.in_(document_ids)))
