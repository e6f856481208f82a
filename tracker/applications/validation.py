"""The rules an application's values must keep (docs/rules.md), for every way in.

:func:`values_from` parses form or JSON values (ids for related rows) into checked values;
:func:`application_problems` says every rule they break, as ``{field: [messages]}``. The
services (:mod:`tracker.applications.services`) raise them as ``InvalidValues`` (422).
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from tracker.applications.models import COST_KINDS, FUNDINGS, PURPOSES, duration_days
from tracker.core.dates import format_day
from tracker.core.language import reader_locale
from tracker.core.numbers import size_problem
from tracker.directory.models import MAX_STAY_DAYS, Laboratory, Programme
from tracker.extensions import db

EDITABLE_FIELDS = (
    "funding",
    "programme_id",
    "budget_line",
    "home_laboratory_id",
    "host_laboratory_id",
    "title",
    "purpose",
    "start_date",
    "end_date",
    "requested_amount",
    "justification",
    "cost_items",
)
MAX_COST_ITEMS = 30
MAX_BUDGET_LINE = 100
MAX_COST_DESCRIPTION = 200
MAX_AMOUNT = Decimal("9999999999.99")  # what Numeric(12, 2) holds
MAX_COMMENT = 5000
# Laboratory kinds allowed at each end of a stay, by direction (docs/rules.md), and what a person
# reads when the laboratory chosen is missing or of another kind.
LAB_KINDS_BY_DIRECTION = {
    "outgoing": {"home": {"unit"}, "host": {"partner", "joint_unit"}},
    "incoming": {"home": {"partner", "joint_unit"}, "host": {"unit"}},
}
CHOOSE_LABORATORY = {
    "home": _l("Choose the home laboratory."),
    "host": _l("Choose the host laboratory."),
}
WRONG_KIND = {
    ("outgoing", "home"): _l("For an outgoing stay, the home laboratory is one of our units."),
    ("outgoing", "host"): _l("For an outgoing stay, the host is a partner or joint unit abroad."),
    ("incoming", "home"): _l(
        "For an incoming stay, the home laboratory is a partner or joint unit abroad."
    ),
    ("incoming", "host"): _l("For an incoming stay, the host laboratory is one of our units."),
}


def _as_date(value):
    if value is None or value == "" or isinstance(value, date):
        return value or None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return "invalid"


def as_amount(value):
    """A Decimal from ``value``; None when empty, ``"invalid"`` when it is not a number."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "invalid"
    if not amount.is_finite():
        return "invalid"
    return amount


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _resolve(model, value):
    ident = _as_int(value)
    return db.session.get(model, ident) if ident is not None else None


def amount_problem(amount, required=True):
    """What is wrong with an amount from :func:`as_amount` (None when it is fine)."""
    if amount is None:
        return _l("Enter an amount.") if required else None
    if amount == "invalid":
        return _l("Enter an amount in euros, such as 1500.00.")
    if amount < 0:
        return _l("The amount cannot be negative.")
    return size_problem(amount, MAX_AMOUNT, reader_locale())


def application_problems(values, applicant, today=None, submitting=False, past_allowed=False,
                         home_is_current_unit=True):
    """Every rule of docs/rules.md ``values`` break, as ``{field: [messages]}`` (empty when valid).

    ``values`` holds ``direction`` and resolved objects (``programme``, ``home_laboratory``,
    ``host_laboratory``) besides the plain fields. The programme must be open only when
    ``submitting``. The stay starts ``today`` or later unless ``past_allowed`` (an
    administrator recording a stay that began already). An outgoing stay leaves from the
    applicant's current unit unless ``home_is_current_unit`` is False: a past stay left
    from the unit the person was in then, which the import's row names.
    """
    today = today or date.today()
    problems = {}

    def add(field, message):
        problems.setdefault(field, []).append(message)

    direction = values.get("direction")
    if direction not in LAB_KINDS_BY_DIRECTION:
        add("direction", _l("Choose incoming or outgoing."))
        return problems
    title = (values.get("title") or "").strip()
    if not title:
        add("title", _l("Enter a title."))
    elif len(title) > 200:
        add("title", _l("Use at most 200 characters."))
    if values.get("purpose") not in PURPOSES:
        add("purpose", _l("Choose a purpose."))
    if len(values.get("budget_line") or "") > MAX_BUDGET_LINE:
        add("budget_line", _l("Use at most %(max)d characters.", max=MAX_BUDGET_LINE))
    items = values.get("cost_items")
    if items == "invalid":
        add("cost_items", _l("Give the cost items as a list of kind, description and amount."))
    elif len(items) > MAX_COST_ITEMS:
        add("cost_items", _l("Give at most %(max)d cost items.", max=MAX_COST_ITEMS))
    else:
        for index, item in enumerate(items):
            for name, message in cost_item_problems(item).items():
                add(f"cost_items.{index}.{name}", message)
    problem = amount_problem(values.get("requested_amount"))
    if problem is not None:
        add("requested_amount", problem)

    start, end = values.get("start_date"), values.get("end_date")
    for field, day in (("start_date", start), ("end_date", end)):
        if day is None:
            add(field, _l("Enter a date."))
        elif day == "invalid":
            add(field, _l("Enter a date as YYYY-MM-DD."))
    if isinstance(start, date) and start < today and not past_allowed:
        add("start_date", _l("The stay cannot start in the past: choose %(today)s or later.",
                             today=format_day(today)))
    days = None
    if isinstance(start, date) and isinstance(end, date):
        if end < start:
            add("end_date", _l("The stay must end on or after its first day."))
        else:
            days = duration_days(start, end)
            if days > MAX_STAY_DAYS:
                add("end_date", _l("A stay lasts at most five years."))

    funding = values.get("funding")
    programme = values.get("programme")
    if funding not in FUNDINGS:
        add("funding", _l("Choose a programme call or the unit's own funds."))
    elif funding == "unit":
        if programme is not None or values.get("programme_given"):
            add("programme_id", _l("A mission on the unit's funds has no programme."))
    elif programme is None:
        add("programme_id", _l("Choose a programme."))
    else:
        if programme.direction != direction:
            add("programme_id", _l("This programme is not for this direction."))
        if applicant.category not in programme.eligible_categories:
            add("programme_id", _l("This programme is not open to your category."))
        if days is not None and not programme.min_days <= days <= programme.max_days:
            add(
                "end_date",
                _l(
                    "This programme funds stays of %(min)d to %(max)d days; this one lasts "
                    "%(days)d.",
                    min=programme.min_days,
                    max=programme.max_days,
                    days=days,
                ),
            )
        if submitting and not programme.is_open_on(today):
            add("programme_id", _l("This programme is not open for applications today."))

    home, host = values.get("home_laboratory"), values.get("host_laboratory")
    for end, laboratory in (("home", home), ("host", host)):
        field = f"{end}_laboratory_id"
        if laboratory is None:
            add(field, CHOOSE_LABORATORY[end])
        elif laboratory.kind not in LAB_KINDS_BY_DIRECTION[direction][end]:
            add(field, WRONG_KIND[direction, end])
        elif end == "home" and direction == "outgoing" and home_is_current_unit \
                and home.id != applicant.home_laboratory_id:
            add(field, _l("For an outgoing stay, the home laboratory is your own unit."))
    if home is not None and host is not None and home.id == host.id:
        add("host_laboratory_id", _l("The host laboratory differs from the home laboratory."))
    return problems


def cost_item_problems(item):
    """``{field: message}`` of what is wrong with one parsed cost item."""
    problems = {}
    if item["kind"] not in COST_KINDS:
        problems["kind"] = _l("Choose what the cost is for.")
    if len(item["description"]) > MAX_COST_DESCRIPTION:
        problems["description"] = _l("Use at most %(max)d characters.",
                                     max=MAX_COST_DESCRIPTION)
    problem = amount_problem(item["amount"])
    if problem is not None:
        problems["amount"] = problem
    return problems


def _cost_items_from(value):
    """Parsed cost items (``"invalid"`` when ``value`` is not a list of objects)."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, dict) for item in value):
        return "invalid"
    return [
        {
            "kind": item.get("kind"),
            "description": str(item.get("description") or "").strip(),
            "amount": as_amount(item.get("amount")),
        }
        for item in value
    ]


def total_of(items):
    """The requested amount cost ``items`` add up to (None when one of them is not a number)."""
    amounts = [item["amount"] for item in items]
    if not all(isinstance(amount, Decimal) for amount in amounts):
        return None
    return sum(amounts, Decimal("0.00"))


def values_from(data, direction):
    """Parse ``data`` (form or JSON values, ids for related rows) into checked values.

    ``funding`` may be left out: a programme call when a programme is named, a mission on the
    unit's funds otherwise. With cost items, the requested amount is their sum.
    """
    programme_id = data.get("programme_id")
    funding = data.get("funding") or ("programme" if programme_id not in (None, "") else "unit")
    items = _cost_items_from(data.get("cost_items"))
    requested = as_amount(data.get("requested_amount"))
    if items and items != "invalid":
        requested = total_of(items) if total_of(items) is not None else requested
        if requested is None:
            requested = Decimal("0.00")
    return {
        "direction": direction,
        "funding": funding,
        "programme": _resolve(Programme, programme_id) if funding != "unit" else None,
        "programme_given": programme_id not in (None, ""),
        "budget_line": str(data.get("budget_line") or "").strip(),
        "cost_items": items,
        "home_laboratory": _resolve(Laboratory, data.get("home_laboratory_id")),
        "host_laboratory": _resolve(Laboratory, data.get("host_laboratory_id")),
        "title": (data.get("title") or "").strip(),
        "purpose": data.get("purpose"),
        "start_date": _as_date(data.get("start_date")),
        "end_date": _as_date(data.get("end_date")),
        "requested_amount": requested,
        "justification": (data.get("justification") or "").strip(),
    }


def values_of(application):
    """The checked values of a stored application, as :func:`application_problems` takes them."""
    return {
        "direction": application.direction,
        "funding": application.funding,
        "programme": application.programme,
        "budget_line": application.budget_line,
        "cost_items": [_stored_item(item) for item in application.cost_items],
        "home_laboratory": application.home_laboratory,
        "host_laboratory": application.host_laboratory,
        "title": application.title,
        "purpose": application.purpose,
        "start_date": application.start_date,
        "end_date": application.end_date,
        "requested_amount": application.requested_amount,
        "justification": application.justification,
    }


def _stored_item(item):
    return {"kind": item.kind, "description": item.description, "amount": item.amount}


def columns_of(values):
    """The columns an application stores for checked ``values`` (its cost items apart)."""
    programme = values["programme"]
    return {
        "funding": values["funding"],
        "programme_id": programme.id if programme is not None else None,
        "budget_line": values["budget_line"],
        "home_laboratory_id": values["home_laboratory"].id,
        "host_laboratory_id": values["host_laboratory"].id,
        "title": values["title"],
        "purpose": values["purpose"],
        "start_date": values["start_date"],
        "end_date": values["end_date"],
        "requested_amount": values["requested_amount"],
        "justification": values["justification"],
    }


def current_data(application):
    """The editable fields of ``application`` as they are stored."""
    data = {field: getattr(application, field) for field in EDITABLE_FIELDS}
    data["cost_items"] = [_stored_item(item) for item in application.cost_items]
    return data


def _as_json(value):
    """``value`` as JSON holds it: dates in ISO 8601, amounts as strings with two decimals."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    return value


def changes_between(before, after):
    """``{field: {"old": ..., "new": ...}}`` for each field whose value differs between two
    ``current_data`` snapshots, in JSON values (what Event.changes stores)."""
    changes = {}
    for field in EDITABLE_FIELDS:
        old, new = _as_json(before.get(field)), _as_json(after.get(field))
        if old != new:
            changes[field] = {"old": old, "new": new}
    return changes


def comment_problems(comment, required):
    """``{"comment": [message]}`` when a needed comment is missing or too long, else {}."""
    if required and not comment:
        return {"comment": [_l("Please explain why in a comment.")]}
    if len(comment) > MAX_COMMENT:
        return {"comment": [_l("Use at most %(max)d characters.", max=MAX_COMMENT)]}
    return {}
