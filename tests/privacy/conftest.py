"""A person with distinctive values everywhere the tracker may keep them."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from tracker.applications.services import transition
from tracker.audit import services as audit
from tracker.auth.models import CalendarFeed
from tracker.auth.tokens import issue_token
from tracker.directory.services import update_user
from tracker.extensions import db

# Values no other row holds, to search the whole database and the upload folder for.
NAME = "Zyxwvut Qorpelmann"
EMAIL = "zyxwvut.qorpelmann@example.org"
TITLE = "Vexqulith expedition"
JUSTIFICATION = "Plimbrastor justification"
COMMENT = "Grumblewick comment"
OPINION = "Snorfeldine opinion"
BUDGET_LINE = "Quaddlebrix line"
COST = "Trevellion taxi"
DOCUMENT = b"%PDF-1.7\n% Wobblethorpe curriculum\n%%EOF\n"
DOCUMENT_NAME = "frobnicast-cv.pdf"
TOKEN_NAME = "Kazzlewit laptop"
REASON = "Zorblatt reason"
NEW_JUSTIFICATION = "Mirkwonder justification"
SUBJECT = "Flimzorp-subject-at-the-provider"
SECRETS = (NAME, EMAIL, TITLE, JUSTIFICATION, COMMENT, OPINION, BUDGET_LINE, COST,
           "frobnicast", TOKEN_NAME, REASON, NEW_JUSTIFICATION, SUBJECT)


@pytest.fixture
def traveller(make):
    """The person, their director and an admin; an application submitted with a comment,
    a document, an opinion, a cost item, messages, an API token, a calendar feed, a stand-in
    and audit entries that name them; and another person's application, as a control."""
    from tracker.applications.models import Amendment, CostItem, Opinion

    unit = make.lab("unit", acronym="UNIT")
    partner = make.lab("partner", acronym="PART")
    director = make.director_of(unit, full_name="Dana Director")
    admin = make.user(roles=("admin",), lab=unit, full_name="Ada Admin")
    person = make.user(email=EMAIL, full_name="Someone Else", lab=unit, nationality="BR",
                       roles=("researcher", "director"))
    update_user(person, admin, email=EMAIL, full_name=NAME, category="researcher",
                nationality="BR", home_laboratory_id=unit.id,
                roles=["researcher", "director"], active=True)
    # Linked to the single sign-on provider: the subject there identifies them too.
    person.oidc_issuer, person.oidc_subject = "https://sso.example.org", SUBJECT
    db.session.commit()
    application = make.application(applicant=person, host=partner, title=TITLE,
                                   justification=JUSTIFICATION, budget_line=BUDGET_LINE,
                                   start_date=date.today() + timedelta(days=40))
    db.session.add(CostItem(application_id=application.id, kind="travel", description=COST,
                            amount=application.requested_amount))
    make.document(application, content=DOCUMENT, name=DOCUMENT_NAME)
    transition(application, "submit", person, comment=COMMENT, version=application.version)
    db.session.add(Opinion(application_id=application.id, kind="security",
                           verdict="favourable", comment=OPINION, author_id=director.id))
    # A change asked with a reason, whose values hold free text (as an approved stay's would).
    db.session.add(Amendment(application_id=application.id, requested_by_id=person.id,
                             status="withdrawn", reason=REASON,
                             changes={"justification": NEW_JUSTIFICATION},
                             previous={"justification": JUSTIFICATION}))
    issue_token(person, TOKEN_NAME)
    db.session.add(CalendarFeed(user_id=person.id))
    db.session.commit()
    # The person stands in for the director: the audit names them in a delegation.
    delegation = make.delegation(director, person)
    audit.record(admin, "create", "delegation", delegation, None,
                 audit.snapshot("delegation", delegation))
    make.notification(director, subject=f"{NAME} stands in for you", body=f"Ask {NAME}.")
    other = make.application(applicant=director, host=partner, status="submitted",
                             title="Director's own stay")
    transition(other, "withdraw", director, comment="Not this year",
               version=other.version)
    db.session.commit()
    return SimpleNamespace(person=person, director=director, admin=admin,
                           application=application, other=other, unit=unit, partner=partner)
