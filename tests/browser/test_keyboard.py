"""A keyboard-only journey: sign in, create an application and submit it with Tab,
Shift+Tab, Enter, Space, arrow keys and typing into whatever has the focus; no click, and
no box filled through a selector. Every element the focus lands on must show it (an outline
or a focus shadow), and the skip link must lead to the main content."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from tracker.applications.models import Application

pytestmark = pytest.mark.browser

# What has the focus, and whether it shows: an outline or a box shadow drawn for it.
FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== 'none';
  const box = element.getBoundingClientRect();
  const label = element.labels && element.labels.length ? element.labels[0].innerText
              : element.getAttribute('aria-label') || '';
  return {
    tag: element.tagName.toLowerCase(), id: element.id, type: element.type || '',
    name: element.getAttribute('name') || '', value: element.value || '',
    text: (element.innerText || '').trim(), label: label.trim(),
    ring: outline || shadow,
    inView: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight,
  };
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def press(page, key):
    """Press ``key`` and return what has the focus after it, which must show it."""
    page.keyboard.press(key)
    state = focused(page)
    assert state is not None, f"after {key} nothing has the focus"
    assert state["ring"], f"after {key} the focus on {state} is not visible"
    assert state["inView"], f"after {key} the focused {state} is out of view"
    return state


def tab_to(page, wanted, backwards=False, limit=80):
    """Tab (or Shift+Tab) until ``wanted(state)`` holds for the focused element."""
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(limit):
        state = press(page, key)
        if wanted(state):
            return state
        seen.append(state["text"] or state["label"] or state["name"])
    raise AssertionError(f"{key} never reached the element; went through {seen}")


def text_is(text):
    return lambda state: state["text"] == text


def label_is(text):
    return lambda state: state["label"] == text


def skip_to_main(page):
    """The first Tab reaches the skip link, shown; Enter moves the focus to the main content."""
    link = press(page, "Tab")
    assert link["tag"] == "a" and link["text"] == "Skip to main content"
    main = press(page, "Enter")
    assert page.url.endswith("#main")
    assert main["id"] == "main"


def at(path):
    """A URL ending with ``path``: a page reached from a skip link may keep its ``#main``."""
    return re.compile(path + r"(#main)?$")


def type_here(page, text):
    page.keyboard.type(text)


def type_date(page, day):
    """Type ``day`` into the focused date box and check the box holds it. Chromium lays a date
    box out in its own interface language (the system's, en-US on Debian's build here), not the
    page's: month, day, year, each field moving on to the next when full."""
    page.keyboard.type(f"{day.month:02d}{day.day:02d}{day.year}")
    assert focused(page)["value"] == day.isoformat(), "the date box's fields are in another order"


def test_sign_in_create_and_submit_with_the_keyboard_alone(new_page, make, db):
    unit = make.lab("unit", acronym="LPMC", name="Condensed Matter Physics")
    make.lab("partner", acronym="NUPD", name="Northbridge Physics", country="US")
    make.director_of(unit, full_name="Dominique Director")
    researcher = make.user(lab=unit, full_name="Romain Researcher")
    make.programme("outgoing", name="Short research stays", budget="50000.00")
    start = date.today() + timedelta(days=45)
    page = new_page("en-GB")
    # Bootstrap scrolls smoothly unless asked not to: the focused element is then in view at
    # once, when the test looks (as it is for anyone who asks for reduced motion).
    page.emulate_media(reduced_motion="reduce")

    # Signing in: the skip link jumps over the header to the form's first box.
    page.goto("/auth/login")
    skip_to_main(page)
    assert press(page, "Tab")["label"] == "Email address"
    type_here(page, researcher.email)
    assert press(page, "Tab")["label"] == "Password"
    type_here(page, PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(at(r"/"))

    # From the header to my applications, then to the new outgoing application's form.
    tab_to(page, text_is("My applications"))
    page.keyboard.press("Enter")
    page.wait_for_url(at(r"/applications/"))
    skip_to_main(page)
    tab_to(page, text_is("New application"))
    page.keyboard.press("Enter")
    page.wait_for_url(at(r"/applications/new"))
    tab_to(page, text_is("Apply for an outgoing stay"))
    page.keyboard.press("Enter")
    page.wait_for_url(at(r"/applications/new/outgoing"))

    # The form, field by field from the skip link.
    skip_to_main(page)
    funding = press(page, "Tab")
    assert funding["type"] == "radio" and funding["value"] == "programme"
    # Arrow keys move through the funding choices; the programme box follows.
    assert press(page, "ArrowDown")["value"] == "unit"
    assert page.get_by_label("Programme", exact=True).is_hidden()
    assert press(page, "ArrowUp")["value"] == "programme"
    assert page.get_by_label("Programme", exact=True).is_visible()
    assert press(page, "Tab")["label"] == "Programme"
    type_here(page, "Short")
    assert "Short research stays" in page.evaluate(
        "document.activeElement.selectedOptions[0].text")
    assert press(page, "Tab")["label"] == "Budget line"
    type_here(page, "LPMC-2026-07")
    assert press(page, "Tab")["label"] == "Home laboratory"
    assert press(page, "Tab")["label"] == "Host laboratory"
    type_here(page, "NUPD")
    assert "NUPD" in page.evaluate("document.activeElement.selectedOptions[0].text")
    assert press(page, "Tab")["label"] == "Title"
    type_here(page, "Low-temperature transport experiments")
    # Shift+Tab goes back, and the choice made there stays.
    assert press(page, "Shift+Tab")["label"] == "Host laboratory"
    assert "NUPD" in page.evaluate("document.activeElement.selectedOptions[0].text")
    assert press(page, "Tab")["label"] == "Title"
    assert press(page, "Tab")["label"] == "Purpose"
    type_here(page, "Research")
    assert focused(page)["value"] == "research_stay"
    assert press(page, "Tab")["label"] == "First day"
    type_date(page, start)
    tab_to(page, label_is("Last day"))
    type_date(page, start + timedelta(days=20))
    # Past the (empty) cost rows to the amount asked for.
    tab_to(page, label_is("Requested amount (EUR)"))
    type_here(page, "2400.00")
    tab_to(page, label_is("Justification"))
    type_here(page, "Measurements only possible with the host's cryostat.")
    save = tab_to(page, text_is("Save the draft"))
    assert save["tag"] == "button"
    page.keyboard.press("Space")
    page.wait_for_url(at(r"/applications/\d+"))

    # The draft's page, still at #main (the form was sent from there): Tab starts in the main
    # content, and reaches the Submit button.
    assert press(page, "Tab")["text"] == "Edit"
    tab_to(page, text_is("Submit"))
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Submitted" in page.locator(".status-badge").first.inner_text()

    db.session.expire_all()
    application = db.session.scalar(sa.select(Application))
    assert application.status == "submitted"
    assert application.title == "Low-temperature transport experiments"
    assert application.budget_line == "LPMC-2026-07"
    assert application.host_laboratory.acronym == "NUPD"
    assert application.purpose == "research_stay"
    assert (application.start_date, application.end_date) == (start, start + timedelta(days=20))
    assert str(application.requested_amount) == "2400.00"
