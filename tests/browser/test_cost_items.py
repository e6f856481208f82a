"""The cost rows of the application form, in a real browser and in French: rows come and go
without a reload, the total follows in the page's language, and the server keeps what the
page showed."""

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.browser.conftest import sign_in_by_field_names
from tracker.applications.models import Application

pytestmark = pytest.mark.browser


def spaced(text):
    """``text`` with every kind of space as a plain one (French amounts use narrow ones)."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def test_rows_are_added_and_removed_without_a_reload_and_the_total_follows(
        new_page, make, db):
    page = new_page("fr-FR")
    unit = make.lab("unit", acronym="LPMC")
    make.lab("partner", acronym="NUPD", country="DE")
    researcher = make.user(lab=unit)
    sign_in_by_field_names(page, researcher)
    page.goto("/applications/new/outgoing")
    page.evaluate("window.notReloaded = true")

    # Without JavaScript the programme box would stay; here it goes with a unit mission.
    page.get_by_label("Mission sur crédits de l'unité").check()
    assert page.locator("#programme-field").is_hidden()

    page.get_by_label("Poste 1\u00a0: nature").select_option("travel")
    page.get_by_label("Poste 1\u00a0: montant (EUR)").fill("1 500,50")
    page.get_by_role("button", name="Ajouter une dépense").click()
    page.get_by_label("Poste 2\u00a0: nature").select_option("accommodation")
    page.get_by_label("Poste 2\u00a0: montant (EUR)").fill("250")
    total = page.locator("#cost-total")
    assert spaced(total.inner_text()) == "1 750,50 €"
    page.get_by_role("button", name="Ajouter une dépense").click()
    page.get_by_label("Poste 3\u00a0: montant (EUR)").fill("99")
    assert spaced(total.inner_text()) == "1 849,50 €"

    page.get_by_role("button", name="Supprimer le poste 2").click()
    assert spaced(total.inner_text()) == "1 599,50 €"
    assert page.get_by_label("Poste 2\u00a0: montant (EUR)").input_value() == "99"  # renumbered
    assert page.evaluate("window.notReloaded") is True

    page.get_by_label("Poste 2\u00a0: nature").select_option("visa")
    host = page.get_by_label("Laboratoire d'accueil")
    host.select_option(host.locator("option", has_text="NUPD").get_attribute("value"))
    page.get_by_label("Intitulé").fill("Colloque à Berlin")
    page.get_by_label("Objet").select_option("conference")
    page.get_by_label("Premier jour").fill("2099-03-01")
    page.get_by_label("Dernier jour").fill("2099-03-03")
    page.get_by_label("Intitulé").press("Enter")  # saves: Enter never presses a Remove button
    page.wait_for_url(re.compile(r"/applications/\d+$"))
    db.session.expire_all()
    application = db.session.scalar(sa.select(Application))
    assert application.requested_amount == Decimal("1599.50")
    assert [item.kind for item in application.cost_items] == ["travel", "visa"]
