"""Declared shapes of what the API accepts (marshmallow) and how it writes rows as JSON.

Every input schema refuses unknown fields (marshmallow's ``RAISE``, the default, kept
explicit): a body or query string naming a field that the endpoint does not take answers
422 with that field listed, so ``status``, ``applicant_id``, ``version`` or
``awarded_amount`` can never be slipped into a write.
"""

from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from tracker.applications.models import DOCUMENT_KINDS, PURPOSES
from tracker.applications.workflow import ACTIONS, STATUSES
from tracker.auth.models import CATEGORIES
from tracker.core.countries import is_country
from tracker.directory.models import DIRECTIONS, LAB_KINDS, MAX_STAY_DAYS

MAX_PER_PAGE = 100


class Strict(Schema):
    class Meta:
        unknown = RAISE


def _country(value):
    if not isinstance(value, str) or len(value) != 2 or not is_country(value):
        raise ValidationError("Not an ISO 3166 alpha-2 country code.")


class Country(fields.String):
    """An ISO alpha-2 code, accepted in either case, returned upper-case."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        _country(value)
        return value


class Plain(fields.String):
    """A string without NUL characters (PostgreSQL cannot store them in text)."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in value:
            raise ValidationError("NUL characters are not allowed.")
        return value


class Text(Plain):
    """A string with surrounding blanks removed."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


# Queries ---------------------------------------------------------------------------------
class PageQuery(Strict):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(
        load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE)
    )


class LaboratoryQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(LAB_KINDS))
    country = Country()
    q = Text(validate=validate.Length(max=200))


class ProgrammeQuery(PageQuery):
    direction = fields.String(validate=validate.OneOf(DIRECTIONS))
    active = fields.Boolean()


class ApplicationQuery(Strict):
    page = fields.Integer(validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(
        load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE)
    )
    cursor = Plain(validate=validate.Length(min=1, max=200))
    status = fields.String(validate=validate.OneOf(STATUSES))
    direction = fields.String(validate=validate.OneOf(DIRECTIONS))
    programme = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    laboratory = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    country = Country()
    q = Text(validate=validate.Length(max=200))

    @validates_schema
    def page_or_cursor(self, data, **kwargs):
        if "page" in data and "cursor" in data:
            raise ValidationError("Give either page or cursor, not both.", "cursor")


class StatsQuery(Strict):
    year = fields.Integer(validate=validate.Range(min=1900, max=2200))


# Bodies ----------------------------------------------------------------------------------
class TokenRequest(Strict):
    email = Text(required=True, validate=validate.Length(min=1, max=254))
    password = Plain(required=True, validate=validate.Length(min=1, max=1000))
    name = Text(load_default="", validate=validate.Length(max=100))


class LaboratoryInput(Strict):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    acronym = Text(load_default="", validate=validate.Length(max=30))
    kind = fields.String(required=True, validate=validate.OneOf(LAB_KINDS))
    institution = Text(load_default="", validate=validate.Length(max=200))
    city = Text(load_default="", validate=validate.Length(max=100))
    country = Country(required=True)
    director_id = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1)
    )


class ProgrammeInput(Strict):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True)
    min_days = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_STAY_DAYS))
    max_days = fields.Integer(
        load_default=MAX_STAY_DAYS, validate=validate.Range(min=1, max=MAX_STAY_DAYS)
    )
    budget = fields.Decimal(
        required=True, places=2, as_string=True,
        validate=validate.Range(min=Decimal("0"), max=Decimal("999999999999.99")),
    )
    eligible_categories = fields.List(
        fields.String(validate=validate.OneOf(CATEGORIES)),
        load_default=lambda: list(CATEGORIES),
        validate=validate.Length(min=1),
    )
    description = Plain(load_default="", validate=validate.Length(max=10000))
    active = fields.Boolean(load_default=True)


# Application writes -----------------------------------------------------------------------
# The services check the rules (laboratory kinds, dates, programme, budget) and answer 403,
# 409 or 422 themselves; these schemas only fix the fields and their types. Whatever is not
# listed (status, applicant_id, awarded_amount outside an approval, reference...) is refused.
class Id(fields.Integer):
    def __init__(self, **kwargs):
        super().__init__(strict=True, validate=validate.Range(min=1, max=2**31 - 1), **kwargs)


class ApplicationFields(Strict):
    programme_id = Id()
    home_laboratory_id = Id()
    host_laboratory_id = Id()
    title = Text(validate=validate.Length(max=200))
    purpose = fields.String(validate=validate.OneOf(PURPOSES))
    start_date = fields.Date()
    end_date = fields.Date()
    requested_amount = fields.Decimal(as_string=True)
    justification = Plain(validate=validate.Length(max=10000))


class ApplicationCreate(ApplicationFields):
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))


class ApplicationPatch(ApplicationFields):
    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))


class TransitionRequest(Strict):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    comment = Plain(load_default="", validate=validate.Length(max=5000))
    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    awarded_amount = fields.Decimal(as_string=True, allow_none=True)

    @validates_schema
    def amount_only_on_approval(self, data, **kwargs):
        # Refused rather than ignored: an amount sent with another action is a mistake
        # (or an attempt to set it) that the caller should hear about.
        if data.get("awarded_amount") is not None and data.get("action") != "approve":
            raise ValidationError("Only an approval sets the awarded amount.", "awarded_amount")


class DocumentUpload(Strict):
    """The form fields of a document upload, besides its ``file``."""

    kind = fields.String(required=True, validate=validate.OneOf(DOCUMENT_KINDS))


# Output ----------------------------------------------------------------------------------
def amount(value):
    """EUR amounts as strings with two decimals (``None`` stays ``None``)."""
    return None if value is None else f"{Decimal(value):.2f}"


def timestamp(value):
    return None if value is None else value.isoformat()


def laboratory_json(lab):
    return {
        "id": lab.id,
        "name": lab.name,
        "acronym": lab.acronym,
        "kind": lab.kind,
        "institution": lab.institution,
        "city": lab.city,
        "country": lab.country,
        "director_id": lab.director_id,
    }


def programme_json(programme):
    return {
        "id": programme.id,
        "name": programme.name,
        "direction": programme.direction,
        "opens_on": programme.opens_on.isoformat(),
        "closes_on": programme.closes_on.isoformat(),
        "min_days": programme.min_days,
        "max_days": programme.max_days,
        "budget": amount(programme.budget),
        "eligible_categories": programme.eligible_categories,
        "description": programme.description,
        "active": programme.active,
    }


def user_json(user):
    return {
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "category": user.category,
        "nationality": user.nationality,
        "home_laboratory_id": user.home_laboratory_id,
        "roles": user.roles,
        "directed_laboratories": [laboratory_json(lab) for lab in user.directed_laboratories],
    }


def application_json(application):
    return {
        "id": application.id,
        "reference": application.reference,
        "direction": application.direction,
        "status": application.status,
        "version": application.version,
        "programme_id": application.programme_id,
        "applicant_id": application.applicant_id,
        "home_laboratory_id": application.home_laboratory_id,
        "host_laboratory_id": application.host_laboratory_id,
        "title": application.title,
        "purpose": application.purpose,
        "start_date": application.start_date.isoformat(),
        "end_date": application.end_date.isoformat(),
        "duration_days": application.duration_days,
        "duration_category": application.duration_category,
        "requested_amount": amount(application.requested_amount),
        "awarded_amount": amount(application.awarded_amount),
        "justification": application.justification,
        "created_at": timestamp(application.created_at),
        "updated_at": timestamp(application.updated_at),
    }


def document_json(document):
    return {
        "id": document.id,
        "kind": document.kind,
        "original_name": document.original_name,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_by": document.uploader_id,
        "created_at": timestamp(document.created_at),
    }


def event_json(event):
    return {
        "id": event.id,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor_id": event.actor_id,
        "comment": event.comment,
        "created_at": timestamp(event.created_at),
    }

