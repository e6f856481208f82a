"""The data dictionary of the imports: the columns of each kind of file.

A column is named in a file's header by its code (``email``), its English label or its
French label (``E-mail address``, ``Adresse électronique``), whatever their case, accents
and a trailing ``(…)`` such as ``(EUR)`` or a time zone. The applications' columns are
those of the tracker's own exports (:mod:`tracker.reports.exports`), so an export imports
back; columns the dictionary does not know are ignored.
"""

import re
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from tracker.applications.models import COST_KIND_LABELS, COST_KINDS
from tracker.core.text import unaccent

KINDS = ("laboratories", "people", "programmes", "applications")
KIND_LABELS = {
    "laboratories": _l("Laboratories"),
    "people": _l("People"),
    "programmes": _l("Programmes"),
    "applications": _l("Past applications"),
}
LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Column:
    code: str
    label: object  # a lazy string: English, or French in a French context
    required: bool = False
    format: str = "text"
    example: str = ""


def _cost_columns():
    return tuple(
        Column(f"cost_{kind}", _l("Cost: %(kind)s (EUR)", kind=COST_KIND_LABELS[kind]),
               format="amount", example="0.00")
        for kind in COST_KINDS
    )


COLUMNS = {
    "laboratories": (
        Column("name", _l("Name"), True, example="Laboratoire de physique"),
        Column("acronym", _l("Acronym"), True, example="LPX"),
        Column("kind", _l("Kind"), True, "choice", "unit"),
        Column("country", _l("Country"), True, "country", "FR"),
        Column("institution", _l("Institution"), example="Université de Lyon"),
        Column("city", _l("City"), example="Lyon"),
        Column("director_email", _l("Director's email"), format="email",
               example="director@example.org"),
        Column("restricted_zone", _l("Restricted zone"), format="yes_no", example="no"),
    ),
    "people": (
        Column("email", _l("Email address"), True, "email", "ada@example.org"),
        Column("full_name", _l("Full name"), True, example="Ada Martin"),
        Column("nationality", _l("Nationality"), True, "country", "FR"),
        Column("category", _l("Category"), format="choice", example="researcher"),
        Column("home_laboratory", _l("Home laboratory"), format="acronym", example="LPX"),
        Column("home_laboratory_country", _l("Home laboratory's country"), format="country",
               example="FR"),
        Column("roles", _l("Roles"), format="list", example="researcher"),
        Column("active", _l("Active"), format="yes_no", example="yes"),
    ),
    "programmes": (
        Column("name", _l("Name"), True, example="Short stays abroad"),
        Column("direction", _l("Direction"), True, "choice", "outgoing"),
        Column("opens_on", _l("Opens on"), True, "date", "2026-01-01"),
        Column("closes_on", _l("Closes on"), True, "date", "2026-12-31"),
        Column("min_days", _l("Shortest stay (days)"), format="number", example="1"),
        Column("max_days", _l("Longest stay (days)"), format="number", example="90"),
        Column("budget", _l("Budget (EUR)"), True, "amount", "50000.00"),
        Column("eligible_categories", _l("Eligible categories"), format="list",
               example="researcher, postdoc"),
        Column("description", _l("Description")),
        Column("active", _l("Active"), format="yes_no", example="yes"),
    ),
    "applications": (
        Column("reference", _l("Reference"), True, "reference", "MOB-2024-000123"),
        Column("title", _l("Title"), True, example="Fieldwork in Kyoto"),
        Column("status", _l("Status"), True, "choice", "completed"),
        Column("direction", _l("Direction"), True, "choice", "outgoing"),
        Column("funding", _l("Funding"), format="choice", example="programme"),
        Column("programme", _l("Programme"), format="name", example="Short stays abroad"),
        Column("budget_line", _l("Budget line"), example="UMR-2024-17"),
        Column("applicant_email", _l("Applicant's email"), True, "email", "ada@example.org"),
        Column("home_laboratory", _l("Home laboratory"), True, "acronym", "LPX"),
        Column("host_laboratory", _l("Host laboratory"), True, "acronym", "KU"),
        Column("host_country", _l("Host country"), format="country", example="JP"),
        Column("purpose", _l("Purpose"), True, "choice", "research_stay"),
        Column("start_date", _l("Start date"), True, "date", "2024-03-01"),
        Column("end_date", _l("End date"), True, "date", "2024-03-20"),
        Column("requested_amount", _l("Requested (EUR)"), format="amount", example="1500.00"),
        Column("awarded_amount", _l("Awarded (EUR)"), format="amount", example="1200.00"),
        *_cost_columns(),
        Column("submitted_at", _l("Submitted"), format="datetime",
               example="2024-01-15 10:30:00"),
    ),
}

# The key that matches a row with a stored one, by kind (docs/import.md).
KEYS = {
    "laboratories": ("acronym", "country"),
    "people": ("email",),
    "programmes": ("name",),
    "applications": ("reference",),
}


def normalised(text):
    """A header or a choice as compared: lower case, no accents, no trailing ``(…)``, words
    joined by ``_`` (``Coût : Voyage (EUR)`` → ``cout_voyage``)."""
    text = unaccent(str(text or "")).lower().strip()
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def labels_in(label):
    """``label`` (lazy) as written in each interface language."""
    names = []
    for language in LANGUAGES:
        with force_locale(language):
            names.append(str(label))
    return names


def header_names(kind):
    """``{normalised name: column code}`` of every way a header may name a column of
    ``kind``: its code and its labels in English and French."""
    names = {}
    for column in COLUMNS[kind]:
        for name in (column.code, *labels_in(column.label)):
            names.setdefault(normalised(name), column.code)
    return names


# ``{id of a table of labels: (the table, its names)}``: built once per process, since
# translating every label of a table for every cell would cost more than reading the row.
_CHOICE_NAMES = {}


def choice_names(labels):
    """``{normalised name: code}`` for a table of ``{code: label}``: a cell may hold the
    code or its label in either language (the labelled exports write labels)."""
    kept = _CHOICE_NAMES.get(id(labels))
    if kept is None or kept[0] is not labels:
        names = {}
        for code, label in labels.items():
            for name in (code, *labels_in(label)):
                names.setdefault(normalised(name), code)
        kept = _CHOICE_NAMES[id(labels)] = (labels, names)
    return kept[1]


def label_of(kind, code):
    """The label of the column ``code`` of ``kind`` in the reader's language."""
    for column in COLUMNS[kind]:
        if column.code == code:
            return str(column.label)
    return code
