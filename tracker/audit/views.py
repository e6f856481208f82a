"""The audit page: every change of the directory, newest first, for administrators."""

from datetime import datetime

from flask import Blueprint, abort, render_template, request
from flask_babel import get_timezone

from tracker.access import role_required
from tracker.audit import reading
from tracker.audit.forms import AuditFilterForm
from tracker.audit.models import ACTION_LABELS, SUBJECT_TYPE_LABELS
from tracker.audit.services import entries_page
from tracker.core.paging import InvalidCursor, decode_cursor

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

# Where each kind of subject is edited (a country by its code, the others by id).
SUBJECT_PAGES = {
    "user": ("directory.edit_user", "user_id"),
    "laboratory": ("directory.edit_laboratory", "laboratory_id"),
    "programme": ("directory.edit_programme", "programme_id"),
    "requirement_rule": ("directory.edit_rule", "rule_id"),
    "country": ("directory.edit_country", "code"),
}


def _cursor(name):
    token = request.args.get(name)
    if not token:
        return None
    try:
        return decode_cursor(token, sort_kind=datetime)
    except InvalidCursor:
        abort(400)


@bp.route("")
@role_required("admin")
def list_entries():
    """Newest first; filters by kind of subject, actor, subject and days; keyset pages.

    A filter with a bad value is shown with its message and left out of the query.
    """
    form = AuditFilterForm(request.args)
    form.validate()
    filters = {
        name: value for name, value in form.data.items() if value and not form[name].errors
    }
    after, before = _cursor("after"), _cursor("before")
    page = entries_page(filters, after=after, before=before, zone=get_timezone())
    # The filters again, for the links to the next and previous pages.
    filter_args = {name: value for name, value in request.args.items()
                   if name in form.data and value}
    return render_template(
        "audit/list_entries.html",
        form=form,
        page=page,
        filtered=bool(filters),
        filter_args=filter_args,
        actions=ACTION_LABELS,
        kinds=SUBJECT_TYPE_LABELS,
        subject_pages=SUBJECT_PAGES,
        changed_fields=reading.changed_fields,
        subject_name=reading.subject_name,
    )
