"""A person's copy of everything the tracker holds about them (GDPR, right of access).

:func:`personal_data` gathers it as JSON values: the API answers it as is, and the ZIP of
:func:`personal_data_zip` holds it as ``index.json`` beside the files of the person's
documents. Credentials appear by name only: a token's digest or the calendar's secret
would be a key, not information.
"""

import io
import json
import os
import shutil
import zipfile

import sqlalchemy as sa

from tracker.applications.models import Amendment, Application, Document, Event, Opinion
from tracker.audit import services as audit
from tracker.audit.models import AuditEntry
from tracker.auth.models import ApiToken
from tracker.core.storage import MissingFile, storage
from tracker.delegations.models import Delegation
from tracker.extensions import db
from tracker.notifications.models import Notification

# The columns of each kind of row that the copy holds.
PROFILE = ("id", "email", "full_name", "category", "nationality", "locale", "active",
           "created_at", "email_confirmed_at", "last_sign_in_at")
APPLICATION = ("id", "reference", "direction", "funding", "status", "title", "purpose",
               "start_date", "end_date", "requested_amount", "awarded_amount",
               "budget_line", "justification", "submitted_at", "created_at", "updated_at")
EVENT = ("id", "application_id", "action", "from_status", "to_status", "comment", "changes",
         "created_at")
OPINION = ("id", "application_id", "kind", "verdict", "comment", "created_at")
AMENDMENT = ("id", "application_id", "status", "changes", "previous", "reason",
             "awarded_amount", "created_at", "decided_at")
DOCUMENT = ("id", "application_id", "kind", "original_name", "content_type", "size", "sha256",
            "created_at")
NOTIFICATION = ("id", "application_id", "subject", "body", "created_at", "sent_at", "read_at")
DELEGATION = ("id", "starts_on", "ends_on", "created_at", "cancelled_at")
AUDIT = ("id", "action", "subject_type", "subject_label", "before", "after", "created_at")
TOKEN = ("id", "name", "created_at", "expires_at", "last_used_at", "revoked_at")


def _values(row, columns):
    return {name: audit.json_value(getattr(row, name)) for name in columns}


def _rows(query, columns):
    return [_values(row, columns) for row in db.session.scalars(query)]


def _name(person):
    return person.full_name if person is not None else None


def personal_data(person):
    """Everything about ``person``, as JSON values, in a few statements per kind of row."""
    own = sa.select(Application.id).where(Application.applicant_id == person.id)
    return {
        "profile": {**_values(person, PROFILE), "roles": person.roles,
                    "home_laboratory": person.home_laboratory.label
                    if person.home_laboratory else None},
        "applications": [
            {**_values(application, APPLICATION),
             "home_laboratory": application.home_laboratory.label,
             "host_laboratory": application.host_laboratory.label,
             "programme": application.programme.name if application.programme else None,
             "cost_items": [_values(item, ("kind", "description", "amount"))
                            for item in application.cost_items]}
            for application in db.session.scalars(
                sa.select(Application).where(Application.applicant_id == person.id)
                .order_by(Application.id))
        ],
        "events": [
            {**_values(event, EVENT), "actor": _name(event.actor)}
            for event in db.session.scalars(
                sa.select(Event).where(sa.or_(Event.application_id.in_(own),
                                              Event.actor_id == person.id))
                .order_by(Event.id))
        ],
        "opinions": [
            {**_values(opinion, OPINION), "author": _name(opinion.author)}
            for opinion in db.session.scalars(
                sa.select(Opinion).where(sa.or_(Opinion.application_id.in_(own),
                                                Opinion.author_id == person.id))
                .order_by(Opinion.id))
        ],
        "amendments": _rows(sa.select(Amendment).where(sa.or_(
            Amendment.application_id.in_(own), Amendment.requested_by_id == person.id))
            .order_by(Amendment.id), AMENDMENT),
        "documents": [
            {**_values(document, DOCUMENT), "file": document_entry(document)}
            for document in _documents(person)
        ],
        "notifications": _rows(sa.select(Notification).where(Notification.user_id == person.id)
                               .order_by(Notification.id), NOTIFICATION),
        "delegations": [
            {**_values(delegation, DELEGATION), "delegator": _name(delegation.delegator),
             "stand_in": _name(delegation.delegate)}
            for delegation in db.session.scalars(
                sa.select(Delegation).where(sa.or_(Delegation.delegator_id == person.id,
                                                   Delegation.delegate_id == person.id))
                .order_by(Delegation.id))
        ],
        "audit": _rows(sa.select(AuditEntry).where(
            AuditEntry.subject_type == "user", AuditEntry.subject_id == str(person.id))
            .order_by(AuditEntry.id), AUDIT),
        "api_tokens": _rows(sa.select(ApiToken).where(ApiToken.user_id == person.id)
                            .order_by(ApiToken.id), TOKEN),
    }


def record_export(person):
    """Note in the audit that ``person`` took a copy of their data (who and when; the copy
    itself is not kept). Flushes; the caller commits."""
    audit.record(person, "export", "user", person)


def _documents(person):
    """The documents of the person's applications, and those they attached to others'."""
    return db.session.scalars(
        sa.select(Document).join(Application)
        .where(sa.or_(Application.applicant_id == person.id, Document.uploader_id == person.id))
        .order_by(Document.id)
    ).all()


def document_entry(document):
    """Where the file of ``document`` sits in the ZIP: its id keeps two files of the same
    name apart."""
    return f"documents/{document.id}-{os.path.basename(document.original_name)}"


def personal_data_zip(person):
    """The ZIP of the copy: ``index.json`` (:func:`personal_data`) and each document's file
    under ``documents/``; a file missing from the store is left out, and its entry in the
    index says so (``"file": null``)."""
    data = personal_data(person)
    buffer = io.BytesIO()
    documents = {document.id: document for document in _documents(person)}
    store = storage()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in data["documents"]:
            try:
                with store.open(documents[entry["id"]].stored_name) as handle:
                    with archive.open(entry["file"], "w") as out:
                        shutil.copyfileobj(handle, out)
            except MissingFile:
                entry["file"] = None
        archive.writestr("index.json", json.dumps(data, ensure_ascii=False, indent=2))
    return buffer.getvalue()
