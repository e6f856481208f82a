"""A job's page (progress, then its download or its error), the status its script polls,
and its file. Only the owner sees a job: anyone else gets 404 (``access.visible_job``)."""

from flask import Blueprint, abort, jsonify, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import Conflict

from tracker import access
from tracker.access import login_required
from tracker.core.storage import MissingFile
from tracker.jobs.models import JOB_KIND_LABELS, JOB_STATUS_LABELS
from tracker.jobs.services import open_result

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _job_or_404(job_id):
    job = access.visible_job(current_user, job_id)
    if job is None:
        abort(404)
    return job


@bp.route("/<int:job_id>")
@login_required
def show_job(job_id):
    """How far the job is; its download link once done, its error if it failed."""
    job = _job_or_404(job_id)
    return render_template("jobs/show.html", job=job,
                           kind_label=JOB_KIND_LABELS.get(job.kind, job.kind),
                           status_label=JOB_STATUS_LABELS[job.status])


@bp.route("/<int:job_id>/status")
@login_required
def job_status(job_id):
    """The job's state as JSON, for the page's script."""
    job = _job_or_404(job_id)
    return jsonify({
        "id": job.id,
        "status": job.status,
        "status_label": str(JOB_STATUS_LABELS[job.status]),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.finished,
        "download_url": url_for("jobs.download_result", job_id=job.id)
        if job.status == "done" and job.result_key else None,
    })


class NotReady(Conflict):
    """409: the job's file is not there yet (or never will be: the job failed)."""

    def __init__(self, message):
        super().__init__()
        self.message_for_people = message


@bp.route("/<int:job_id>/download")
@login_required
def download_result(job_id):
    """The job's file, once it is done."""
    job = _job_or_404(job_id)
    if job.status == "failed":
        raise NotReady(_("This job failed: it has no file to download."))
    if job.status != "done" or not job.result_key:
        raise NotReady(_("The file is not ready yet: its page says how far the job is."))
    try:
        handle = open_result(job)
    except MissingFile:
        abort(404)  # removed after JOB_FILES_DAYS
    response = send_file(handle, as_attachment=True, download_name=job.result_name,
                         mimetype=_mimetype(job.result_name))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _mimetype(name):
    if name.endswith(".xlsx"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if name.endswith(".csv"):
        return "text/csv"
    return "application/octet-stream"
