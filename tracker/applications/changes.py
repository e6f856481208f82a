"""What an edit or an amendment changed, as people read it.

``Event.changes`` stores ``{field: {"old": ..., "new": ...}}`` in JSON values
(``validation.changes_between``); the history (and an amendment's side-by-side diff) shows
each field by its label, laboratories and programmes by name, dates and amounts in the
reader's language.
"""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from tracker.applications.models import COST_KIND_LABELS, FUNDING_LABELS, PURPOSE_LABELS
from tracker.core.dates import format_day
from tracker.core.language import reader_locale
from tracker.core.numbers import format_amount
from tracker.directory.models import Laboratory, Programme
from tracker.extensions import db

FIELD_LABELS = {
    "funding": _l("Funding"),
    "programme_id": _l("Programme"),
    "budget_line": _l("Budget line"),
    "home_laboratory_id": _l("Home laboratory"),
    "host_laboratory_id": _l("Host laboratory"),
    "title": _l("Title"),
    "purpose": _l("Purpose"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "requested_amount": _l("Requested amount"),
    "justification": _l("Justification"),
    "cost_items": _l("Cost items"),
}
NAMED = {"home_laboratory_id": Laboratory, "host_laboratory_id": Laboratory,
         "programme_id": Programme}


def _names(changes_list):
    """``{(model, id): name}`` for every laboratory and programme the changes mention: one
    query per model, whatever the number of changes."""
    wanted = {Laboratory: set(), Programme: set()}
    for changes in changes_list:
        for field, change in (changes or {}).items():
            if field in NAMED:
                wanted[NAMED[field]].update(
                    value for value in (change["old"], change["new"]) if value is not None
                )
    names = {}
    for model, ids in wanted.items():
        if ids:
            for row in db.session.execute(db.select(model.id, model.name).where(model.id.in_(ids))):
                names[model, row.id] = row.name
    return names


def _text(field, value, names, locale):
    if value is None or value == "":
        return "—"
    if field in NAMED:
        return names.get((NAMED[field], value), f"#{value}")
    if field in ("start_date", "end_date"):
        return format_day(date.fromisoformat(value), locale)
    if field == "requested_amount":
        return format_amount(Decimal(value), locale)
    if field == "funding":
        return str(FUNDING_LABELS.get(value, value))
    if field == "purpose":
        return str(PURPOSE_LABELS.get(value, value))
    if field == "cost_items":
        return "; ".join(
            f"{COST_KIND_LABELS.get(item['kind'], item['kind'])}"
            f"{' (' + item['description'] + ')' if item.get('description') else ''}: "
            f"{format_amount(Decimal(item['amount']), locale)}"
            for item in value
        ) or "—"
    return str(value)


def describe(changes_list):
    """For each ``changes`` of ``changes_list``, its rows ``(label, old, new)`` as text, in
    the order of the form's fields."""
    names = _names(changes_list)
    locale = reader_locale()
    described = []
    for changes in changes_list:
        described.append([
            (FIELD_LABELS[field], _text(field, changes[field]["old"], names, locale),
             _text(field, changes[field]["new"], names, locale))
            for field in FIELD_LABELS if field in (changes or {})
        ])
    return described
