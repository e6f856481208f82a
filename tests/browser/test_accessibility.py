"""axe-core on the main pages of every role, in English and in French: no serious or critical
violation. One test per role and language, one signed-in page per test, to keep CI short."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import sign_in_by_field_names
from tests.requirement_world import seed_default_rules, set_risk
from tracker.applications.models import Event
from tracker.extensions import db as _db

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-GB", "fr": "fr-FR"}
# The sign-in page's heading in each language: French pages really in French (an uncompiled
# catalogue would give English pages under lang="fr", and a hollow pass).
SIGN_IN = {"en": "Sign in", "fr": "Se connecter"}
BLOCKING = {"serious", "critical"}


@pytest.fixture(params=sorted(LOCALES))
def page(request, new_page):
    """A fresh page whose browser asks for the parametrised language."""
    return new_page(LOCALES[request.param])


@pytest.fixture(scope="module")
def axe():
    return Axe()


def blocking_violations(axe, page, path):
    response = page.goto(path)
    # The page itself, not an error page or a redirect to another one.
    assert response.ok and page.url.endswith(path), f"{path}: {response.status} at {page.url}"
    found = []
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [node["target"] for node in violation["nodes"][:3]]
            found.append(
                f"{path}: {violation['id']} ({violation['impact']}): {violation['help']} {targets}"
            )
    return found


def check(axe, page, paths):
    found = [line for path in paths for line in blocking_violations(axe, page, path)]
    assert not found, "\n".join(found)


@pytest.fixture
def world(make):
    """One unit with its director, a researcher, an admin, a security officer, a partner in a
    red country and one submitted application awaiting the director."""
    seed_default_rules()
    set_risk("ML", "red")
    unit = make.lab("unit", acronym="LPMC", name="Condensed Matter Physics")
    partner = make.lab("partner", acronym="USTTB", name="Bamako Sciences", country="ML",
                       city="Bamako")
    director = make.director_of(unit, full_name="Dominique Director")
    researcher = make.user(lab=unit, full_name="Romain Researcher")
    programme = make.programme("outgoing", name="Short research stays")
    application = make.application(researcher, status="submitted", host=partner,
                                   programme=programme, title="Field measurements")
    make.notification(researcher, subject="Your application was submitted")
    # A returned request: the reviewer's return at the top of its page and form.
    returned = make.application(researcher, status="returned", host=partner,
                                programme=programme, title="Archive visit")
    _db.session.add(Event(application_id=returned.id, actor_id=director.id, action="return",
                          from_status="submitted", to_status="returned",
                          comment="Please give the dates of the archive's opening."))
    _db.session.commit()
    return {
        "unit": unit,
        "director": director,
        "researcher": researcher,
        "admin": make.user(roles=("admin",), lab=unit, full_name="Alice Admin"),
        "security": make.user(roles=("security_officer",), lab=unit, full_name="Sam Security"),
        "application": application,
        "returned": returned,
    }


def test_anonymous_pages(axe, page, request):
    check(axe, page, ["/auth/login", "/auth/register"])
    page.goto("/auth/login")
    language = request.node.callspec.params["page"]
    assert page.locator("h1").inner_text() == SIGN_IN[language]


def test_researcher_pages(axe, page, world):
    sign_in_by_field_names(page, world["researcher"])
    check(axe, page, [
        "/",
        "/applications/",
        "/applications/new/outgoing",
        f"/applications/{world['application'].id}",
        f"/applications/{world['returned'].id}",
        f"/applications/{world['returned'].id}/edit",
    ])


def test_director_pages(axe, page, world):
    sign_in_by_field_names(page, world["director"])
    check(axe, page, ["/", "/review/director",
                      f"/applications/{world['application'].id}?queue=director"])
    # The last page checked is the one with the action panel.
    assert page.locator("form[action$='/actions/endorse']").count() == 1


def test_admin_pages(axe, page, world):
    from tracker.directory.services import set_country_level
    from tracker.extensions import db

    # One change, so that the audit page shows its table rather than its empty state.
    set_country_level("DE", "yellow", "Example.", world["admin"])
    db.session.commit()
    sign_in_by_field_names(page, world["admin"])
    check(axe, page, [
        "/",
        "/reports/applications",
        "/reports/",
        "/admin/users",
        "/admin/laboratories",
        "/admin/programmes",
        "/admin/countries",
        "/admin/rules",
        "/admin/audit",
        "/notifications/",
    ])


def test_security_officer_pages(axe, page, world):
    sign_in_by_field_names(page, world["security"])
    check(axe, page, ["/", "/review/security"])


def test_presence_register_and_dashboard_map(axe, page, world, make):
    from datetime import date, timedelta

    today = date.today()
    partner = make.lab("partner", acronym="TUM", country="DE", city="Munich")
    incoming = make.programme("incoming", name="Visiting scientists")
    make.application(world["researcher"], status="approved", host=partner,
                     programme=make.programme("outgoing", name="Stays"),
                     start_date=today, end_date=today + timedelta(days=20))
    make.application(make.user(lab=partner, full_name="Vera Visitor", nationality="DE"),
                     direction="incoming", home=partner, host=world["unit"], status="approved",
                     programme=incoming, start_date=today, end_date=today + timedelta(days=20))
    sign_in_by_field_names(page, world["director"])
    check(axe, page, ["/reports/presence", "/reports/"])
    assert page.locator("svg.world-map-svg [data-country='DE']").count() == 1


def test_partnership_pages(axe, page, world, make):
    joint = make.lab("joint_unit", acronym="FJLP", name="Photonics Tokyo", country="JP",
                     city="Tokyo")
    agreement = make.agreement([world["unit"], joint], kind="joint_unit", reference="UMI-1",
                               quota_stays=4, quota_is_limit=True)
    sign_in_by_field_names(page, world["admin"])
    check(axe, page, [
        "/agreements/",
        f"/agreements/{agreement.id}",
        "/agreements/new",
        f"/agreements/{agreement.id}/edit",
        f"/agreements/joint-units/{joint.id}",
    ])
