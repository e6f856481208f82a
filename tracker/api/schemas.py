"""Declared shapes of what the API accepts and what it writes (marshmallow).

These classes are the one source of both the behaviour and the OpenAPI description
(:mod:`tracker.api.openapi` generates it from them): the views load bodies and query strings
with the input schemas, and the ``*_json`` functions dump rows with the output schemas.

Every input schema refuses unknown fields (marshmallow's ``RAISE``, the default, kept
explicit): a body or query string naming a field that the endpoint does not take answers
422 with that field listed, so ``status``, ``applicant_id``, ``version`` or
``awarded_amount`` can never be slipped into a write.

Some rules live in code the description cannot read (a custom field, a schema validator, a
service). Where they do, the field carries the same rule as ``metadata`` (an enum, a pattern,
a description), so that a client, or a fuzzer generating requests from the description,
sends what is accepted.
"""

from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from tracker import access
from tracker.agreements.models import KINDS as AGREEMENT_KINDS
from tracker.agreements.models import STATUSES as AGREEMENT_STATUSES
from tracker.agreements.models import STORED_STATUSES as AGREEMENT_STORED_STATUSES
from tracker.agreements.services import FIELDS as AGREEMENT_FIELDS
from tracker.agreements.services import MAX_QUOTA
from tracker.applications.documents import ACCEPTED_TYPES
from tracker.applications.models import (
    BLOCKED_STEPS,
    COST_KINDS,
    DOCUMENT_KINDS,
    DURATION_CATEGORIES,
    FUNDINGS,
    OPINION_KINDS,
    PURPOSES,
    VERDICTS,
)
from tracker.applications.validation import MAX_BUDGET_LINE, MAX_COST_DESCRIPTION, MAX_COST_ITEMS
from tracker.applications.workflow import (
    ACTIONS,
    AMENDMENT_ACTIONS,
    AMENDMENT_STATUSES,
    STATUSES,
)
from tracker.auth.models import CATEGORIES, LOCALES, ROLES
from tracker.core.countries import RISK_LEVELS, country_choices, is_country
from tracker.core.paging import MAX_ID
from tracker.directory.models import DIRECTIONS, HOME_COUNTRY, LAB_KINDS, MAX_STAY_DAYS
from tracker.notifications.services import recipient_locale

MAX_PER_PAGE = 100
# In a JSON Schema pattern: no NUL anywhere (PostgreSQL cannot store it in text), and, for a
# text whose length is counted once trimmed, at least one character that is not a blank.
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"


class Strict(Schema):
    class Meta:
        unknown = RAISE

    # What the schema's validators check between fields, in JSON Schema keywords, for the
    # description (a field's metadata can only speak of that field).
    cross_field_rules = {}


def _when(field, condition, then):
    """JSON Schema: if the body has ``field`` matching ``condition``, it also matches ``then``."""
    return {"if": {"properties": {field: condition}, "required": [field]},
            "then": {"properties": then}}


def _country(value):
    if not isinstance(value, str) or len(value) != 2 or not is_country(value):
        raise ValidationError("Not an ISO 3166 alpha-2 country code.")


class Country(fields.String):
    """An ISO alpha-2 code, accepted in either case, returned upper-case.

    Described as the enum of upper-case codes: what a client should send.
    """

    def __init__(self, example="DE", **kwargs):
        metadata = {"enum": sorted(code for code, _ in country_choices()),
                    "description": "ISO 3166 alpha-2 code",
                    **({"example": example} if example else {}),
                    **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        _country(value)
        return value


class Plain(fields.String):
    """A string without NUL characters (PostgreSQL cannot store them in text)."""

    def __init__(self, **kwargs):
        metadata = {"pattern": NO_NUL, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in value:
            raise ValidationError("NUL characters are not allowed.")
        return value


class Text(Plain):
    """A string with surrounding blanks removed.

    Its length is checked once trimmed, so a minimum length means "not blank": the
    description says so with a pattern (a length alone would let "   " through).
    """

    def __init__(self, **kwargs):
        validators = kwargs.get("validate") or ()
        validators = [validators] if callable(validators) else validators
        if any(getattr(rule, "min", None) for rule in validators
               if isinstance(rule, validate.Length)):
            kwargs["metadata"] = {"pattern": NOT_BLANK, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def amount(value):
    """EUR amounts as strings with two decimals (``None`` stays ``None``)."""
    return None if value is None else f"{Decimal(value):.2f}"


class Amount(fields.Decimal):
    """EUR: read from a decimal string such as ``"1500.50"`` (a JSON number is taken too),
    written as a string with two decimals.

    The services refuse more than two decimals or more than ``digits`` digits before the
    point (what the column holds); the pattern of the description says the same.
    """

    def __init__(self, digits=10, **kwargs):
        metadata = {"pattern": rf"^[0-9]{{1,{digits}}}(\.[0-9]{{1,2}})?$",
                    **kwargs.pop("metadata", {})}
        super().__init__(as_string=True, metadata=metadata, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return amount(value)


class Id(fields.Integer):
    def __init__(self, **kwargs):
        super().__init__(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


# Queries ---------------------------------------------------------------------------------
class PageQuery(Strict):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000),
                          metadata={"description": "Page number, from 1."})
    per_page = fields.Integer(
        load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items per page, at most {MAX_PER_PAGE}."},
    )


class LaboratoryQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(LAB_KINDS))
    country = Country()
    q = Text(validate=validate.Length(max=200),
             metadata={"description": "Searches name, acronym, city and institution."})


class ProgrammeQuery(PageQuery):
    direction = fields.String(validate=validate.OneOf(DIRECTIONS))
    active = fields.Boolean(metadata={"description": "Only active (true) or inactive (false)."})


class ApplicationQuery(Strict):
    page = fields.Integer(validate=validate.Range(min=1, max=1_000_000),
                          metadata={"description": "Page number, from 1 (the default); not "
                                                   "with `cursor`."})
    per_page = fields.Integer(
        load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items per page, at most {MAX_PER_PAGE}."},
    )
    cursor = Plain(validate=validate.Length(min=1, max=200),
                   metadata={"description": "The `next_cursor` of the previous page; not "
                                            "with `page`.",
                             "pattern": "^[A-Za-z0-9_-]+$"})
    status = fields.String(validate=validate.OneOf(STATUSES))
    direction = fields.String(validate=validate.OneOf(DIRECTIONS))
    programme = fields.Integer(validate=validate.Range(min=1, max=MAX_ID),
                               metadata={"description": "Programme id."})
    laboratory = fields.Integer(validate=validate.Range(min=1, max=MAX_ID),
                                metadata={"description": "Home or host laboratory id."})
    country = Country(metadata={"description": "Country of the host laboratory (ISO 3166 "
                                               "alpha-2)."})
    q = Text(validate=validate.Length(max=200),
             metadata={"description": "Searches reference, title and applicant name."})

    @validates_schema
    def page_or_cursor(self, data, **kwargs):
        if "page" in data and "cursor" in data:
            raise ValidationError("Give either page or cursor, not both.", "cursor")


class AgreementQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(AGREEMENT_STATUSES), metadata={
        "description": "As read today: `expired` is one in force whose last day is past."})
    kind = fields.String(validate=validate.OneOf(AGREEMENT_KINDS))
    laboratory = fields.Integer(validate=validate.Range(min=1, max=MAX_ID), metadata={
        "description": "Covers this laboratory (either side)."})
    partner = fields.Integer(validate=validate.Range(min=1, max=MAX_ID), metadata={
        "description": "Covers this partner laboratory or joint unit."})
    unit = fields.Integer(validate=validate.Range(min=1, max=MAX_ID), metadata={
        "description": "Covers this unit of the organisation."})
    country = Country(metadata={"description": "Covers a partner in this country (ISO 3166 "
                                               "alpha-2)."})


class StatsQuery(Strict):
    year = fields.Integer(validate=validate.Range(min=1900, max=2200),
                          metadata={"description": "Stays starting in this year."})


# Bodies ----------------------------------------------------------------------------------
class TokenRequest(Strict):
    email = Text(required=True, validate=validate.Length(min=1, max=254))
    password = Plain(required=True, validate=validate.Length(min=1, max=1000))
    name = Text(load_default="", validate=validate.Length(max=100),
                metadata={"description": "A label for your own use."})


class LaboratoryInput(Strict):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    acronym = Text(load_default="", validate=validate.Length(max=30))
    kind = fields.String(
        required=True, validate=validate.OneOf(LAB_KINDS),
        metadata={"description": f"`unit` is in France ({HOME_COUNTRY}); `partner` and "
                                 "`joint_unit` are abroad."},
    )
    institution = Text(load_default="", validate=validate.Length(max=200))
    city = Text(load_default="", validate=validate.Length(max=100))
    country = Country(required=True)
    director_id = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "A person holding the director role; none for a partner."},
    )
    restricted_zone = fields.Boolean(
        load_default=False,
        metadata={"description": "A unit whose access is protected (foreign nationals need a "
                                 "security opinion); units only."},
    )

    # laboratory_problems, as far as the body alone tells (an edit is judged with the
    # laboratory's current values as well).
    cross_field_rules = {"allOf": [
        _when("kind", {"const": "unit"}, {"country": {"const": HOME_COUNTRY}}),
        _when("kind", {"enum": ["partner", "joint_unit"]},
              {"country": {"not": {"const": HOME_COUNTRY}}}),
        _when("kind", {"const": "partner"}, {"director_id": {"type": "null"}}),
        _when("kind", {"enum": ["partner", "joint_unit"]}, {"restricted_zone": {"const": False}}),
    ]}


class ProgrammeInput(Strict):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True, metadata={"description": "On or after opens_on."})
    min_days = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_STAY_DAYS))
    max_days = fields.Integer(
        load_default=MAX_STAY_DAYS, validate=validate.Range(min=1, max=MAX_STAY_DAYS),
        metadata={"description": "At least min_days."},
    )
    budget = Amount(
        digits=12, required=True, places=2,
        validate=validate.Range(min=Decimal("0"), max=Decimal("999999999999.99")),
    )
    eligible_categories = fields.List(
        fields.String(validate=validate.OneOf(CATEGORIES)),
        load_default=lambda: list(CATEGORIES),
        validate=validate.Length(min=1),
    )
    description = Plain(load_default="", validate=validate.Length(max=10000))
    active = fields.Boolean(load_default=True)


class CountryQuery(Strict):
    risk_level = fields.String(validate=validate.OneOf(RISK_LEVELS), metadata={
        "description": "Only the countries at this level (green: those nobody set too)."})


class CountryInput(Strict):
    risk_level = fields.String(required=True, validate=validate.OneOf(RISK_LEVELS))
    note = Plain(validate=validate.Length(max=2000),
                 metadata={"description": "Left as it is when not sent."})


class InvitationInput(Strict):
    email = Text(required=True, validate=validate.Length(min=3, max=254),
                 metadata={"format": "email", "pattern": r"^[^@\s\x00]+@[^@\s\x00]+$"})
    full_name = Text(required=True, validate=validate.Length(min=1, max=200))
    # No example: an example body would need real laboratory ids, which no description has.
    nationality = Country(required=True, example=None)
    home_laboratory_id = Id(required=True, metadata={
        "description": "A partner laboratory or a joint unit abroad."})
    host_laboratory_id = Id(required=True, metadata={
        "description": "One of our units: one the caller directs, or any for an admin."})
    funding = fields.String(required=True, validate=validate.OneOf(FUNDINGS))
    programme_id = Id(allow_none=True, load_default=None, metadata={
        "description": "An incoming programme, for `programme` funding."})
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True, metadata={"description": "On or after start_date."})
    purpose = fields.String(required=True, validate=validate.OneOf(PURPOSES))
    title = Text(required=True, validate=validate.Length(min=1, max=200))

    # A programme call names its programme; a mission on the unit's funds has none.
    cross_field_rules = {"allOf": [
        {"if": {"properties": {"funding": {"const": "programme"}}, "required": ["funding"]},
         "then": {"required": ["programme_id"],
                  "properties": {"programme_id": {"type": "integer"}}}},
        _when("funding", {"const": "unit"}, {"programme_id": {"type": "null"}}),
    ]}


# Application writes -----------------------------------------------------------------------
# The services check the rules between fields and against the database (laboratory kinds,
# dates, programme, budget) and answer 403, 409 or 422 themselves; these schemas fix the
# fields, their types and which ones a draft cannot do without. Whatever is not listed
# (status, applicant_id, awarded_amount outside an approval, reference...) is refused.
class CostItemInput(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(COST_KINDS))
    description = Text(load_default="", validate=validate.Length(max=MAX_COST_DESCRIPTION))
    amount = Amount(required=True, metadata={"description": "EUR."})


# A programme call names its programme; a mission on the unit's funds names none. The
# services say so too (422 ``programme_id``); the description says it to generators.
NO_PROGRAMME_FOR_UNIT = _when("funding", {"const": "unit"}, {"programme_id": {"type": "null"}})


class ApplicationFields(Strict):
    funding = fields.String(validate=validate.OneOf(FUNDINGS), metadata={
        "description": "`programme`: a programme call, decided by the international office. "
                       "`unit`: a mission on the reviewing laboratory's own funds, approved "
                       "by its director. Left out on create: `programme` when a "
                       "`programme_id` is given, `unit` otherwise."})
    programme_id = Id(allow_none=True, metadata={
        "description": "For `programme` funding (required then): an open programme of this "
                       "direction, for which the applicant's category is eligible. Null or "
                       "left out for `unit` funding."})
    budget_line = Text(validate=validate.Length(max=MAX_BUDGET_LINE), metadata={
        "description": "Which account pays (free text, e.g. the unit's accounting "
                       "reference)."})
    home_laboratory_id = Id(required=True, metadata={
        "description": "Outgoing: the applicant's unit. Incoming: a partner or joint unit "
                       "abroad."})
    host_laboratory_id = Id(required=True, metadata={
        "description": "Outgoing: a partner or joint unit abroad. Incoming: a unit."})
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    purpose = fields.String(required=True, validate=validate.OneOf(PURPOSES))
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True, metadata={
        "description": "On or after start_date; at most five years, and within the "
                       "programme's minimum and maximum number of days."})
    cost_items = fields.List(
        fields.Nested(CostItemInput), validate=validate.Length(max=MAX_COST_ITEMS),
        metadata={"description": "What the stay costs, in order; a list sent replaces the "
                                 "whole list. With any item, `requested_amount` is their sum "
                                 "(a value sent is ignored); refusals name the item, as in "
                                 "`cost_items.2.amount`."})
    requested_amount = Amount(metadata={
        "description": "EUR. Required without cost items; their sum with them."})
    justification = Plain(validate=validate.Length(max=10000))


class ApplicationCreate(ApplicationFields):
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))

    # What the services refuse without these (422 ``programme_id``, ``requested_amount``).
    cross_field_rules = {"allOf": [
        {"if": {"properties": {"funding": {"const": "programme"}}, "required": ["funding"]},
         "then": {"required": ["programme_id"],
                  "properties": {"programme_id": {"type": "integer"}}}},
        NO_PROGRAMME_FOR_UNIT,
        {"if": {"properties": {"cost_items": {"minItems": 1}}, "required": ["cost_items"]},
         "else": {"required": ["requested_amount"]}},
    ]}

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def amount_or_cost_items(self, data, original, **kwargs):
        # Named with the other missing fields, not after them: without cost items to add
        # up, the amount is the caller's to give.
        if (isinstance(original, dict) and not original.get("cost_items")
                and "requested_amount" not in original):
            raise ValidationError("Required without cost items.", "requested_amount")


class ApplicationPatch(ApplicationFields):
    """An edit sends only the fields it changes, and the version it last read.

    Switching to ``unit`` funding leaves the programme (unless one is named: 422);
    switching to ``programme`` needs one, sent or already stored.
    """

    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1),
                             metadata={"description": "The version last read: a stale one "
                                                      "answers 409."})

    # An edit is judged with the stored values too, so only what the body alone tells.
    cross_field_rules = {"allOf": [
        NO_PROGRAMME_FOR_UNIT,
        _when("funding", {"const": "programme"}, {"programme_id": {"type": "integer"}}),
    ]}

    def __init__(self, **kwargs):
        kwargs.setdefault("partial", tuple(ApplicationFields._declared_fields))
        super().__init__(**kwargs)


class TransitionRequest(Strict):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    comment = Plain(load_default="", validate=validate.Length(max=5000),
                    metadata={"description": "Required to return, decline, reject and cancel."})
    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1),
                             metadata={"description": "The version last read: a stale one "
                                                      "answers 409."})
    awarded_amount = Amount(allow_none=True, metadata={
        "description": "EUR; only with `approve`, where it is required and must fit in the "
                       "programme's remaining budget."})

    cross_field_rules = _when("action", {"not": {"const": "approve"}},
                              {"awarded_amount": {"type": "null"}})

    @validates_schema
    def amount_only_on_approval(self, data, **kwargs):
        # Refused rather than ignored: an amount sent with another action is a mistake
        # (or an attempt to set it) that the caller should hear about.
        if data.get("awarded_amount") is not None and data.get("action") != "approve":
            raise ValidationError("Only an approval sets the awarded amount.", "awarded_amount")


class AmendmentChanges(Strict):
    """The values an amendment asks: only those that change, of the amendable fields."""

    start_date = fields.Date()
    end_date = fields.Date(metadata={
        "description": "A later one extends the stay; the programme's limits and the "
                       "requirements (a hosting agreement past 90 days...) apply again."})
    host_laboratory_id = Id()
    cost_items = ApplicationFields._declared_fields["cost_items"]
    requested_amount = Amount(metadata={
        "description": "EUR, without cost items (with them, change the cost items). What it "
                       "adds to the amount awarded must fit in the programme's budget."})
    justification = Plain(validate=validate.Length(max=10000))


class AmendmentRequest(Strict):
    changes = fields.Nested(AmendmentChanges, required=True)
    reason = Text(required=True, validate=validate.Length(min=1, max=5000),
                  metadata={"description": "Why the change is needed."})
    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1),
                             metadata={"description": "The application's version last read: "
                                                      "a stale one answers 409."})


class AmendmentTransitionRequest(Strict):
    action = fields.String(required=True, validate=validate.OneOf(AMENDMENT_ACTIONS))
    comment = Plain(load_default="", validate=validate.Length(max=5000),
                    metadata={"description": "Required to return and reject."})
    version = fields.Integer(strict=True, validate=validate.Range(min=1), metadata={
        "description": "The amendment's version last read: a stale one answers 409."})
    awarded_amount = Amount(allow_none=True, metadata={
        "description": "EUR; only with `approve`: the new amount awarded (by default the "
                       "amount asked when the change asks one, else unchanged)."})

    # Return and reject need a comment that is not blank; only an approval sets an amount.
    cross_field_rules = {"allOf": [
        _when("action", {"not": {"const": "approve"}}, {"awarded_amount": {"type": "null"}}),
        {"if": {"properties": {"action": {"enum": ["return", "reject"]}},
                "required": ["action"]},
         "then": {"properties": {"comment": {"pattern": NOT_BLANK}}, "required": ["comment"]}},
    ]}

    @validates_schema
    def amount_only_on_approval(self, data, **kwargs):
        if data.get("awarded_amount") is not None and data.get("action") != "approve":
            raise ValidationError("Only an approval sets the awarded amount.", "awarded_amount")


FILE_METADATA = {"type": "string", "format": "binary",
                 "description": "PDF, PNG, JPEG, DOCX or ODT, judged by its content."}


class DocumentUpload(Strict):
    """The form fields of a document upload, besides its ``file``."""

    kind = fields.String(required=True, validate=validate.OneOf(DOCUMENT_KINDS))


class DocumentUploadForm(DocumentUpload):
    """The whole multipart body, as described. The view reads the file from the request's
    files and loads the other fields with :class:`DocumentUpload`."""

    file = fields.Raw(required=True, metadata=FILE_METADATA)


class AgreementDocumentUploadForm(Strict):
    """The multipart body of an agreement's document: the file alone."""

    file = fields.Raw(required=True, metadata=FILE_METADATA)


class OpinionRequest(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(OPINION_KINDS), metadata={
        "description": "`security` (a security officer) or `host` (the director of the host "
                       "joint unit); only when the application's requirements ask for it."})
    verdict = fields.String(required=True, validate=validate.OneOf(VERDICTS))
    comment = Plain(load_default="", validate=validate.Length(max=5000), metadata={
        "description": "Required unless the verdict is `favourable` (the conditions, or why "
                       "not)."})

    # A verdict other than favourable comes with a comment that is not blank.
    cross_field_rules = {
        "if": {"properties": {"verdict": {"enum": ["favourable_with_conditions",
                                                   "unfavourable"]}},
               "required": ["verdict"]},
        "then": {"properties": {"comment": {"pattern": NOT_BLANK}}, "required": ["comment"]},
    }


class DelegationInput(Strict):
    delegate_id = Id(required=True, metadata={
        "description": "An active person other than the caller."})
    starts_on = fields.Date(required=True, metadata={"description": "Today or later."})
    ends_on = fields.Date(required=True, metadata={
        "description": "On or after starts_on; at most 366 days in all."})


class AgreementInput(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(AGREEMENT_KINDS), metadata={
        "description": "A `joint_unit` agreement names the joint unit among its laboratories."})
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    reference = Text(required=True, validate=validate.Length(min=1, max=60),
                     metadata={"description": "Unique among the agreements."})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True, metadata={"description": "On or after starts_on."})
    status = fields.String(
        load_default="draft", validate=validate.OneOf(AGREEMENT_STORED_STATUSES),
        metadata={"description": "`in_force` once signed; it reads `expired` after ends_on."})
    laboratory_ids = fields.List(Id(), required=True, validate=validate.Length(min=2, max=200),
                                 metadata={"description": "The laboratories covered: at least "
                                                          "one unit and one partner or joint "
                                                          "unit (their kind says the side)."})
    our_contact_name = Text(load_default="", validate=validate.Length(max=200))
    our_contact_email = fields.Email(load_default=None, allow_none=True,
                                     validate=validate.Length(max=254))
    partner_contact_name = Text(load_default="", validate=validate.Length(max=200))
    partner_contact_email = fields.Email(load_default=None, allow_none=True,
                                         validate=validate.Length(max=254))
    quota_stays = fields.Integer(load_default=None, allow_none=True, strict=True,
                                 validate=validate.Range(min=0, max=MAX_QUOTA),
                                 metadata={"description": "Stays a calendar year."})
    quota_days = fields.Integer(load_default=None, allow_none=True, strict=True,
                                validate=validate.Range(min=0, max=MAX_QUOTA),
                                metadata={"description": "Days of stays a calendar year."})
    quota_is_limit = fields.Boolean(load_default=False, metadata={
        "description": "Refuse approvals beyond the quota (needs a quota); else a guide."})
    notes = Text(load_default="", validate=validate.Length(max=5000))

    cross_field_rules = {"allOf": [
        _when("quota_is_limit", {"const": True},
              {"quota_stays": {"type": "integer"}}),
    ]}


# Output ----------------------------------------------------------------------------------
class Output(Schema):
    """What the API writes. Every field is always there (``null`` where ``allow_none``)
    unless it is named in ``sometimes``.

    ``required`` is set for the description, where it promises each field to clients and to
    the response checks of a fuzzer; marshmallow never loads these schemas.
    """

    sometimes = ()

    def on_bind_field(self, field_name, field_obj):
        field_obj.required = field_name not in self.sometimes


def one_of(values, allow_none=False, **kwargs):
    """A string field whose value is one of ``values`` (or ``null``), described as an enum."""
    enum = [*values, None] if allow_none else list(values)
    return fields.String(allow_none=allow_none, metadata={"enum": enum}, **kwargs)


def _written_amount(**kwargs):
    metadata = {"pattern": r"^[0-9]+\.[0-9]{2}$", **kwargs.pop("metadata", {})}
    return Amount(metadata=metadata, **kwargs)


def _count():
    return fields.Integer(metadata={"minimum": 0})


class LaboratorySchema(Output):
    id = fields.Integer()
    name = fields.String()
    acronym = fields.String()
    kind = one_of(LAB_KINDS)
    institution = fields.String()
    city = fields.String()
    country = fields.String(metadata={"pattern": "^[A-Z]{2}$"})
    director_id = fields.Integer(allow_none=True)
    restricted_zone = fields.Boolean()


class ProgrammeSchema(Output):
    id = fields.Integer()
    name = fields.String()
    direction = one_of(DIRECTIONS)
    opens_on = fields.Date()
    closes_on = fields.Date()
    min_days = fields.Integer()
    max_days = fields.Integer()
    budget = _written_amount()
    eligible_categories = fields.List(one_of(CATEGORIES))
    description = fields.String()
    active = fields.Boolean()


class UserSchema(Output):
    """The caller, as ``GET /me`` shows them."""

    id = fields.Integer()
    email = fields.String()
    full_name = fields.String()
    category = one_of(CATEGORIES)
    nationality = fields.String()
    home_laboratory_id = fields.Integer(allow_none=True)
    roles = fields.List(one_of(ROLES))
    directed_laboratories = fields.List(fields.Nested(LaboratorySchema))
    # The language the tracker speaks to them: the one they chose, else the default (the
    # language of their messages). Never null, so a client can always follow it.
    locale = fields.Function(
        recipient_locale,
        metadata={"type": "string", "enum": list(LOCALES),
                  "description": "The caller's language: their choice, else the default."},
    )


class CostItemSchema(Output):
    kind = one_of(COST_KINDS)
    description = fields.String()
    amount = _written_amount()


class PersonSchema(Output):
    """A person named in another resource: who an application waits on."""

    id = fields.Integer()
    full_name = fields.String()


class ApplicationSchema(Output):
    id = fields.Integer()
    reference = fields.String(metadata={"pattern": r"^MOB-[0-9]{4}-[0-9]{6}$"})
    direction = one_of(DIRECTIONS)
    funding = one_of(FUNDINGS)
    status = one_of(STATUSES)
    version = fields.Integer(metadata={"minimum": 1})
    programme_id = fields.Integer(allow_none=True, metadata={
        "description": "null for a mission on the unit's funds."})
    budget_line = fields.String()
    applicant_id = fields.Integer()
    home_laboratory_id = fields.Integer()
    host_laboratory_id = fields.Integer()
    agreement_id = fields.Integer(allow_none=True, metadata={
        "description": "The agreement the stay falls under: the one in force on its first "
                       "day covering both laboratories, suggested at each write; null for "
                       "none."})
    title = fields.String()
    purpose = one_of(PURPOSES)
    start_date = fields.Date()
    end_date = fields.Date()
    duration_days = fields.Integer(metadata={"minimum": 1})
    duration_category = one_of(category for category, _ in DURATION_CATEGORIES)
    cost_items = fields.List(fields.Nested(CostItemSchema))
    requested_amount = _written_amount(metadata={
        "description": "The sum of the cost items when there are any."})
    awarded_amount = _written_amount(allow_none=True)
    justification = fields.String()
    waiting_on = fields.List(fields.Nested(PersonSchema), metadata={
        "description": "Who must act next (empty once nobody has to), by name."})
    waiting_since = fields.DateTime(allow_none=True, metadata={
        "description": "Since when they have had to: the time the application entered its "
                       "status or an opinion was given; null when nobody has to act."})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class _StoredFile(Output):
    """What an application's and an agreement's documents both say of their file."""

    original_name = fields.String()
    content_type = one_of(ACCEPTED_TYPES)
    size = fields.Integer(metadata={"minimum": 1})
    sha256 = fields.String(metadata={"pattern": "^[0-9a-f]{64}$"})


class DocumentSchema(_StoredFile):
    id = fields.Integer()
    kind = one_of(DOCUMENT_KINDS)
    uploaded_by = fields.Integer(attribute="uploader_id")
    created_at = fields.DateTime()


class EventSchema(Output):
    id = fields.Integer()
    # The workflow's actions, and "create", "edit" and "upload".
    action = fields.String()
    from_status = one_of(STATUSES, allow_none=True)
    to_status = one_of(STATUSES, allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    on_behalf_of_id = fields.Integer(
        allow_none=True, metadata={"description": "The delegator, when a stand-in acted."})
    comment = fields.String()
    changes = fields.Dict(
        keys=fields.String(), values=fields.Dict(), allow_none=True,
        metadata={"description": "For an edit or an amendment: each changed field's "
                                 '{"old", "new"} value, in the JSON of the application.'})
    created_at = fields.DateTime()


class AmendmentSchema(Output):
    id = fields.Integer()
    application_id = fields.Integer()
    status = one_of(AMENDMENT_STATUSES)
    version = fields.Integer(metadata={"minimum": 1})
    requested_by_id = fields.Integer(allow_none=True)
    changes = fields.Dict(keys=fields.String(), metadata={
        "description": "The asked new value of each changed field, in the JSON of an "
                       "application."})
    previous = fields.Dict(keys=fields.String(), metadata={
        "description": "The values of those fields when the change was asked."})
    reason = fields.String()
    awarded_amount = _written_amount(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class AmendmentListSchema(Output):
    items = fields.List(fields.Nested(AmendmentSchema), metadata={"description": "Oldest "
                                                                  "first."})


class RequirementSchema(Output):
    sometimes = ("document_kind", "opinion_kind")

    code = fields.String(metadata={"description": "security_opinion, host_opinion, "
                                                  "host_agreement, invitation_letter, ..."})
    requires = one_of(("document", "opinion"))
    document_kind = one_of(DOCUMENT_KINDS)  # when it requires a document
    opinion_kind = one_of(OPINION_KINDS)  # when it requires an opinion
    blocks = one_of(BLOCKED_STEPS)
    met = fields.Boolean()
    reason = fields.String(metadata={"description": "Why it applies to this application."})


class OpinionSchema(Output):
    id = fields.Integer()
    kind = one_of(OPINION_KINDS)
    verdict = one_of(VERDICTS)
    comment = fields.String()
    author_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class OpinionListSchema(Output):
    items = fields.List(fields.Nested(OpinionSchema), metadata={"description": "Oldest first; "
                                                                "the latest of a kind counts."})


class _Page(Output):
    page = fields.Integer(metadata={"minimum": 1})
    per_page = fields.Integer(metadata={"minimum": 1, "maximum": MAX_PER_PAGE})
    total = _count()


class LaboratoryPageSchema(_Page):
    items = fields.List(fields.Nested(LaboratorySchema))


class CountrySchema(Output):
    code = fields.String(metadata={"pattern": "^[A-Z]{2}$"})
    name = fields.String()
    risk_level = one_of(RISK_LEVELS)
    note = fields.String()
    updated_by_id = fields.Integer(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)


class CountryListSchema(Output):
    items = fields.List(fields.Nested(CountrySchema), metadata={
        "description": "Every ISO country (one not set is green), by name."})


class ProgrammePageSchema(_Page):
    items = fields.List(fields.Nested(ProgrammeSchema))


class ApplicationPageSchema(_Page):
    items = fields.List(fields.Nested(ApplicationSchema))
    page = fields.Integer(allow_none=True, metadata={
        "minimum": 1, "description": "null when the page was asked by cursor."})
    total = fields.Integer(metadata={
        "minimum": 0, "description": "Rows matching the filters. Below 20,000 it is counted "
                                     "for each request; larger figures may be up to two "
                                     "minutes old."})
    next_cursor = fields.String(allow_none=True, metadata={
        "description": "Give it as `cursor` for the next page; null on the last one."})


class EventListSchema(Output):
    items = fields.List(fields.Nested(EventSchema), metadata={"description": "Oldest first."})


class LaboratoryCountSchema(Output):
    laboratory_id = fields.Integer()
    name = fields.String()
    acronym = fields.String()
    count = _count()


class BudgetCommittedSchema(Output):
    programme_id = fields.Integer()
    name = fields.String()
    budget = _written_amount()
    committed = _written_amount()


class FundingFiguresSchema(Output):
    """How many applications of a funding, the sum of their requested amounts, and the sum
    of the amounts awarded to the approved and completed ones."""

    count = _count()
    requested = _written_amount()
    awarded = _written_amount()


class StatsSchema(Output):
    year = fields.Integer(allow_none=True)
    total = _count()
    by_status = fields.Dict(keys=fields.String(), values=_count())
    by_direction = fields.Dict(keys=fields.String(), values=_count())
    by_host_country = fields.Dict(keys=fields.String(), values=_count())
    by_laboratory = fields.List(fields.Nested(LaboratoryCountSchema))
    budget_committed = fields.List(fields.Nested(BudgetCommittedSchema), metadata={
        "description": "Awarded amounts of approved and completed applications, per "
                       "programme."})
    by_funding = fields.Dict(
        keys=fields.String(), values=fields.Nested(FundingFiguresSchema),
        metadata={"description": "Per funding that occurs (`programme`: a programme call; "
                                 "`unit`: a mission on the unit's funds): how many, the "
                                 "amounts requested and awarded."})
    cost_by_kind = fields.Dict(
        keys=fields.String(), values=_written_amount(),
        metadata={"description": "The cost items of the applications summed per kind "
                                 "(`travel`, `accommodation`, `subsistence`, `registration`, "
                                 "`visa`, `insurance`, `other`), the kinds that occur."})


class DelegationSchema(Output):
    id = fields.Integer()
    delegator_id = fields.Integer()
    delegator_name = fields.String()
    delegate_id = fields.Integer()
    delegate_name = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date(metadata={"description": "Today, for one cancelled in progress."})
    status = fields.String(metadata={
        "enum": ["upcoming", "running", "ended", "cancelled"],
        "description": "Today: `running` gives the stand-in the delegator's review actions."})
    created_at = fields.DateTime()
    cancelled_at = fields.DateTime(allow_none=True)


class DelegationListSchema(Output):
    given = fields.List(fields.Nested(DelegationSchema), metadata={
        "description": "The caller's stand-ins: those not ended, soonest first, then those "
                       "ended in the last 90 days."})
    received = fields.List(fields.Nested(DelegationSchema), metadata={
        "description": "Those naming the caller as stand-in, in the same order."})


def _records(description):
    return fields.List(fields.Dict(), metadata={"description": description})


class PersonalDataSchema(Output):
    """Everything the tracker holds about the caller (``GET /me/export``); each record
    holds its row's values, days and times in ISO 8601 and amounts as decimal strings."""

    profile = fields.Dict(metadata={"description": "The account, with roles and home "
                                                   "laboratory."})
    applications = _records("Their applications, with laboratories and cost items.")
    events = _records("The history of their applications, and what they did on others'.")
    opinions = _records("Opinions on their applications, and those they gave.")
    amendments = _records("Changes asked to their approved applications, or by them.")
    documents = _records("Documents' metadata; `file` names the file in the ZIP of the "
                         "web page \"My data\".")
    notifications = _records("The messages sent to them.")
    delegations = _records("Their stand-ins, given and received.")
    audit = _records("The changes recorded on their account, exports and erasures included.")
    api_tokens = _records("Their tokens, by name only (never the secret nor its digest).")


class QuotaUseSchema(Output):
    year = fields.Integer()
    stays = _count()
    days = _count()


class AgreementSchema(Output):
    sometimes = ("quota_used",)

    id = fields.Integer()
    kind = one_of(AGREEMENT_KINDS)
    title = fields.String()
    reference = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    status = one_of(AGREEMENT_STATUSES)  # as read today
    laboratories = fields.List(fields.Nested(LaboratorySchema), metadata={
        "description": "Units are the organisation's side, the others the partners'."})
    our_contact_name = fields.String()
    our_contact_email = fields.String()
    partner_contact_name = fields.String()
    partner_contact_email = fields.String()
    quota_stays = fields.Integer(allow_none=True)
    quota_days = fields.Integer(allow_none=True)
    quota_is_limit = fields.Boolean()
    notes = fields.String()
    quota_used = fields.Nested(QuotaUseSchema, metadata={
        "description": "With one agreement: the stays approved under it this year."})


class AgreementPageSchema(_Page):
    items = fields.List(fields.Nested(AgreementSchema))


class AgreementDocumentSchema(_StoredFile):
    id = fields.Integer()
    agreement_id = fields.Integer()
    uploaded_by = fields.Integer(attribute="uploaded_by_id")
    uploaded_at = fields.DateTime()


class AgreementDocumentListSchema(Output):
    items = fields.List(fields.Nested(AgreementDocumentSchema),
                        metadata={"description": "Oldest first."})


class TokenSchema(Output):
    token = fields.String(metadata={"description": "Shown once: only its digest is stored."})
    expires_at = fields.DateTime()


class ErrorBodySchema(Output):
    sometimes = ("problems", "requirements")

    status = fields.Integer()
    code = fields.String()
    message = fields.String()
    # Not declared as ``fields``: a marshmallow schema keeps its own fields under that name.
    problems = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), data_key="fields",
        metadata={"description": "Each offending field, with its problems (422)."},
    )
    requirements = fields.List(fields.Nested(RequirementSchema), metadata={
        "description": "With `requirements_unmet` (409): the requirements that bar the step."})


class ErrorSchema(Output):
    error = fields.Nested(ErrorBodySchema)


# What the views call to write a row as JSON: one instance of each schema, reused (a schema
# keeps no state between dumps).
laboratory_json = LaboratorySchema().dump
programme_json = ProgrammeSchema().dump
user_json = UserSchema().dump
_application_schema = ApplicationSchema()
_person_json = PersonSchema().dump
document_json = DocumentSchema().dump
agreement_document_json = AgreementDocumentSchema().dump
event_json = EventSchema().dump
opinion_json = OpinionSchema().dump
amendment_json = AmendmentSchema().dump
country_json = CountrySchema().dump


def application_json(application, waiting_on=None):
    """``application`` as JSON, with who it waits on: ``waiting_on`` (a list of users) when
    the caller computed it for a whole page (:func:`access.waiting_on_many`), else asked
    here for this one."""
    data = _application_schema.dump(application)
    if waiting_on is None:
        waiting_on = access.waiting_on(application)
    data["waiting_on"] = [_person_json(user) for user in waiting_on]
    return data
_delegation_dump = DelegationSchema().dump


def delegation_json(delegation, today):
    """A delegation as the API writes it, with its status on ``today``."""
    return _delegation_dump({
        "id": delegation.id,
        "delegator_id": delegation.delegator_id,
        "delegator_name": delegation.delegator.full_name,
        "delegate_id": delegation.delegate_id,
        "delegate_name": delegation.delegate.full_name,
        "starts_on": delegation.starts_on,
        "ends_on": delegation.ends_on,
        "status": delegation.status(today),
        "created_at": delegation.created_at,
        "cancelled_at": delegation.cancelled_at,
    })
_agreement_dump = AgreementSchema().dump


def agreement_json(agreement, today, quota_used=None):
    """An agreement as the API writes it, with its status as read on ``today`` and, when
    given, the use of its quota (a :class:`~tracker.agreements.services.QuotaUse`)."""
    data = {name: getattr(agreement, name) for name in ("id", *AGREEMENT_FIELDS, "laboratories")}
    data["status"] = agreement.status_on(today)
    if quota_used is not None:
        data["quota_used"] = {"year": quota_used.year, "stays": quota_used.stays,
                              "days": quota_used.days}
    return _agreement_dump(data)
