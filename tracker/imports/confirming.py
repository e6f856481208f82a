"""The confirmation of an import: the valid rows of a previewed upload written, in the
request for a small file, or by a background job above ``IMPORT_JOB_ROWS`` rows."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.core.storage import MissingFile
from tracker.extensions import db
from tracker.imports import storage
from tracker.imports.reading import BadFile
from tracker.imports.writing import report_csv, run_import

GONE = _l("The uploaded file is no longer kept (an import's files are removed after a few "
          "days): upload it again to import it.")


def counts_of(result):
    """The counts a preview or a confirmation shows."""
    return {"total": result.total, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "refused": result.refused}


def upload_is_kept(token, state):
    """True while the upload of ``token`` is still in the file store."""
    try:
        storage.open_file(token, "." + state["extension"]).close()
    except MissingFile:
        return False
    return True


def confirm_upload(token, actor, progress=None):
    """Write the valid rows of ``token``'s upload for ``actor``, a transaction per batch;
    the import's state with the written counts. The upload goes once its rows are in the
    database. Raises :class:`BadFile` (with :data:`GONE`) when the upload is gone."""
    state = storage.load_state(token)
    try:
        stream = storage.open_file(token, "." + state["extension"]) if state else None
    except MissingFile:
        stream = None
    if stream is None:
        raise BadFile(GONE)
    with stream:
        result = run_import(state["kind"], stream, state["extension"], actor, state["name"],
                            commit=db.session.commit, progress=progress)
    state.pop("confirming", None)
    state["written"] = counts_of(result)
    storage.save_state(token, state, report_csv(result))
    storage.discard_upload(token, state["extension"])
    return state


def import_job(progress, owner, token):
    """The background job's work: :func:`confirm_upload`, and a sentence of its counts.
    On failure the import may be confirmed again (rows already written are matched by
    their keys, so they are not written twice)."""
    try:
        written = confirm_upload(token, owner, progress)["written"]
    except Exception:
        db.session.rollback()
        state = storage.load_state(token)
        if state is not None and state.pop("confirming", None):
            storage.save_state(token, state)
        raise
    return _("%(created)s rows created, %(updated)s updated, %(unchanged)s unchanged, "
             "%(refused)s refused.", **{name: written[name] for name in
                                        ("created", "updated", "unchanged", "refused")})
