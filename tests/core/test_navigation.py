"""The navigation offers each role its pages, grouped in menus, and nothing more."""

import re

from tests.conftest import sign_in


def _menu_links(client):
    html = client.get("/").get_data(as_text=True)
    nav = html.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'href="(/[^"]*)"', nav)), nav


def test_researcher_sees_own_pages_only(app, make):
    client = app.test_client()
    sign_in(client, make.user())
    links, nav = _menu_links(client)
    assert {"/applications/", "/notifications/", "/auth/password"} <= links
    assert not {link for link in links if link.startswith(("/admin", "/review", "/reports/applications"))}
    assert "Reports" not in nav and "Directory" not in nav


def test_director_gets_queue_and_reports_menu(app, make):
    client = app.test_client()
    sign_in(client, make.director_of(make.lab("unit")))
    links, nav = _menu_links(client)
    assert {"/review/director", "/reports/", "/reports/applications"} <= links
    assert "Reports" in nav
    # Of the directory, a director sees only the home-laboratory requests of their units.
    assert not {link for link in links if link.startswith("/admin")}
    assert "/auth/home-requests" in links


def test_admin_gets_decisions_reports_and_directory(app, make):
    client = app.test_client()
    sign_in(client, make.user(roles=("admin",)))
    links, nav = _menu_links(client)
    assert {"/review/admin", "/admin/users", "/admin/laboratories", "/admin/programmes"} <= links
    assert "Reports" in nav and "Directory" in nav
    assert "/review/director" not in links
