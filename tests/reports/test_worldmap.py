"""The world map: countries shaded in classes, a legend, and a table of the same numbers."""

import re

from tracker.reports import worldmap


def _fills(svg):
    return dict(re.findall(r'data-country="([A-Z]{2})" fill="(#[0-9a-f]{6})"', svg))


def test_the_package_map_has_a_shape_per_country():
    shapes = worldmap.country_shapes()
    assert len(shapes) > 150
    assert {"FR", "DE", "US", "JP", "BR"} <= set(shapes)
    assert all(paths for paths in shapes.values())
    assert worldmap.country_shapes() is shapes  # parsed once


def test_classes_are_equal_steps_and_never_empty():
    assert worldmap.class_bounds([]) == []
    assert worldmap.class_bounds([0]) == []
    assert worldmap.class_bounds([1, 3, 2]) == [1, 2, 3]
    assert worldmap.class_bounds([100, 7]) == [20, 40, 60, 80, 100]
    assert worldmap.class_shades([5]) == [worldmap.SHADES[-1]]
    assert worldmap.class_shades([20, 40, 60, 80, 100]) == list(worldmap.SHADES)
    shades = worldmap.class_shades([1, 2, 3])
    assert shades[0] == worldmap.SHADES[0] and shades[-1] == worldmap.SHADES[-1]


def test_countries_are_shaded_by_their_class(app):
    with app.test_request_context():
        html = str(worldmap.world_map("Stays by country", {"US": 100, "de": 30, "JP": 1,
                                                             "FR": 0}, "Stays"))
    fills = _fills(html)
    assert fills["US"] == worldmap.SHADES[-1]
    assert fills["DE"] == worldmap.SHADES[1]
    assert fills["JP"] == worldmap.SHADES[0]
    assert fills["FR"] == worldmap.EMPTY_FILL and fills["BR"] == worldmap.EMPTY_FILL
    assert 'role="img"' in html and 'aria-labelledby="world-map-title"' in html
    assert '<title id="world-map-title">Stays by country</title>' in html
    # The legend names each class's range.
    assert ">1–20<" in html and ">81–100<" in html and ">None<" in html


def test_the_table_gives_the_same_numbers_most_first(app):
    with app.test_request_context():
        html = str(worldmap.world_map("Stays", {"US": 1200, "DE": 3, "JP": 3}, "Stays"))
    table = html[html.index("<table"):]
    assert "<caption>Stays</caption>" in table
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="text-end">([^<]+)</td>', table)
    assert rows == [("United States", "1,200"), ("Germany", "3"), ("Japan", "3")]


def test_names_and_numbers_in_the_readers_language(app, french):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        html = str(worldmap.world_map("Séjours", {"DE": 1500}, "Séjours"))
    assert "Allemagne" in html and "1\u202f500" in html
    assert "<title>Allemagne: 1\u202f500</title>" in html


def test_an_empty_map_says_so_and_escapes_its_label(app):
    with app.test_request_context():
        html = str(worldmap.world_map("<b>Stays</b>", {}, "Stays", map_id="other"))
    assert "<b>" not in html and "&lt;b&gt;Stays&lt;/b&gt;" in html
    assert set(_fills(html).values()) == {worldmap.EMPTY_FILL}
    assert 'aria-labelledby="other-title"' in html
    assert "None." in html


def test_outlines_are_simplified_within_the_tolerance():
    # A square with a bump smaller than the tolerance and one larger, drawn with relative
    # curves and lines as the package's data is.
    data = "m10 10c3 0 7 0 10 0l0.6 5 -0.6 5h-10v-10z"
    rings = worldmap.outline_rings(data)
    assert rings == [[(10, 10), (20, 10), (20.6, 15), (20, 20), (10, 20), (10, 10)]]
    assert worldmap.simplified_path(data) == "M10 10l10 0 0 10 -10 0 0 -10z"
    assert worldmap.simplified_path(data, tolerance=0.1) == "M10 10l10 0 1 5 -1 5 -10 0 0 -10z"


def test_rings_smaller_than_a_unit_are_left_out_but_no_country_vanishes():
    assert worldmap.simplified_path("m5 5l0.2 0 0 0.2z") == ""
    shapes = worldmap.country_shapes()
    # Every country the package draws, Monaco and the Vatican among them, in a tenth of its
    # weight.
    assert len(shapes) == 184 and {"MC", "VA"} <= set(shapes)
    assert sum(len(paths) for paths in shapes.values()) < 120_000
