"""The agreements register: its writes, the agreement a stay falls under, and quotas.

The web pages, the API and the command line call these functions; they flush, never commit.
Only administrators write (403); the values are checked here (422, each field with its
message); every write records its audit entry. Reading is open to everyone signed in.

The quota of an agreement counts the stays linked to it that were approved (approved or
completed), by the calendar year of their first day. When it is a limit, :func:`check_quota`
refuses the approval that would pass it; it locks the agreement's row first, so that
concurrent approvals under the same agreement are counted one after the other.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from tracker import access
from tracker.agreements.models import (
    KINDS, STORED_STATUSES, Agreement, AgreementDocument, agreement_laboratories,
)
from tracker.applications.documents import remove_files_on_commit, send_stored, store_upload
from tracker.applications.models import Application, duration_days_expression
from tracker.applications.workflow import ACTIVE_FOR_OVERLAP, GRANTED
from tracker.audit import services as audit
from tracker.core.errors import Conflict, InvalidValues, NotAllowed
from tracker.core.paging import MAX_ID
from tracker.directory.models import Laboratory
from tracker.extensions import db

# The office's home page lists the agreements in force that end within this many days.
EXPIRING_DAYS = 183
MAX_QUOTA = 1_000_000
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
TEXT_LIMITS = {"title": 200, "reference": 60, "our_contact_name": 200,
               "our_contact_email": 254, "partner_contact_name": 200,
               "partner_contact_email": 254, "notes": 5000}
FIELDS = ("kind", "title", "reference", "starts_on", "ends_on", "status", "our_contact_name",
          "our_contact_email", "partner_contact_name", "partner_contact_email", "quota_stays",
          "quota_days", "quota_is_limit", "notes")


class QuotaReached(Conflict):
    """Approving the stay would pass its agreement's yearly quota, set as a limit (409)."""

    code = "quota_reached"


# Values ------------------------------------------------------------------------------------
def _text_problems(values):
    problems = {}
    for name, limit in TEXT_LIMITS.items():
        if len(values.get(name) or "") > limit:
            problems[name] = [_l("At most %(count)s characters.", count=limit)]
    for name in ("title", "reference"):
        if not (values.get(name) or "").strip():
            problems[name] = [_l("This field is required.")]
    for name in ("our_contact_email", "partner_contact_email"):
        email = values.get(name) or ""
        if email and not EMAIL.match(email):
            problems[name] = [_l("Give an email address such as name@example.org.")]
    return problems


def _choice_problems(values):
    problems = {}
    if values.get("kind") not in KINDS:
        problems["kind"] = [_l("Choose a kind of agreement.")]
    status = values.get("status")
    if status == "expired":
        problems["status"] = [_l("An agreement expires by its end date: record it as in "
                                 "force, and it reads as expired once its last day is past.")]
    elif status not in STORED_STATUSES:
        problems["status"] = [_l("Choose a status.")]
    return problems


def _date_problems(values):
    problems = {}
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if starts_on is None:
        problems["starts_on"] = [_l("Give the first day.")]
    if ends_on is None:
        problems["ends_on"] = [_l("Give the last day.")]
    elif starts_on is not None and ends_on < starts_on:
        problems["ends_on"] = [_l("The last day comes before the first.")]
    return problems


def _quota_problems(values):
    problems = {}
    for name in ("quota_stays", "quota_days"):
        quota = values.get(name)
        if quota is not None and not 0 <= quota <= MAX_QUOTA:
            problems[name] = [_l("A quota is a whole number from 0 to %(max)s.",
                                 max=MAX_QUOTA)]
    if (values.get("quota_is_limit") and values.get("quota_stays") is None
            and values.get("quota_days") is None):
        problems["quota_is_limit"] = [_l("Give a quota of stays or days to make it a limit.")]
    return problems


def _laboratory_problems(kind, laboratories, unknown):
    if unknown:
        return [_l("No laboratory has the id %(ids)s.",
                   ids=", ".join(str(lab_id) for lab_id in sorted(unknown)))]
    if not any(lab.kind == "unit" for lab in laboratories):
        return [_l("Name at least one of the organisation's units.")]
    if not any(lab.kind != "unit" for lab in laboratories):
        return [_l("Name at least one partner laboratory or joint unit.")]
    if kind == "joint_unit" and not any(lab.kind == "joint_unit" for lab in laboratories):
        return [_l("A joint unit's agreement names the joint unit.")]
    return []


def _laboratories(laboratory_ids):
    """The laboratories of ``laboratory_ids`` and the ids that name none."""
    ids = {lab_id for lab_id in laboratory_ids or ()
           if isinstance(lab_id, int) and not isinstance(lab_id, bool)}
    found = db.session.scalars(sa.select(Laboratory).where(Laboratory.id.in_(ids))).all()
    return found, ids - {lab.id for lab in found}


def _reference_taken(reference, agreement):
    query = sa.select(Agreement.id).where(Agreement.reference == reference)
    if agreement.id is not None:
        query = query.where(Agreement.id != agreement.id)
    return db.session.scalar(query.limit(1)) is not None


def agreement_problems(agreement, values, laboratories, unknown):
    """``{field: [messages]}`` of what is wrong with these values of ``agreement`` (new or
    not); empty when none."""
    problems = {**_text_problems(values), **_choice_problems(values),
                **_date_problems(values), **_quota_problems(values)}
    lab_problems = _laboratory_problems(values.get("kind"), laboratories, unknown)
    if lab_problems:
        problems["laboratory_ids"] = lab_problems
    reference = (values.get("reference") or "").strip()
    if "reference" not in problems and _reference_taken(reference, agreement):
        problems["reference"] = [_l("Another agreement has this reference.")]
    return problems


# Writes ------------------------------------------------------------------------------------
def _check_admin(actor):
    if not access.can_manage_agreements(actor):
        raise NotAllowed(_l("Only administrators manage the agreements."))


def current_values(agreement):
    """The values of ``agreement`` as :func:`save_agreement` takes them."""
    values = {name: getattr(agreement, name) for name in FIELDS}
    values["laboratory_ids"] = [lab.id for lab in agreement.laboratories]
    return values


def check_values(agreement, values):
    """Raise :class:`InvalidValues` (422, each field with its messages) unless ``values``
    suit ``agreement`` (new or not); returns the laboratories they name."""
    laboratories, unknown = _laboratories(values.get("laboratory_ids"))
    problems = agreement_problems(agreement, values, laboratories, unknown)
    if problems:
        raise InvalidValues(_l("Please correct the fields marked."), problems)
    return laboratories


def save_agreement(agreement, actor, values):
    """Write ``values`` (every field of :data:`FIELDS` and ``laboratory_ids``) on
    ``agreement`` (new or not), as ``actor``, an administrator; records the audit entry.
    Returns the agreement."""
    _check_admin(actor)
    laboratories = check_values(agreement, values)
    before = audit.snapshot("agreement", agreement)
    for name in FIELDS:
        value = values.get(name)
        setattr(agreement, name, value.strip() if isinstance(value, str) else value)
    agreement.quota_is_limit = bool(values.get("quota_is_limit"))
    agreement.laboratories = sorted(laboratories, key=lambda lab: lab.name)
    db.session.add(agreement)
    db.session.flush()
    audit.record_change(actor, "agreement", agreement, before)
    return agreement


def delete_agreement(agreement, actor):
    """Delete ``agreement``; the stays it covered keep their values and name no agreement."""
    _check_admin(actor)
    audit.record(actor, "delete", "agreement", agreement,
                 audit.snapshot("agreement", agreement), None, label=agreement.label)
    db.session.execute(
        sa.update(Application).where(Application.agreement_id == agreement.id)
        .values(agreement_id=None).execution_options(synchronize_session=False)
    )
    # The rows go by ON DELETE CASCADE, their files once the deletion commits.
    remove_files_on_commit([document.stored_key for document in agreement.documents])
    db.session.delete(agreement)
    db.session.flush()


# Documents ---------------------------------------------------------------------------------
# Their keys in the file store start with this, apart from the applications' documents.
DOCUMENT_PREFIX = "agreements"


def attach_document(agreement, actor, file_storage):
    """Check and store the uploaded ``file_storage`` as a document of ``agreement``, as
    ``actor``, an administrator; the audit records the agreement's documents before and
    after. The checks are those of the applications' documents (size, type by content):
    :class:`~tracker.applications.documents.DocumentRefused` says what is wrong, and
    nothing stays in the store then. Returns the :class:`AgreementDocument`."""
    _check_admin(actor)
    before = audit.snapshot("agreement", agreement)
    stored = store_upload(file_storage, prefix=DOCUMENT_PREFIX)
    document = AgreementDocument(
        agreement=agreement, stored_key=stored.key, original_name=stored.original_name,
        content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
        uploaded_by_id=actor.id)
    db.session.add(document)
    db.session.flush()
    audit.record_change(actor, "agreement", agreement, before)
    return document


def delete_document(document, actor):
    """Delete ``document`` (as ``actor``, an administrator): its row now, its file once the
    deletion commits; the audit records the agreement's documents before and after."""
    _check_admin(actor)
    agreement = document.agreement
    before = audit.snapshot("agreement", agreement)
    remove_files_on_commit([document.stored_key])
    db.session.delete(document)
    db.session.flush()
    db.session.expire(agreement, ["documents"])
    audit.record_change(actor, "agreement", agreement, before)


def document_of(agreement, document_id):
    """The document ``document_id`` of ``agreement``, or ``None`` (another agreement's
    document is not this one's; an id no row can have is not looked up)."""
    if not 1 <= document_id <= MAX_ID:
        return None
    return db.session.scalar(sa.select(AgreementDocument).where(
        AgreementDocument.id == document_id, AgreementDocument.agreement_id == agreement.id))


def send_document(document):
    """The file of ``document`` as an attachment under the name it was given, or ``None``
    when the file has gone missing from the store."""
    return send_stored(document.stored_key, document.content_type, document.original_name,
                       document.sha256)


# Reading -----------------------------------------------------------------------------------
def agreements_query(status=None, kind=None, laboratory=None, partner=None, unit=None,
                     country=None, today=None):
    """The agreements matching the filters, latest first (one statement; laboratories
    loaded with them). ``laboratory``, ``partner`` and ``unit`` are laboratory ids (any
    laboratory covered, a partner-side one, a unit); ``country`` a partner's country."""
    today = today or date.today()
    query = sa.select(Agreement).options(selectinload(Agreement.laboratories))
    if status:
        query = query.where(Agreement.status_is(status, today))
    if kind:
        query = query.where(Agreement.kind == kind)
    if laboratory:
        query = query.where(Agreement.id.in_(_covering(Laboratory.id == laboratory)))
    if partner:
        query = query.where(Agreement.id.in_(_covering(
            sa.and_(Laboratory.id == partner, Laboratory.kind != "unit"))))
    if unit:
        query = query.where(Agreement.id.in_(_covering(
            sa.and_(Laboratory.id == unit, Laboratory.kind == "unit"))))
    if country:
        query = query.where(Agreement.id.in_(_covering(Laboratory.country == country)))
    return query.order_by(Agreement.starts_on.desc(), Agreement.id.desc())


def _covering(condition):
    """SQL: the ids of the agreements covering a laboratory that meets ``condition``."""
    return (sa.select(agreement_laboratories.c.agreement_id)
            .join(Laboratory, Laboratory.id == agreement_laboratories.c.laboratory_id)
            .where(condition))


def agreements_by_country(today=None):
    """``{country: number}`` of the agreements in force today with a partner there (an
    agreement with partners in two countries counts in each), in one statement."""
    today = today or date.today()
    rows = db.session.execute(
        sa.select(Laboratory.country,
                  sa.func.count(sa.distinct(agreement_laboratories.c.agreement_id)))
        .join(agreement_laboratories,
              agreement_laboratories.c.laboratory_id == Laboratory.id)
        .join(Agreement, Agreement.id == agreement_laboratories.c.agreement_id)
        .where(Laboratory.kind != "unit", Agreement.status_is("in_force", today))
        .group_by(Laboratory.country)
    ).all()
    return dict(rows)


def expiring_agreements(today=None, days=EXPIRING_DAYS, limit=None):
    """The agreements in force whose last day falls within ``days`` days, soonest first
    (the first ``limit`` of them when given)."""
    today = today or date.today()
    return db.session.scalars(
        sa.select(Agreement)
        .where(Agreement.status == "in_force", Agreement.ends_on >= today,
               Agreement.ends_on <= today + timedelta(days=days))
        .options(selectinload(Agreement.laboratories))
        .order_by(Agreement.ends_on, Agreement.id)
        .limit(limit)
    ).all()


def suggested_agreement(home_laboratory_id, host_laboratory_id, day):
    """The agreement in force on ``day`` that covers both laboratories (the latest to start,
    when several do), or None."""
    covers_home = _covering(Laboratory.id == home_laboratory_id)
    covers_host = _covering(Laboratory.id == host_laboratory_id)
    return db.session.scalars(
        sa.select(Agreement)
        .where(Agreement.in_force_on(day), Agreement.id.in_(covers_home),
               Agreement.id.in_(covers_host))
        .order_by(Agreement.starts_on.desc(), Agreement.id.desc())
        .limit(1)
    ).first()


def suggested_agreement_id(home_laboratory_id, host_laboratory_id, day):
    """The id of :func:`suggested_agreement` (None: none, or values not known yet)."""
    if None in (home_laboratory_id, host_laboratory_id, day):
        return None
    agreement = suggested_agreement(home_laboratory_id, host_laboratory_id, day)
    return agreement.id if agreement is not None else None


def partner_of(application):
    """The laboratory abroad of ``application``: its host when outgoing, its home when
    incoming."""
    if application.direction == "outgoing":
        return application.host_laboratory
    return application.home_laboratory


def lacks_agreement(application):
    """True when the stay's partner has no agreement in force on its first day: reviewers
    are warned (a warning, not a refusal)."""
    partner = partner_of(application)
    if partner is None or partner.kind == "unit":
        return False
    return db.session.scalar(
        sa.select(Agreement.id)
        .where(Agreement.in_force_on(application.start_date),
               Agreement.id.in_(_covering(Laboratory.id == partner.id)))
        .limit(1)
    ) is None


# Joint units -------------------------------------------------------------------------------
# How many stays each part of a joint unit's page lists (the latest planned, the latest past).
JOINT_UNIT_STAYS = 25
# The stays a joint unit's page lists: those under way or granted, not drafts nor refusals.
LISTED_STAYS = GRANTED | ACTIVE_FOR_OVERLAP


def joint_unit_term(lab, today):
    """The agreement of kind joint unit that runs ``lab`` today, else its latest one (None
    when it has none): its partners and its term are the joint unit's."""
    return db.session.scalars(
        sa.select(Agreement)
        .where(Agreement.kind == "joint_unit", Agreement.status != "draft",
               Agreement.id.in_(_covering(Laboratory.id == lab.id)))
        .options(selectinload(Agreement.laboratories))
        .order_by(Agreement.in_force_on(today).desc(), Agreement.ends_on.desc(),
                  Agreement.id.desc())
        .limit(1)
    ).first()


def joint_unit_stays(user, lab, today):
    """``{"present", "planned", "past"}``: the stays at or from ``lab`` that ``user`` may
    see (:func:`access.visible_applications`), each part at most :data:`JOINT_UNIT_STAYS`."""
    at_lab = (access.visible_applications(user)
              .where(sa.or_(Application.host_laboratory_id == lab.id,
                            Application.home_laboratory_id == lab.id),
                     Application.status.in_(LISTED_STAYS))
              .options(selectinload(Application.applicant))
              .limit(JOINT_UNIT_STAYS))
    parts = {
        "present": at_lab.where(Application.start_date <= today, Application.end_date >= today)
        .order_by(Application.start_date, Application.id),
        "planned": at_lab.where(Application.start_date > today)
        .order_by(Application.start_date, Application.id),
        "past": at_lab.where(Application.end_date < today)
        .order_by(Application.end_date.desc(), Application.id.desc()),
    }
    return {name: db.session.scalars(query).all() for name, query in parts.items()}


# Quotas ------------------------------------------------------------------------------------
@dataclass
class QuotaUse:
    """What an agreement's quota allows in a year and what is used of it."""

    year: int
    stays: int
    days: int
    quota_stays: int = None
    quota_days: int = None
    limit: bool = False


def quota_use(agreement, year):
    """The stays and days of ``year`` used of ``agreement``'s quota (approved or
    completed stays linked to it, by the year of their first day)."""
    days = duration_days_expression(db.session.get_bind().dialect.name)
    stays, used_days = db.session.execute(
        sa.select(sa.func.count(Application.id),
                  sa.func.coalesce(sa.func.sum(sa.cast(days, sa.Integer)), 0))
        .where(Application.agreement_id == agreement.id,
               Application.status.in_(GRANTED),
               Application.start_date >= date(year, 1, 1),
               Application.start_date <= date(year, 12, 31))
    ).one()
    return QuotaUse(year, stays, int(used_days), agreement.quota_stays, agreement.quota_days,
                    agreement.quota_is_limit)


def check_quota(application):
    """Refuse (:class:`QuotaReached`) approving ``application`` when it would pass the
    limit its agreement sets for the year of its first day.

    The agreement's row is locked until the transaction ends (PostgreSQL; SQLite has one
    writer anyway): of concurrent approvals under one agreement, each counts the ones
    committed before it, so never more stays than the quota allows are approved.
    """
    if application.agreement_id is None:
        return
    agreement = db.session.scalars(
        sa.select(Agreement).where(Agreement.id == application.agreement_id)
        .with_for_update().execution_options(populate_existing=True)
    ).one()
    if not agreement.quota_is_limit:
        return
    use = quota_use(agreement, application.start_date.year)
    if agreement.quota_stays is not None and use.stays + 1 > agreement.quota_stays:
        raise QuotaReached(_l(
            "The agreement %(reference)s allows %(quota)s stays in %(year)s and all are "
            "taken: this stay cannot be approved under it.",
            reference=agreement.reference, quota=agreement.quota_stays, year=use.year))
    if (agreement.quota_days is not None
            and use.days + application.duration_days > agreement.quota_days):
        raise QuotaReached(_l(
            "The agreement %(reference)s allows %(quota)s days of stays in %(year)s and "
            "%(used)s are taken: this stay is too long to be approved under it.",
            reference=agreement.reference, quota=agreement.quota_days, year=use.year,
            used=use.days))
