"""The import page, for administrators: upload a file, read the dry run's counts and error
report, then confirm to write (docs/import.md)."""

from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, request, send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from tracker.access import role_required
from tracker.core.storage import MissingFile
from tracker.imports import storage
from tracker.imports.columns import COLUMNS, KIND_LABELS, KINDS
from tracker.imports.confirming import GONE, confirm_upload, counts_of, upload_is_kept
from tracker.imports.forms import UploadForm
from tracker.imports.reading import BadFile, check_size, extension_of
from tracker.imports.samples import template_csv, template_xlsx
from tracker.imports.writing import report_csv, run_import
from tracker.jobs.services import start_job

bp = Blueprint("imports", __name__, url_prefix="/admin/import")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(form, status=200):
    return render_template("imports/start.html", form=form, kinds=KIND_LABELS,
                           columns=COLUMNS), status


@bp.route("")
@role_required("admin")
def start_import():
    """The upload form, the template of each kind and a link to the data dictionary."""
    return _page(UploadForm(formdata=None))


@bp.route("", methods=["POST"])
@role_required("admin")
def upload_file():
    """Keep the file and run the dry run: nothing is written before the confirmation."""
    form = UploadForm()
    upload = request.files.get("file")
    if not form.validate_on_submit():
        return _page(form, 422)
    if upload is None or not upload.filename:
        form.file.errors = [_("Choose a file to import.")]
        return _page(form, 422)
    extension = extension_of(upload.filename)
    try:
        check_size(upload.stream, current_app.config["IMPORT_MAX_BYTES"])
        result = run_import(form.kind.data, upload.stream, extension, current_user,
                            upload.filename)
    except BadFile as error:
        form.file.errors = [error.message]
        return _page(form, 422)
    token = storage.keep_upload(upload.stream, extension)
    storage.save_state(token, {"kind": form.kind.data, "name": upload.filename[:200],
                               "extension": extension, "preview": counts_of(result)},
                       report_csv(result))
    return redirect(url_for("imports.show_import", token=token))


def _state_or_404(token):
    state = storage.load_state(token)
    if state is None:
        abort(404)
    return state


@bp.route("/<token>")
@role_required("admin")
def show_import(token):
    """The dry run's counts (or, once confirmed, what was written) and the next step."""
    state = _state_or_404(token)
    return render_template("imports/show.html", token=token, state=state,
                           kind_label=KIND_LABELS[state["kind"]], form=UploadForm())


@bp.route("/<token>/report.csv")
@role_required("admin")
def download_report(token):
    """Each refused row, column and reason."""
    state = _state_or_404(token)
    try:
        report = storage.open_file(token, "-report.csv")
    except MissingFile:
        abort(404)
    return send_file(report, mimetype="text/csv",
                     as_attachment=True, download_name=f"errors-{state['kind']}.csv")


@bp.route("/<token>/confirm", methods=["POST"])
@role_required("admin")
def confirm_import(token):
    """Write the valid rows, batch by batch; every row is checked again as it is written.
    Above IMPORT_JOB_ROWS rows a background job writes them, its page showing how far."""
    state = _state_or_404(token)
    if "written" in state or state.get("confirming"):
        return redirect(url_for("imports.show_import", token=token))
    if not upload_is_kept(token, state):
        # The daily retention removed it: say so, rather than fail.
        flash(str(GONE), "warning")
        return redirect(url_for("imports.start_import"))
    if state["preview"]["total"] > current_app.config["IMPORT_JOB_ROWS"]:
        state["confirming"] = True
        storage.save_state(token, state)
        job = start_job("import", "tracker.imports.confirming:import_job", current_user,
                        result_url=url_for("imports.show_import", token=token), token=token)
        return redirect(url_for("jobs.show_job", job_id=job.id))
    try:
        confirm_upload(token, current_user)
    except BadFile as error:  # removed between the check and the reading
        flash(str(error.message), "warning")
        return redirect(url_for("imports.start_import"))
    return redirect(url_for("imports.show_import", token=token))


@bp.route("/templates/<kind>.<extension>")
@role_required("admin")
def download_template(kind, extension):
    """An empty file of ``kind`` with its columns and an example row."""
    if kind not in KINDS or extension not in ("csv", "xlsx"):
        abort(404)
    body = template_csv(kind) if extension == "csv" else template_xlsx(kind)
    response = current_app.response_class(
        body, mimetype="text/csv" if extension == "csv" else XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{kind}.{extension}"'
    return response
