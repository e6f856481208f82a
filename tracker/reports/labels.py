"""Display names of the values shown on report pages."""

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "endorsed": _l("Endorsed"),
    "returned": _l("Returned"),
    "declined": _l("Declined"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "cancelled": _l("Cancelled"),
    "completed": _l("Completed"),
}
DURATION_LABELS = {
    "short": _l("Short (up to 30 days)"),
    "medium": _l("Medium (up to 12 months)"),
    "long": _l("Long (over 12 months)"),
}
