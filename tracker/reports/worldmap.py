"""A world map drawn on the server: countries shaded by a number (stays, agreements...),
as inline SVG, with the same numbers in a table beside it.

The countries' outlines come from the ``pygal_maps_world`` package (its ``worldmap.svg``,
one group of paths per ISO alpha-2 code): no tile server, no script, nothing fetched from
the internet. Only that data file is read, once per process; the SVG is our own. The map is
an image for screen readers (``role="img"``, its title); the table carries the numbers,
country names in the reader's language.
"""

import functools
import math
import re
from importlib import resources

from flask_babel import gettext as _
from markupsafe import Markup, escape

from tracker.core.countries import country_name
from tracker.core.numbers import format_number
from tracker.core.language import reader_locale

# Five blues from light to dark (ColorBrewer's sequential "Blues"); each country has a dark
# outline, so even the lightest class stands out from the page and from its neighbours.
SHADES = ("#c6dbef", "#6baed6", "#3182bd", "#08519c", "#08306b")
EMPTY_FILL = "#f1f3f5"
OUTLINE = "#495057"
MAP_WIDTH, MAP_HEIGHT = 2475, 1388
LEGEND_HEIGHT = 110
COUNTRY_GROUP = re.compile(r'<g class="([a-z]{2}) country map-element">(.*?)</g>', re.S)
PATH_DATA = re.compile(r'<path d="([^"]+)"')
PATH_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# Numbers each path command takes; its end point is always the last two (h and v: one).
PATH_ARGUMENTS = {"m": 2, "l": 2, "t": 2, "s": 4, "q": 4, "c": 6, "a": 7, "h": 1, "v": 1, "z": 0}
# Outlines are drawn within this many map units of the package's (the map is 2,475 units
# wide and shown at most about 900 pixels wide: under half a pixel). The package's curves
# weigh 730 KB; simplified to whole units they weigh about a tenth, and the dashboard with
# them.
TOLERANCE = 1.2


@functools.lru_cache(maxsize=1)
def country_shapes():
    """``{code: the <path> elements of its outline}`` of every country the package draws,
    read and written once per process: a map then only adds each country's fill."""
    source = resources.files("pygal_maps_world").joinpath("worldmap.svg").read_text("utf-8")
    shapes = {}
    for code, paths in COUNTRY_GROUP.findall(source):
        originals = PATH_DATA.findall(paths)
        # A country smaller than a unit (Monaco, the Vatican) keeps its own outline.
        data = "".join(simplified_path(path) for path in originals) or " ".join(originals)
        shapes[code.upper()] = f'<path d="{escape(data)}"></path>'
    return shapes


def outline_rings(data):
    """The closed rings of points (absolute) that SVG path ``data`` goes through; a curve is
    reduced to its end points, which at the map's scale differ from it by a fraction of a
    pixel."""
    tokens = PATH_TOKEN.findall(data)
    rings, ring = [], []
    x = y = start_x = start_y = 0.0
    command, index = None, 0
    while index < len(tokens):
        if tokens[index].isalpha():
            command = tokens[index]
            index += 1
            if command in "zZ":
                x, y = start_x, start_y
                if ring:
                    rings.append(ring)
                ring = []
                continue
        if command is None or command.lower() not in PATH_ARGUMENTS:
            return rings  # a command the package does not use: keep what was read
        count = PATH_ARGUMENTS[command.lower()]
        values = [float(token) for token in tokens[index:index + count]]
        index += count
        if len(values) < count:
            break
        relative = command.islower()
        if command in "hH":
            x = x + values[0] if relative else values[0]
        elif command in "vV":
            y = y + values[0] if relative else values[0]
        else:
            end_x, end_y = values[-2], values[-1]
            x, y = (x + end_x, y + end_y) if relative else (end_x, end_y)
        if command in "mM":
            if ring:
                rings.append(ring)
            ring, start_x, start_y = [], x, y
            # Pairs after a move are lines (relative after m, absolute after M).
            command = "l" if relative else "L"
        ring.append((x, y))
    if ring:
        rings.append(ring)
    return rings


def simplified_ring(points, tolerance=TOLERANCE):
    """``points`` less those within ``tolerance`` of the line their neighbours draw
    (Douglas-Peucker), at least its first and last."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    pending = [(0, len(points) - 1)]
    while pending:
        first, last = pending.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            px, py = points[index]
            away = (abs(dx * (ay - py) - dy * (ax - px)) / length if length
                    else math.hypot(px - ax, py - ay))
            if away > distance:
                farthest, distance = index, away
        if farthest is not None:
            keep[farthest] = True
            pending += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep) if kept]


def ring_area(points):
    """The area a closed ring of points encloses (shoelace formula)."""
    total = sum(x1 * y2 - x2 * y1
                for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]))
    return abs(total) / 2


def simplified_path(data, tolerance=TOLERANCE):
    """SVG path ``data`` redrawn as straight lines between whole map units, within
    ``tolerance`` of the original; rings that shrink to less than a square unit (islets a
    fraction of a pixel wide) are left out."""
    parts = []
    for ring in outline_rings(data):
        rounded = []
        for x, y in simplified_ring(ring, tolerance):
            point = (round(x), round(y))
            if not rounded or rounded[-1] != point:
                rounded.append(point)
        if len(rounded) < 3 or ring_area(rounded) < 1:
            continue
        (x, y), steps = rounded[0], []
        for next_x, next_y in rounded[1:]:
            steps.append(f"{next_x - x} {next_y - y}")
            x, y = next_x, next_y
        parts.append(f"M{rounded[0][0]} {rounded[0][1]}l" + " ".join(steps) + "z")
    return "".join(parts)


def class_bounds(values, classes=len(SHADES)):
    """The upper bound of each class of the positive ``values``: equal steps up to the
    largest, and fewer classes when the largest is small (1, 2, 3 rather than 1, 1, 2...)."""
    largest = max(values, default=0)
    if largest <= 0:
        return []
    return sorted({math.ceil(largest * step / classes) for step in range(1, classes + 1)})


def class_shades(bounds):
    """A shade per class, spread over :data:`SHADES` so that the largest is the darkest."""
    if len(bounds) <= 1:
        return list(SHADES[-1:]) * len(bounds)
    last = len(SHADES) - 1
    return [SHADES[round(index * last / (len(bounds) - 1))] for index in range(len(bounds))]


def shade_of(value, bounds, shades):
    """The fill of a country holding ``value`` (the empty fill for none)."""
    if not value or value <= 0:
        return EMPTY_FILL
    for bound, shade in zip(bounds, shades):
        if value <= bound:
            return shade
    return shades[-1]


def world_map(label, values_by_country, value_label=None, map_id="world-map"):
    """A figure with the map of ``values_by_country`` (``{ISO alpha-2: number}``) titled
    ``label``, and a table of the same numbers headed ``value_label``, as Markup.

    ``map_id`` tells two maps of one page apart (their titles are referred to by id).
    """
    values = {code.upper(): value for code, value in values_by_country.items() if value}
    bounds = class_bounds(values.values())
    shades = class_shades(bounds)
    value_label = value_label or _("Number")
    parts = [
        f'<figure class="world-map row" id="{escape(map_id)}">',
        '<div class="col-lg-8">',
        _svg(label, values, bounds, shades, map_id),
        "</div>",
        '<div class="col-lg-4">',
        _table(label, values, value_label),
        "</div>",
        "</figure>",
    ]
    # Every text from the data went through escape(); numbers are formatted here.
    return Markup("".join(parts))  # nosec B704


def _svg(label, values, bounds, shades, map_id):
    height = MAP_HEIGHT + LEGEND_HEIGHT
    language = reader_locale()
    parts = [
        f'<svg class="chart world-map-svg" viewBox="0 0 {MAP_WIDTH} {height}" width="100%" '
        f'role="img" aria-labelledby="{escape(map_id)}-title" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(map_id)}-title">{escape(label)}</title>',
        f'<g stroke="{OUTLINE}" stroke-width="1.2" stroke-linejoin="round">',
    ]
    for code, paths in country_shapes().items():
        value = values.get(code, 0)
        # Most countries hold nothing: "0" reads the same in every language.
        shown = format_number(value, language) if value else "0"
        parts.append(
            f'<g class="country" data-country="{code}" fill="{shade_of(value, bounds, shades)}">'
            f"<title>{escape(country_name(code, language))}: {escape(shown)}</title>"
            f"{paths}</g>"
        )
    parts.append("</g>")
    parts.append(_legend(bounds, shades, language))
    parts.append("</svg>")
    return "".join(parts)


def _legend(bounds, shades, language):
    """Swatches under the map: none, then each class with its range."""
    entries = [(EMPTY_FILL, _("None"))]
    lower = 1
    for bound, shade in zip(bounds, shades):
        text = (format_number(bound, language) if lower == bound else
                f"{format_number(lower, language)}–{format_number(bound, language)}")
        entries.append((shade, text))
        lower = bound + 1
    parts = ['<g class="legend" font-size="40" fill="#212529">']
    for index, (shade, text) in enumerate(entries):
        x = 40 + index * 330
        y = MAP_HEIGHT + 30
        parts.append(
            f'<rect x="{x}" y="{y}" width="60" height="45" fill="{shade}" '
            f'stroke="{OUTLINE}" stroke-width="2"></rect>'
            f'<text x="{x + 75}" y="{y + 37}">{escape(text)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _table(label, values, value_label):
    """The map's numbers for every reader: most first, then by name."""
    language = reader_locale()
    rows = sorted(((country_name(code, language), value) for code, value in values.items()),
                  key=lambda row: (-row[1], row[0]))
    parts = [
        '<table class="table table-sm">',
        f"<caption>{escape(label)}</caption>",
        f'<thead><tr><th scope="col">{escape(_("Country"))}</th>'
        f'<th scope="col" class="text-end">{escape(value_label)}</th></tr></thead><tbody>',
    ]
    for name, value in rows:
        parts.append(f'<tr><th scope="row">{escape(name)}</th>'
                     f'<td class="text-end">{escape(format_number(value, language))}</td></tr>')
    if not rows:
        parts.append(f'<tr><td colspan="2">{escape(_("None."))}</td></tr>')
    parts.append("</tbody></table>")
    return "".join(parts)
