"""What an application needs before its next steps: its requirements (docs/rules.md).

The active :class:`~tracker.applications.models.RequirementRule` rows that apply to an
application (:func:`~tracker.applications.models.applicable_rules`, whose SQL twin the
queues and the access module use) become its requirements: what each needs (a document of a
kind, or an opinion of a kind that is not unfavourable), why it applies here, which step it
blocks and whether it is met. :func:`check_step` refuses a step while one is unmet; it is
called by :func:`tracker.applications.services.transition`, so every way in obeys it.
"""

from dataclasses import dataclass
from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.applications.models import (
    PURPOSE_LABELS,
    Opinion,
    applicable_rules,
    destination_risk_level,
)
from tracker.applications.workflow import RequirementsUnmet
from tracker.core.countries import country_name, is_eu_eea_ch

# Short names of the risk levels, for the sentences saying why a requirement applies.
RISK_LEVEL_NAMES = {
    "green": _l("green"),
    "yellow": _l("yellow"),
    "orange": _l("orange"),
    "red": _l("red"),
}
# The steps a requirement blocks, as people read them.
BLOCKS_LABELS = {"submit": _l("Before submission"), "approve": _l("Before approval")}
# An unfavourable opinion leaves only return, decline or reject: these two are refused.
BARRED_BY_UNFAVOURABLE = ("endorse", "approve")


@dataclass
class Requirement:
    """One requirement of one application. ``opinion`` is the latest of its kind, if any."""

    code: str
    name: str
    blocks: str
    met: bool
    reason: str
    document_kind: Optional[str] = None
    opinion_kind: Optional[str] = None
    opinion: Optional[Opinion] = None

    @property
    def requires(self):
        return "document" if self.document_kind else "opinion"

    @property
    def unfavourable(self):
        return self.opinion is not None and self.opinion.verdict == "unfavourable"

    def as_json(self):
        """The requirement as the API gives it."""
        described = {"code": self.code, "requires": self.requires}
        if self.document_kind:
            described["document_kind"] = self.document_kind
        else:
            described["opinion_kind"] = self.opinion_kind
        described.update(blocks=self.blocks, met=self.met, reason=self.reason)
        return described


def latest_opinions(application):
    """``{kind: the latest Opinion of that kind}`` of ``application``: the latest counts."""
    latest = {}
    for opinion in sorted(application.opinions, key=lambda opinion: opinion.id):
        latest[opinion.kind] = opinion
    return latest


def reason_of(rule, application, risk_level):
    """Why ``rule`` applies to ``application``: one sentence per condition it sets."""
    host = application.host_laboratory
    nationality = application.applicant.nationality
    parts = []
    if rule.direction:
        parts.append(_("Outgoing stay") if rule.direction == "outgoing" else _("Incoming stay"))
    if rule.min_risk_level:
        parts.append(_("Destination %(country)s is at %(level)s",
                       country=country_name(host.country),
                       level=RISK_LEVEL_NAMES.get(risk_level, risk_level)))
    if rule.non_eu_national:
        parts.append(nationality_text(nationality))
    if rule.host_restricted:
        parts.append(_("Host unit %(lab)s is a restricted zone", lab=host.label))
    if rule.host_joint_unit_director:
        director = host.director.full_name if host.director is not None else ""
        parts.append(_("Host %(lab)s is an international joint unit directed by %(director)s",
                       lab=host.label, director=director))
    if rule.min_days:
        parts.append(_("Stay of %(days)s days", days=application.duration_days))
    if rule.purpose_list:
        parts.append(_("Purpose: %(purpose)s",
                       purpose=PURPOSE_LABELS.get(application.purpose, application.purpose)))
    # One sentence per condition, in any language (a semicolon takes a space before it in
    # French, and the next condition starts with a capital).
    return ". ".join(parts) or _("Applies to every application")


def nationality_label(code):
    """"Brazil (outside the EU, the EEA and Switzerland)", or the name alone for a national
    of the EU, the EEA or Switzerland."""
    name = country_name(code) if code else _("unknown")
    if is_eu_eea_ch(code):
        return name
    return _("%(country)s (outside the EU, the EEA and Switzerland)", country=name)


def nationality_text(code):
    """"Nationality: Brazil (outside the EU, the EEA and Switzerland)"."""
    return _("Nationality: %(nationality)s", nationality=nationality_label(code))


def requirements_of(application):
    """The requirements of ``application``, one per applicable rule (rules asking the same
    thing before the same step are merged, their reasons joined)."""
    risk_level = destination_risk_level(application)
    latest = latest_opinions(application)
    attached = {document.kind for document in application.documents}
    found = {}
    for rule in applicable_rules(application):
        reason = reason_of(rule, application, risk_level)
        key = (rule.code, rule.document_kind, rule.opinion_kind, rule.blocks)
        if key in found:
            found[key].reason += " / " + reason
            continue
        if rule.document_kind:
            requirement = Requirement(rule.code, rule.name, rule.blocks,
                                      rule.document_kind in attached, reason,
                                      document_kind=rule.document_kind)
        else:
            opinion = latest.get(rule.opinion_kind)
            requirement = Requirement(
                rule.code, rule.name, rule.blocks,
                opinion is not None and opinion.verdict != "unfavourable", reason,
                opinion_kind=rule.opinion_kind, opinion=opinion)
        found[key] = requirement
    return list(found.values())


def required_opinion_kinds(application):
    """The opinion kinds ``application``'s requirements ask for."""
    return {requirement.opinion_kind for requirement in requirements_of(application)
            if requirement.opinion_kind}


def check_step(application, action):
    """Raise :class:`RequirementsUnmet` (409) when a requirement bars ``action`` now.

    ``submit`` and ``approve`` wait for the requirements that block them; an unfavourable
    opinion (the latest of a kind a requirement asks for) bars endorsing and approving.
    """
    if action not in ("submit", *BARRED_BY_UNFAVOURABLE):
        return
    requirements = requirements_of(application)
    if action in BARRED_BY_UNFAVOURABLE:
        unfavourable = [requirement for requirement in requirements
                        if requirement.unfavourable]
        if unfavourable:
            raise RequirementsUnmet(
                _l("An unfavourable opinion was given: the application can only be returned, "
                   "declined or rejected."),
                [requirement.as_json() for requirement in unfavourable])
    blocking = [requirement for requirement in requirements
                if requirement.blocks == action and not requirement.met]
    if blocking:
        raise RequirementsUnmet(
            _l("Some requirements are not met yet: see the application's requirements."),
            [requirement.as_json() for requirement in blocking])
