"""Starting jobs, running them, and what their work is handed.

``start_job(kind, "module:function", owner, **kwargs)`` writes the :class:`Job` row and
either queues the call on RQ (when ``REDIS_URL`` is set: a worker of any node runs it) or,
on the embedded default without Redis, runs it at once within the request. Either way the
work is ``function(progress, owner, **kwargs)``: ``progress(done, total)`` says how far it
is, ``progress.keep_file(handle, name)`` keeps its result in the file store, and what it
returns is the message its page shows. A failure is recorded on the row, never raised to
the person who asked.
"""

import importlib
import logging
from contextlib import nullcontext

import redis
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from tracker.core.models import utcnow
from tracker.core.storage import storage
from tracker.extensions import db
from tracker.jobs.models import Job

log = logging.getLogger(__name__)
# The file store's folder of the jobs' files (exports), removed after JOB_FILES_DAYS.
PREFIX = "jobs"
# A worker stops a job running longer than this (a million-row XLSX takes minutes).
TIMEOUT_SECONDS = 6 * 3600
# How long RQ keeps a finished call's record; the Job row is what people read.
QUEUE_RECORD_SECONDS = 24 * 3600


def redis_connection():
    """A client of the jobs' Redis (``REDIS_URL``)."""
    return redis.Redis.from_url(current_app.config["REDIS_URL"],
                                socket_connect_timeout=5, health_check_interval=30)


def job_queue(connection=None):
    """The RQ queue ``JOBS_QUEUE`` on the jobs' Redis."""
    from rq import Queue

    return Queue(current_app.config["JOBS_QUEUE"], connection=connection or redis_connection())


def start_job(kind, target, owner, *, result_url=None, **kwargs):
    """Start ``target`` (``"module:function"``) for ``owner`` (a User, or None for a
    command's job); the :class:`Job`. ``kwargs`` must be plain values (they travel through
    Redis). Commits: a worker reads the row from another connection, maybe another node.
    """
    job = Job(kind=kind, owner_id=owner.id if owner is not None else None,
              result_url=result_url, status="queued")
    db.session.add(job)
    db.session.commit()
    if not current_app.config.get("REDIS_URL"):
        perform(job.id, target, kwargs)
        return job
    if not _enqueue(current_app, job.id, kind, target, kwargs):
        _finish(job.id, "failed", "")
    return job


def start_job_after_commit(kind, target):
    """Start an ownerless job once the current transaction commits, at most once per
    transaction, and only when a queue is configured (``REDIS_URL``): outbox delivery,
    which without Redis is the ``send-notifications`` command's. The job's row is written
    by a session of its own, the request's being finished by then."""
    if not current_app.config.get("REDIS_URL"):
        return
    session = db.session()
    planned = session.info.setdefault("jobs_after_commit", set())
    if (kind, target) in planned:
        return
    planned.add((kind, target))
    if len(planned) == 1:
        sa.event.listen(session, "after_commit", _start_planned, once=True)
        sa.event.listen(session, "after_soft_rollback", _forget_planned, once=True)


def _start_planned(session):
    planned = session.info.pop("jobs_after_commit", set())
    app = current_app._get_current_object()
    for kind, target in sorted(planned):
        with sa.orm.Session(db.engine) as own:
            job = Job(kind=kind, status="queued")
            own.add(job)
            own.commit()
            if not _enqueue(app, job.id, kind, target, {}):
                job.status, job.finished_at = "failed", utcnow()
                own.commit()


def _forget_planned(session, previous_transaction):
    session.info.pop("jobs_after_commit", None)


def _enqueue(app, job_id, kind, target, kwargs):
    """Queue the call; False (and the job's row marked failed) when Redis does not answer."""
    queue_name = app.config["JOBS_QUEUE"]
    try:
        job_queue().enqueue_call(
            run_queued, args=(job_id, target, kwargs), job_id=f"{queue_name}-{job_id}",
            timeout=TIMEOUT_SECONDS, result_ttl=QUEUE_RECORD_SECONDS,
            failure_ttl=QUEUE_RECORD_SECONDS, description=f"{kind} #{job_id}")
    except redis.exceptions.RedisError:
        log.exception("Job %s (%s) could not be queued", job_id, kind)
        return False
    return True


def run_queued(job_id, target, kwargs):
    """What the RQ worker calls (within the app's context, see ``flask worker``)."""
    try:
        perform(job_id, target, kwargs, live=True)
    finally:
        db.session.remove()


def perform(job_id, target, kwargs, live=False):
    """Run the work of job ``job_id`` and record how it ended. With ``live`` (a worker)
    progress is written as it goes; within a request nobody could read it before the end.
    """
    job = db.session.get(Job, job_id)
    if job is None or job.finished:
        return  # its owner was erased, or the queue handed it out twice
    job.status, job.started_at = "running", utcnow()
    db.session.commit()
    owner = job.owner
    # The owner's language: the labels of an export, the messages of an import.
    language = force_locale(owner.locale) if owner is not None and owner.locale else nullcontext()
    progress = Progress(job_id, live)
    with language:
        try:
            message = str(_work(target)(progress, owner=owner, **kwargs) or "")
        except Exception as error:  # recorded on the job: its page says it failed
            db.session.rollback()
            log.exception("Job %s (%s) failed", job_id, target)
            _finish(job_id, "failed", str(getattr(error, "message", "") or ""), progress)
            return
    _finish(job_id, "done", message, progress)


def _work(target):
    """The function ``"module:function"`` names, within the tracker only."""
    module, _, name = target.partition(":")
    if not module.startswith("tracker.") or not name:
        raise ValueError(f"Not a job's work: {target!r}")
    return getattr(importlib.import_module(module), name)


def _finish(job_id, status, message, progress=None):
    db.session.rollback()
    job = db.session.get(Job, job_id)
    job.status, job.message, job.finished_at = status, message[:2000], utcnow()
    if progress is not None:  # the last count told, written or not
        job.done = progress.done
        job.total = progress.total if progress.total is not None else job.total
    if status == "done" and job.total is not None:
        job.done = job.total
    db.session.commit()


class Progress:
    """What a job's work is handed: how far it is, and where its file goes."""

    def __init__(self, job_id, live):
        self.job_id = job_id
        self.live = live
        self.done, self.total = 0, None

    def __call__(self, done, total=None):
        """Record ``done`` of ``total`` (None: unchanged). Best effort: a write that has
        to wait (SQLite while the work reads) is skipped, the next one will tell; the job's
        end writes the last count in any case."""
        self.done = done
        if total is not None:
            self.total = total
        values = {"done": done} if total is None else {"done": done, "total": total}
        if self.live:
            _write(self.job_id, values, wait=False)

    def keep_file(self, handle, name):
        """Keep the binary ``handle`` (read from its start) as the job's file."""
        handle.seek(0)
        key = storage().save(handle, prefix=PREFIX)
        _write(self.job_id, {"result_key": key, "result_name": name[:200]})


def _write(job_id, values, wait=True):
    """Update the job's row on a connection of its own, outside the work's transaction.

    Without ``wait``, on SQLite, the write gives up at once when the work's own reading
    holds the file (SQLite has one writer and, without WAL, no writer beside a reader).
    """
    quick = not wait and db.engine.dialect.name == "sqlite"
    with db.engine.connect() as connection:
        if quick:
            connection.exec_driver_sql("PRAGMA busy_timeout=50")
        try:
            connection.execute(sa.update(Job).where(Job.id == job_id).values(**values))
            connection.commit()
        except sa.exc.OperationalError:
            connection.rollback()
            if not quick:
                raise
        finally:
            if quick:
                connection.exec_driver_sql("PRAGMA busy_timeout=5000")


def stale_job_files(days):
    """The keys of the jobs' files written more than ``days`` days ago."""
    return storage().keys_older_than(PREFIX, days * 86400)


def open_result(job):
    """The job's file, open for reading (raises ``MissingFile`` once it is removed)."""
    return storage().open(job.result_key)
