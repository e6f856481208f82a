"""Signing in and out in a real browser, with the mouse and with the keyboard only."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_and_out_through_the_real_form(page, make):
    make.user(email="ada@example.org", full_name="Ada Lovelace")

    page.goto("/auth/login")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_text("Welcome, Ada Lovelace.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))

    # Signing out is in the account menu, a Bootstrap dropdown: its script must have run
    # (the page loaded) for the click to open it.
    page.wait_for_load_state("load")
    page.locator("#account-menu").click()
    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto("/auth/password")
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))


def test_wrong_password_shows_the_message_next_to_the_field(page, make):
    make.user(email="ada@example.org")

    page.goto("/auth/login")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()

    error = page.locator("#password-error")
    expect(error).to_have_text("Unknown email address or wrong password.")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")


def focused(page):
    return page.evaluate(
        "() => ({id: document.activeElement.id, text: document.activeElement.textContent.trim(),"
        " cls: document.activeElement.className})"
    )


def test_keyboard_only_sign_in(page, make):
    make.user(email="grace@example.org", full_name="Grace Hopper")
    page.goto("/auth/login")

    page.keyboard.press("Tab")
    first = focused(page)
    assert "skip-link" in first["cls"]
    assert first["text"] == "Skip to main content"

    for _ in range(20):
        if focused(page)["id"] == "email":
            break
        page.keyboard.press("Tab")
    assert focused(page)["id"] == "email", "the email field is not reachable with Tab"

    page.keyboard.type("grace@example.org")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_text("Welcome, Grace Hopper.")).to_be_visible()
