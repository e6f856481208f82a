"""The caller's copy of their personal data (:mod:`tracker.privacy.export`)."""

from tracker import access
from tracker.api.base import ApiError, bp, require_user
from tracker.extensions import db
from tracker.privacy.export import personal_data, record_export


@bp.route("/me/export")
def export_me():
    user = require_user()
    if not access.can_export_data(user, user):
        raise ApiError(403, "You may only export your own data.")
    data = personal_data(user)
    record_export(user)
    db.session.commit()
    return data
