"""The dashboard's world map in a real browser: drawn, shaded, with its table beside it."""

import os
from datetime import date, timedelta

import pytest

from tests.browser.conftest import sign_in_by_field_names
from tracker.reports.worldmap import EMPTY_FILL

pytestmark = pytest.mark.browser


def test_dashboard_map_is_drawn_with_shaded_countries_and_its_table(page, make, tmp_path):
    today = date.today()
    unit = make.lab("unit", acronym="LPMC")
    admin = make.user(roles=("admin",), lab=unit)
    programme = make.programme("outgoing", name="Stays")
    for country, stays in (("US", 6), ("DE", 3), ("JP", 1), ("BR", 2)):
        host = make.lab("partner", country=country)
        for _stay in range(stays):
            make.application(admin, status="approved", host=host, programme=programme,
                             start_date=today, end_date=today + timedelta(days=5))
    sign_in_by_field_names(page, admin)
    page.goto(f"/reports/?year={today.year}")
    world = page.locator("svg.world-map-svg")
    world.wait_for(state="visible")
    box = world.bounding_box()
    assert box["width"] > 400 and box["height"] > 200
    shaded = page.locator(f"svg.world-map-svg g.country:not([fill='{EMPTY_FILL}'])")
    assert shaded.count() == 4
    france = page.locator("svg.world-map-svg g.country[data-country='FR']")
    assert france.get_attribute("fill") == EMPTY_FILL
    assert france.bounding_box()["width"] > 5  # drawn, not collapsed
    table = page.locator("#stays-map table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 4
    assert table.locator("tbody tr").first.inner_text().split() == ["United", "States", "6"]
    # Looked at by eye when the map changes; kept in the test's folder.
    shot = os.environ.get("WORLD_MAP_SCREENSHOT") or str(tmp_path / "world-map.png")
    page.locator("#stays-map").screenshot(path=shot)
    assert os.path.getsize(shot) > 10_000
