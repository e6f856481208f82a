"""An audit entry as a reader reads it: each changed field's label, and its values before
and after in the reader's language (days, amounts, countries, and labels for codes)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.agreements.models import KIND_LABELS as AGREEMENT_KIND_LABELS
from tracker.agreements.models import STATUS_LABELS as AGREEMENT_STATUS_LABELS
from tracker.applications.models import OPINION_KIND_LABELS, PURPOSE_LABELS
from tracker.auth.models import CATEGORY_LABELS, ROLE_LABELS
from tracker.core.countries import country_name
from tracker.core.dates import format_day
from tracker.core.language import reader_locale
from tracker.core.numbers import format_amount
from tracker.directory.forms import BLOCKED_STEP_LABELS, DOCUMENT_KIND_LABELS
from tracker.directory.models import DIRECTION_LABELS, LAB_KIND_LABELS, RISK_LEVEL_LABELS

FIELD_LABELS = {
    "email": _l("Email address"),
    "full_name": _l("Full name"),
    "category": _l("Category"),
    "nationality": _l("Nationality"),
    "home_laboratory_id": _l("Home laboratory"),
    "roles": _l("Roles"),
    "active": _l("Active"),
    "oidc_subject": _l("Identity at the single sign-on provider"),
    "name": _l("Name"),
    "acronym": _l("Acronym"),
    "kind": _l("Kind"),
    "institution": _l("Institution"),
    "city": _l("City"),
    "country": _l("Country"),
    "director_id": _l("Director"),
    "restricted_zone": _l("Restricted zone"),
    "direction": _l("Direction"),
    "opens_on": _l("Opens on"),
    "closes_on": _l("Closes on"),
    "min_days": _l("Shortest stay (days)"),
    "max_days": _l("Longest stay (days)"),
    "budget": _l("Budget (EUR)"),
    "eligible_categories": _l("Eligible categories"),
    "description": _l("Description"),
    "risk_level": _l("Risk level"),
    "note": _l("Note"),
    "code": _l("Code"),
    "min_risk_level": _l("Destination at least at risk level"),
    "non_eu_national": _l("Applicant not a national of the EU, the EEA or Switzerland"),
    "host_restricted": _l("Host unit is a restricted zone"),
    "host_joint_unit_director": _l("Host is a joint unit whose director is someone else"),
    "purposes": _l("Purposes"),
    "document_kind": _l("Requires a document"),
    "opinion_kind": _l("Requires an opinion"),
    "blocks": _l("Must be met before"),
    "delegator_id": _l("Stands in for"),
    "delegate_id": _l("Stand-in"),
    "starts_on": _l("First day"),
    "ends_on": _l("Last day"),
    "agreement_kind": _l("Kind of agreement"),
    "title": _l("Title"),
    "reference": _l("Reference"),
    "status": _l("Status"),
    "covered_laboratories": _l("Laboratories covered"),
    "our_contact_name": _l("Our contact"),
    "our_contact_email": _l("Our contact's email address"),
    "partner_contact_name": _l("Partner's contact"),
    "partner_contact_email": _l("Partner's contact's email address"),
    "quota_stays": _l("Stays a year"),
    "quota_days": _l("Days a year"),
    "quota_is_limit": _l("The quota is a limit"),
    "notes": _l("Notes"),
    "document_names": _l("Documents"),
}
# Fields holding codes, and the labels that name them.
CODE_LABELS = {
    "category": CATEGORY_LABELS,
    "roles": ROLE_LABELS,
    "eligible_categories": CATEGORY_LABELS,
    "kind": LAB_KIND_LABELS,
    "direction": DIRECTION_LABELS,
    "risk_level": RISK_LEVEL_LABELS,
    "min_risk_level": RISK_LEVEL_LABELS,
    "purposes": PURPOSE_LABELS,
    "document_kind": DOCUMENT_KIND_LABELS,
    "opinion_kind": OPINION_KIND_LABELS,
    "blocks": BLOCKED_STEP_LABELS,
    "agreement_kind": AGREEMENT_KIND_LABELS,
    "status": AGREEMENT_STATUS_LABELS,
}
COUNTRY_FIELDS = ("country", "nationality")
DAY_FIELDS = ("opens_on", "closes_on", "starts_on", "ends_on")
AMOUNT_FIELDS = ("budget",)
# Stored as one comma-separated text (requirement rules' purposes).
COMMA_LISTS = ("purposes",)


def field_label(name):
    """The label of a field (its name when the audit does not know it, as for a field of a
    delegation, which names its own)."""
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name.replace("_", " ")


def _code(name, value):
    labels = CODE_LABELS.get(name, {})
    return str(labels.get(value, value))


def shown(name, value):
    """The value ``value`` of field ``name`` as the reader reads it; "" for none."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        return str(value.get("label") or value.get("id") or "")
    if name in COMMA_LISTS and isinstance(value, str):
        value = [item for item in value.split(",") if item]
    if isinstance(value, list):
        return ", ".join(_code(name, item) for item in value)
    if name in COUNTRY_FIELDS:
        return country_name(str(value))
    if name in DAY_FIELDS:
        try:
            return format_day(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if name in AMOUNT_FIELDS:
        try:
            return format_amount(Decimal(str(value)), reader_locale())
        except (InvalidOperation, ValueError):
            return str(value)
    if name in CODE_LABELS:
        return _code(name, value)
    return str(value)


def changed_fields(entry):
    """``(label, before, after)`` of each field of ``entry``, in the order it was stored."""
    before, after = entry.before or {}, entry.after or {}
    names = list(after) + [name for name in before if name not in after]
    return [
        (field_label(name), shown(name, before.get(name)) if entry.before is not None else None,
         shown(name, after.get(name)) if entry.after is not None else None)
        for name in names
    ]


def subject_name(entry):
    """The subject as the reader names it: a country in their language, else the label kept
    with the entry."""
    if entry.subject_type == "country":
        return country_name(entry.subject_id)
    return entry.subject_label or entry.subject_id
