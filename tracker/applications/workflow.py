"""The life of an application, as data.

Each row of ``TRANSITIONS`` says which action moves an application from which states to
which state, who may take it, and whether a comment is required. ``who`` names one of the
actor rules of :mod:`tracker.access`. The sets of statuses that other rules speak of, and
the words people read for statuses and actions, are here too: one place for each.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from tracker.core.errors import Conflict

STATUSES = (
    "draft",
    "submitted",
    "endorsed",
    "returned",
    "declined",
    "approved",
    "rejected",
    "withdrawn",
    "cancelled",
    "completed",
)
TERMINAL = frozenset({"declined", "rejected", "withdrawn", "cancelled", "completed"})
# The applicant edits (and attaches documents) only in these.
EDITABLE = frozenset({"draft", "returned"})
# Waiting for a reviewer's decision.
PENDING = frozenset({"submitted", "endorsed"})
# Nobody has to act on these any more: approved (an amendment aside) or ended.
SETTLED = TERMINAL | {"approved"}
# Statuses in which another application of the same person is a possible overlap.
ACTIVE_FOR_OVERLAP = frozenset({"submitted", "endorsed", "approved"})
# Granted stays: their awarded amounts count against the programme's budget, they appear in
# the registers and calendars, and their applicant may attach a report.
GRANTED = frozenset({"approved", "completed"})

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "endorsed": _l("Endorsed"),
    "returned": _l("Returned for changes"),
    "declined": _l("Declined"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "cancelled": _l("Cancelled"),
    "completed": _l("Completed"),
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: str
    who: tuple
    needs_comment: bool = False


TRANSITIONS = {
    t.action: t
    for t in (
        Transition("submit", frozenset({"draft", "returned"}), "submitted", ("applicant",)),
        # A programme call is endorsed by the director, then decided by the office; a mission
        # on the unit's funds is approved by the director directly (docs/rules.md, Workflow).
        Transition("endorse", frozenset({"submitted"}), "endorsed", ("reviewer_of_programme",)),
        Transition(
            "return",
            frozenset({"submitted", "endorsed"}),
            "returned",
            ("reviewer_if_submitted", "admin_if_endorsed"),
            needs_comment=True,
        ),
        Transition("decline", frozenset({"submitted"}), "declined", ("reviewer",), True),
        Transition(
            "approve",
            frozenset({"submitted", "endorsed"}),
            "approved",
            ("admin_if_endorsed", "reviewer_of_unit_mission_if_submitted"),
        ),
        Transition("reject", frozenset({"endorsed"}), "rejected", ("admin_not_applicant",), True),
        Transition(
            "withdraw",
            frozenset({"draft", "submitted", "returned", "endorsed"}),
            "withdrawn",
            ("applicant",),
        ),
        Transition("cancel", frozenset({"approved"}), "cancelled", ("applicant", "admin"), True),
        Transition("complete", frozenset({"approved"}), "completed", ("admin_after_end",)),
    )
}
ACTIONS = tuple(TRANSITIONS)

# Amendments of an approved application (docs/rules.md, Amendments): asked by the applicant
# (or an admin), reviewed like the application itself, one open at a time. ``who`` names the
# same actor rules, judged on the application as if it were in the amendment's status (and
# ``requester``: who asked it); the access module adds that nobody reviews a change they
# asked. The application stays approved meanwhile.
AMENDMENT_STATUSES = ("submitted", "endorsed", "returned", "approved", "rejected", "withdrawn")
# At most one of these per application (a partial unique index holds it).
OPEN_AMENDMENT = frozenset({"submitted", "endorsed", "returned"})
AMENDMENT_STATUS_LABELS = {
    "submitted": _l("Awaiting review"),
    "endorsed": _l("Endorsed"),
    "returned": _l("Returned for changes"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
AMENDMENT_TRANSITIONS = {
    t.action: t
    for t in (
        Transition("endorse", frozenset({"submitted"}), "endorsed", ("reviewer_of_programme",)),
        Transition(
            "approve",
            frozenset({"submitted", "endorsed"}),
            "approved",
            ("admin_if_endorsed", "reviewer_of_unit_mission_if_submitted"),
        ),
        Transition(
            "return",
            frozenset({"submitted", "endorsed"}),
            "returned",
            ("reviewer_if_submitted", "admin_if_endorsed"),
            needs_comment=True,
        ),
        Transition(
            "reject",
            frozenset({"submitted", "endorsed"}),
            "rejected",
            ("reviewer_if_submitted", "admin_if_endorsed"),
            needs_comment=True,
        ),
        Transition(
            "withdraw",
            frozenset({"submitted", "endorsed", "returned"}),
            "withdrawn",
            ("applicant", "requester"),
        ),
    )
}
AMENDMENT_ACTIONS = tuple(AMENDMENT_TRANSITIONS)
# What an amendment may change: the stay's dates, its host, its costs and why.
AMENDABLE_FIELDS = (
    "start_date", "end_date", "host_laboratory_id", "cost_items", "requested_amount",
    "justification",
)
# The events of an amendment's life; "amend" is its approval, which changes the application.
AMENDMENT_EVENTS = {
    "ask": "amendment_ask",
    "endorse": "amendment_endorse",
    "return": "amendment_return",
    "reject": "amendment_reject",
    "withdraw": "amendment_withdraw",
    "approve": "amend",
}

# Events that record something other than a transition ("import": a past application
# brought in from a file, tracker/imports/).
RECORDS = ("create", "edit", "upload", "opinion", *AMENDMENT_EVENTS.values(), "import")

ACTION_LABELS = {
    "create": _l("Created"),
    "edit": _l("Edited"),
    "upload": _l("Document added"),
    "opinion": _l("Opinion given"),
    "submit": _l("Submit"),
    "endorse": _l("Endorse"),
    "return": _l("Return for changes"),
    "decline": _l("Decline"),
    "approve": _l("Approve"),
    "reject": _l("Reject"),
    "withdraw": _l("Withdraw"),
    "cancel": _l("Cancel the stay"),
    "complete": _l("Mark as completed"),
    "amendment_ask": _l("Change asked"),
    "amendment_endorse": _l("Change endorsed"),
    "amendment_return": _l("Change returned for changes"),
    "amendment_reject": _l("Change rejected"),
    "amendment_withdraw": _l("Change withdrawn"),
    "amend": _l("Change approved"),
    "import": _l("Imported"),
}
# The buttons of an amendment's actions.
AMENDMENT_ACTION_LABELS = {
    "endorse": _l("Endorse the change"),
    "approve": _l("Approve the change"),
    "return": _l("Return for changes"),
    "reject": _l("Reject the change"),
    "withdraw": _l("Withdraw the change"),
}
assert set(AMENDMENT_STATUS_LABELS) == set(AMENDMENT_STATUSES)
assert set(AMENDMENT_ACTION_LABELS) == set(AMENDMENT_ACTIONS)
assert set(STATUS_LABELS) == set(STATUSES) and set(ACTION_LABELS) == set(ACTIONS + RECORDS)


# Refusals of the workflow, in the family of :mod:`tracker.core.errors` (which also has
# NotAllowed, 403, and InvalidValues, 422).
class InvalidTransition(Conflict):
    """The action does not apply to the application's current state (409)."""

    code = "invalid_transition"


class RequirementsUnmet(InvalidTransition):
    """A requirement that blocks this step is not met yet, or an opinion is unfavourable
    (409). ``requirements`` lists them as the API describes them."""

    code = "requirements_unmet"

    def __init__(self, message, requirements=()):
        self.requirements = list(requirements)
        super().__init__(message, details={"requirements": self.requirements})


class StaleVersion(InvalidTransition):
    """The application changed since the actor saw it: someone else acted first (409)."""

    code = "stale_version"


class AmendmentOpen(InvalidTransition):
    """The application already has an open amendment: one at a time (409)."""

    code = "amendment_open"
