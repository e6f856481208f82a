"""Writing the audit of the directory.

Every service that changes the directory takes a :func:`snapshot` of its subject before the
change and calls :func:`record` after it (flushed, in the same transaction, so an entry
exists exactly when its change does). Values are stored as JSON: days and times in ISO
8601, amounts as decimal strings, references to a person or a laboratory as
``{"id": ..., "label": ...}`` so that they still read well once renamed or gone.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from tracker.audit.models import ACTIONS, SUBJECT_TYPES, AuditEntry
from tracker.auth.models import User
from tracker.core.models import UTCDateTime
from tracker.core.paging import encode_cursor
from tracker.directory.models import Laboratory
from tracker.extensions import db

# The values of each kind of subject that the audit follows (attributes of its row;
# ``*_id`` references are stored with their label).
FIELDS = {
    "user": ("email", "full_name", "category", "nationality", "home_laboratory_id", "roles",
             "active", "oidc_subject"),
    "laboratory": ("name", "acronym", "kind", "institution", "city", "country",
                   "director_id", "restricted_zone"),
    "programme": ("name", "direction", "opens_on", "closes_on", "min_days", "max_days",
                  "budget", "eligible_categories", "description", "active"),
    "country": ("risk_level", "note"),
    "requirement_rule": ("code", "name", "direction", "min_days", "min_risk_level",
                         "non_eu_national", "host_restricted", "host_joint_unit_director",
                         "purposes", "document_kind", "opinion_kind", "blocks", "active"),
    "delegation": ("delegator_id", "delegate_id", "starts_on", "ends_on"),
    "agreement": ("agreement_kind", "title", "reference", "starts_on", "ends_on", "status",
                  "covered_laboratories", "our_contact_name", "our_contact_email",
                  "partner_contact_name", "partner_contact_email", "quota_stays",
                  "quota_days", "quota_is_limit", "notes", "document_names"),
}
# Which model a reference names.
REFERENCES = {"home_laboratory_id": Laboratory, "director_id": User, "delegator_id": User,
              "delegate_id": User}
PER_PAGE = 50


def json_value(value):
    """``value`` as JSON holds it: ISO days and times, decimal strings, lists for sets."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(json_value(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    return value


def _label(row):
    if row is None:
        return ""
    if isinstance(row, User):
        return f"{row.full_name} <{row.email}>"
    if isinstance(row, Laboratory):
        return row.label
    return str(getattr(row, "label", None) or getattr(row, "name", None) or row)


def _reference(model, row_id):
    if row_id is None:
        return None
    # The identity map answers when the row is loaded already, as it is after an edit.
    return {"id": row_id, "label": _label(db.session.get(model, row_id))}


def snapshot(subject_type, subject, fields=None):
    """The followed values of ``subject`` (a row of ``subject_type``) as JSON values; None
    for no subject or a row not yet saved, which is what a creation had before.

    ``fields`` names the attributes to take when :data:`FIELDS` does not list the kind
    (a delegation, until its fields are added there).
    """
    if subject is None:
        return None
    if subject_type == "country" and getattr(subject, "code", None) is None:
        return None
    if subject_type != "country" and getattr(subject, "id", None) is None:
        return None
    values = {}
    for name in fields or FIELDS[subject_type]:
        value = getattr(subject, name)
        if name in REFERENCES:
            value = _reference(REFERENCES[name], value)
        values[name] = json_value(value)
    return values


def changes(before, after):
    """``(before, after)`` keeping only the keys whose values differ (both None when
    nothing changed)."""
    keys = [key for key in {**before, **after} if before.get(key) != after.get(key)]
    if not keys:
        return None, None
    return ({key: before.get(key) for key in keys}, {key: after.get(key) for key in keys})


def subject_key(subject):
    """The key that names ``subject``: its id, or a country's code."""
    if isinstance(subject, (int, str)):
        return str(subject)
    key = getattr(subject, "id", None)
    if key is None:
        key = getattr(subject, "code", None)
    return str(key)


def record(actor, action, subject_type, subject, before=None, after=None, label=None):
    """Write one audit entry: ``actor`` (None for the command line) did ``action`` to
    ``subject`` (a row, or its key), whose values were ``before`` and became ``after``.

    When both are given only the changed keys are kept, and nothing is written when nothing
    changed; the entry is returned (None then). ``label`` names the subject as a reader
    knows it (its label or name by default). Flushes, never commits.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    if subject_type not in SUBJECT_TYPES:
        raise ValueError(f"unknown audit subject type: {subject_type}")
    before = json_value(before) if before is not None else None
    after = json_value(after) if after is not None else None
    if before is not None and after is not None:
        before, after = changes(before, after)
        if before is None:
            return None
    entry = AuditEntry(**_entry(actor, action, subject_type, subject, before, after, label))
    db.session.add(entry)
    db.session.flush()
    return entry


def _entry(actor, action, subject_type, subject, before, after, label=None):
    if label is None:
        label = subject if isinstance(subject, (int, str)) else _label(subject)
    return {
        "actor_id": getattr(actor, "id", None),
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_key(subject)[:64],
        "subject_label": str(label)[:300],
        "before": before,
        "after": after,
    }


def record_creations(actor, subject_type, subjects):
    """Record the creation of each of ``subjects`` (rows saved already, flushed with their
    ids): what :func:`record_change` writes for one, added together and flushed once, so
    that an import's thousands of rows go in one multi-row statement."""
    db.session.execute(sa.insert(AuditEntry), [
        _entry(actor, "create", subject_type, subject, None, snapshot(subject_type, subject))
        for subject in subjects])


def record_change(actor, subject_type, subject, before, label=None):
    """Record the change of ``subject`` from the :func:`snapshot` ``before`` (None: it is
    new) to what it holds now; nothing when nothing changed."""
    db.session.flush()
    return record(actor, "create" if before is None else "update", subject_type, subject,
                  before, snapshot(subject_type, subject), label=label)


# Reading -----------------------------------------------------------------------------------
@dataclass
class Page:
    """A page of entries, newest first, and the cursors of the pages after and before it
    (None at an end)."""

    items: list
    next_cursor: str = None
    prev_cursor: str = None


def _day_start(day, zone):
    """The first moment of ``day`` in the organisation's time zone, in UTC."""
    return datetime.combine(day, time.min).replace(tzinfo=zone).astimezone(timezone.utc)


def _filtered(subject_type=None, actor=None, q=None, since=None, until=None, zone=None):
    query = sa.select(AuditEntry)
    if subject_type:
        query = query.where(AuditEntry.subject_type == subject_type)
    if actor:
        # People are few next to the entries: their ids are found first, in the same
        # statement, and the entries read through the (actor_id, created_at, id) index.
        query = query.where(AuditEntry.actor_id.in_(
            sa.select(User.id).where(sa.or_(
                User.full_name.icontains(actor, autoescape=True),
                User.email.contains(actor.lower(), autoescape=True),
            ))
        ))
    if q:
        query = query.where(sa.or_(
            AuditEntry.subject_label.icontains(q, autoescape=True),
            AuditEntry.subject_id == q,
        ))
    zone = zone or timezone.utc
    if since:
        query = query.where(AuditEntry.created_at >= _day_start(since, zone))
    if until:
        query = query.where(AuditEntry.created_at < _day_start(until + timedelta(days=1), zone))
    return query


def entries_page(filters, after=None, before=None, per_page=PER_PAGE, zone=None):
    """One page of the entries matching ``filters`` (the audit form's values), newest
    first, by keyset on ``(created_at, id)``: the 4,000th page costs what the first does.

    ``after`` and ``before`` are :class:`~tracker.core.paging.Cursor` values (the page after
    or before the one that ended there). One statement, whatever the page's length: the
    actor of each entry is loaded with it.
    """
    query = _filtered(zone=zone, **filters).options(
        joinedload(AuditEntry.actor).options(lazyload("*")))
    key = sa.tuple_(AuditEntry.created_at, AuditEntry.id)
    backwards = before is not None
    cursor = before or after
    if cursor is not None:
        bound = sa.tuple_(sa.literal(cursor.sort_value, UTCDateTime()),
                          sa.literal(cursor.row_id))
        query = query.where(key > bound if backwards else key < bound)
    if backwards:
        query = query.order_by(AuditEntry.created_at, AuditEntry.id)
    else:
        query = query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    rows = list(db.session.scalars(query.limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    page = Page(rows)
    if rows:
        if more or backwards:
            page.next_cursor = encode_cursor(rows[-1].id, rows[-1].created_at)
        if (more and backwards) or (not backwards and cursor is not None):
            page.prev_cursor = encode_cursor(rows[0].id, rows[0].created_at)
    return page
