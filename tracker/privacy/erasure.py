"""Erasing people: the GDPR's right to erasure, and retention's pseudonymisation.

A person's row stays, under a pseudonym, and so do their applications, events, opinions and
amounts: statistics and other people's histories keep their counts and read on. What goes is
every personal value: names and addresses, nationality, the free text the person wrote and
the free text written about their applications, their documents (rows and files), their
messages, their credentials. The same code serves an administrator erasing one person and
the daily retention erasing a batch, in a constant number of statements per batch.
"""

import json
import secrets

import sqlalchemy as sa

from tracker import access
from tracker.applications.documents import remove_files_on_commit
from tracker.applications.models import (
    Amendment, Application, CostItem, Document, Event, Invitation, Opinion,
)
from tracker.audit import services as audit
from tracker.audit.models import AuditEntry
from tracker.auth.models import ApiToken, CalendarFeed, User, new_session_token
from tracker.core.models import utcnow
from tracker.extensions import db
from tracker.notifications.models import Notification

# What an erased person is called and written to: no one reads mail at a .invalid domain.
PSEUDONYM = "Erased person {code}"
ERASED_DOMAIN = "erased.invalid"
# An unknown country (ISO 3166 keeps XX for private use): the nationality is personal.
ERASED_NATIONALITY = "XX"
# A password hash no password matches: the account cannot be signed in to again.
NO_PASSWORD = "!erased"
# The keys of an application's values (in events' and amendments' JSON) that hold free text.
FREE_TEXT_KEYS = frozenset({"title", "justification", "budget_line", "description"})


def pseudonym():
    """A name that tells a reader the person was erased, and two erased people apart."""
    return PSEUDONYM.format(code=secrets.token_hex(2).upper())


def erased_email(person_id):
    """A unique address that reaches nobody."""
    return f"erased-{person_id}@{ERASED_DOMAIN}"


def erase_person(person, actor, today=None):
    """Erase ``person`` on ``actor``'s order, once :mod:`tracker.access` allows it (403 for
    anyone but another administrator, 409 while they are abroad or erased already).
    Flushes; the caller commits, and the documents' files go when it does."""
    access.check_erase_person(actor, person, today)
    erase_people([person.id], actor)


def erase_people(person_ids, actor=None):
    """Erase the people of ``person_ids`` (checked by the caller) and record each erasure in
    the audit, without any of the values erased. ``actor`` is None for retention."""
    if not person_ids:
        return
    people = db.session.scalars(sa.select(User).where(User.id.in_(person_ids))).all()
    # What the person was called, to find it where a sentence or a label quoted it.
    replacements = {}
    for person in people:
        replacements.update(_replacements(person))
    application_ids = sa.select(Application.id).where(Application.applicant_id.in_(person_ids))
    # Messages about their applications quote the titles: replaced by the references.
    titles = dict(db.session.execute(
        sa.select(Application.title, Application.reference)
        .where(Application.id.in_(application_ids), Application.title != "")).all())
    _erase_documents(application_ids)
    _clear_free_text(person_ids, application_ids)
    _erase_messages(person_ids, application_ids, replacements, titles)
    _erase_audit_mentions(person_ids, replacements)
    _erase_credentials(person_ids)
    for person in people:
        _pseudonymise(person, replacements)
        audit.record(actor, "erase", "user", person, label=person.full_name)
    db.session.flush()
    # The statements above bypassed the loaded rows: read them afresh.
    db.session.expire_all()


def _replacements(person):
    """``{value: stand-in}`` for the person's name and address, and both as JSON writes them
    (non-ASCII letters escaped), so that a label in a JSON column is found too."""
    name, email = pseudonym(), erased_email(person.id)
    found = {person.full_name: name, person.email: email}
    for value, stand_in in list(found.items()):
        found[json.dumps(value)[1:-1]] = stand_in
    # The longest first: an address may contain the name.
    return {value: found[value] for value in sorted(found, key=len, reverse=True) if value}


def _pseudonymise(person, replacements):
    person.full_name = replacements[person.full_name]
    person.email = erased_email(person.id)
    person.nationality = ERASED_NATIONALITY
    person.requested_laboratory_id = None
    person.locale = None
    person.password_hash = NO_PASSWORD
    person.active = False
    person.last_sign_in_at = None
    # Unlinked from the single sign-on provider: their subject there identifies them too.
    person.oidc_issuer = None
    person.oidc_subject = None
    person.erased_at = utcnow()
    # Ends every session and remember-me cookie at once.
    person.session_token = new_session_token()


def _erase_documents(application_ids):
    """The documents of the person's applications: rows now, files once the erasure
    commits (a rollback keeps them with their rows)."""
    remove_files_on_commit(db.session.scalars(
        sa.select(Document.stored_name).where(Document.application_id.in_(application_ids))
    ).all())
    db.session.execute(sa.delete(Document).where(Document.application_id.in_(application_ids)))


def _update(model, where, **values):
    db.session.execute(sa.update(model).where(where).values(**values)
                       .execution_options(synchronize_session=False))


def _clear_free_text(person_ids, application_ids):
    """The text the person wrote anywhere, and the text written about their applications.

    Statuses, days, countries and amounts stay: they are what the statistics count. An
    application keeps its reference as its title, so lists still name it.
    """
    _update(Application, Application.id.in_(application_ids),
            title=Application.reference, justification="", budget_line="")
    _update(CostItem, CostItem.application_id.in_(application_ids), description="")
    _update(Event, sa.or_(Event.application_id.in_(application_ids),
                          Event.actor_id.in_(person_ids)), comment="")
    _update(Opinion, sa.or_(Opinion.application_id.in_(application_ids),
                            Opinion.author_id.in_(person_ids)), comment="")
    _update(Amendment, sa.or_(Amendment.application_id.in_(application_ids),
                              Amendment.requested_by_id.in_(person_ids)), reason="")
    _update(Invitation, Invitation.user_id.in_(person_ids),
            email=sa.literal("erased-") + sa.cast(Invitation.user_id, sa.String)
            + sa.literal(f"@{ERASED_DOMAIN}"))
    # The values an edit or a change request replaced, kept as JSON beside each event.
    for row in db.session.scalars(sa.select(Event).where(
            Event.application_id.in_(application_ids), Event.changes.is_not(None))):
        row.changes = without_free_text(row.changes)
    for row in db.session.scalars(sa.select(Amendment).where(
            Amendment.application_id.in_(application_ids))):
        row.changes = without_free_text(row.changes)
        row.previous = without_free_text(row.previous)


def without_free_text(value):
    """``value`` (JSON) with every string under a free-text key emptied."""
    if isinstance(value, dict):
        return {key: _blank(item) if key in FREE_TEXT_KEYS else without_free_text(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [without_free_text(item) for item in value]
    return value


def _blank(value):
    if isinstance(value, str):
        return ""
    if isinstance(value, dict):
        return {key: _blank(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_blank(item) for item in value]
    return value


def _erase_messages(person_ids, application_ids, replacements, titles):
    """The person's own messages go. Others' messages about the person's applications keep
    their subject, with the person's name and the title replaced, and lose their body (it
    may quote a comment); other messages naming the person (a stand-in named, a home
    laboratory asked for) have the name replaced."""
    db.session.execute(sa.delete(Notification).where(Notification.user_id.in_(person_ids)))
    _update(Notification, Notification.application_id.in_(application_ids), body="")
    about_them = {**replacements, **titles}
    for row in db.session.scalars(sa.select(Notification).where(
            Notification.application_id.in_(application_ids))):
        row.subject = replaced(row.subject, about_them)
    mentions = sa.and_(sa.or_(Notification.application_id.is_(None),
                              Notification.application_id.not_in(application_ids)),
                       sa.or_(_mentions(Notification.subject, replacements),
                              _mentions(Notification.body, replacements)))
    for row in db.session.scalars(sa.select(Notification).where(mentions)):
        row.subject = replaced(row.subject, replacements)
        row.body = replaced(row.body, replacements)


def _erase_audit_mentions(person_ids, replacements):
    """Audit entries keep what changed, with the person's name and address replaced, in
    their labels and values alike (a director named on a laboratory, a stand-in)."""
    mentions = sa.or_(
        sa.and_(AuditEntry.subject_type == "user",
                AuditEntry.subject_id.in_([str(person_id) for person_id in person_ids])),
        _mentions(AuditEntry.subject_label, replacements),
        _mentions(sa.cast(AuditEntry.before, sa.Text), replacements),
        _mentions(sa.cast(AuditEntry.after, sa.Text), replacements),
    )
    for entry in db.session.scalars(sa.select(AuditEntry).where(mentions)):
        entry.subject_label = replaced(entry.subject_label, replacements)
        entry.before = replaced(entry.before, replacements)
        entry.after = replaced(entry.after, replacements)


def _erase_credentials(person_ids):
    """API tokens (with the names the person gave them) and the calendar feed go; the
    session token is rotated with the pseudonym."""
    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id.in_(person_ids)))
    db.session.execute(sa.delete(CalendarFeed).where(CalendarFeed.user_id.in_(person_ids)))


def _mentions(column, replacements):
    return sa.or_(*(column.contains(value, autoescape=True) for value in replacements))


def replaced(value, replacements):
    """``value`` (text or JSON) with every occurrence of a key of ``replacements`` replaced
    by its stand-in."""
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {key: replaced(item, replacements) for key, item in value.items()}
    if isinstance(value, list):
        return [replaced(item, replacements) for item in value]
    return value
