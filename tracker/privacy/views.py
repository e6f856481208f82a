"""The privacy page (for everyone), a person's "My data" page and its download, and the
administrators' erasure of a person after a confirmation."""

import io
from datetime import date

from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, request, send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from tracker import access
from tracker.access import login_required, role_required
from tracker.auth.models import User
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.privacy.erasure import erase_person
from tracker.privacy.export import personal_data_zip, record_export

bp = Blueprint("privacy", __name__)


def _user():
    return current_user._get_current_object()


@bp.route("/privacy")
def privacy():
    """What is kept, why, how long and how to ask: readable without signing in."""
    config = current_app.config
    return render_template(
        "privacy/privacy.html",
        document_years=config["DOCUMENT_RETENTION_YEARS"],
        person_years=config["PERSON_RETENTION_YEARS"],
        contact=config["PRIVACY_CONTACT"],
    )


@bp.route("/account/data")
@login_required
def my_data():
    return render_template("privacy/my_data.html")


@bp.route("/account/data.zip")
@login_required
def download_my_data():
    """The ZIP of everything about the signed-in person; each download is audited."""
    user = _user()
    if not access.can_export_data(user, user):
        abort(403)
    archive = personal_data_zip(user)
    record_export(user)
    db.session.commit()
    return send_file(io.BytesIO(archive), mimetype="application/zip", as_attachment=True,
                     download_name=f"my-data-{date.today().isoformat()}.zip")


@bp.route("/admin/people/<int:user_id>/erase", methods=["GET", "POST"])
@role_required("admin")
def erase_user(user_id):
    """GET: the consequences, or why not now; POST: erase, then back to the people."""
    person = db.get_or_404(User, user_id)
    refusal = None
    try:
        access.check_erase_person(_user(), person)
    except Refused as error:
        refusal = error
    posted = request.method == "POST"
    if refusal is None and posted:
        erase_person(person, _user())
        db.session.commit()
        flash(_("The person's data is erased; they are now %(name)s.", name=person.full_name),
              "success")
        return redirect(url_for("directory.list_users"))
    # A refused erasure answers with its status (403, 409); the page says why.
    status = refusal.status if refusal is not None and posted else 200
    return render_template("privacy/confirm_erase.html", person=person,
                           refusal=refusal), status

