"""Charts drawn on the server as inline SVG: no external service, no script.

Each chart is decorative for screen readers beyond its title (``role="img"`` with a label);
the page shows the same numbers in a table right below it.
Colours are SVG presentation attributes, which the Content-Security-Policy allows (inline
``style`` would not be).
"""

from datetime import timedelta

from flask_babel import gettext as _
from markupsafe import Markup, escape

from tracker.core.countries import country_name

PALETTE = ("#1f5f8b", "#e07b39", "#4c9a5f", "#8e5ea2", "#c44e52", "#6c757d")
# Month numbers read the same in every language the interface speaks.
MONTHS = tuple(f"{month:02d}" for month in range(1, 13))
# A bar's label is cut after this many characters (the table below the chart has it whole).
LABEL_LENGTH = 28


def _short(text, length):
    """``text`` cut to ``length`` characters, with an ellipsis when cut (before escaping:
    cutting escaped text could leave half an entity)."""
    text = str(text)
    return text if len(text) <= length else text[:length - 1] + "…"


def _number(value):
    return f"{value:,}".replace(",", "\u202f")


def bar_chart(label, rows, width=560, bar_height=22, colour=PALETTE[0]):
    """Horizontal bars: ``rows`` is a list of (text, value). The labels' column is as wide as
    the longest label needs (about 7 units a character at this size), so that a long one
    ("Renvoyée pour modification") is not cut at the chart's left edge."""
    longest = max([len(_short(text, LABEL_LENGTH)) for text, _value in rows] + [8])
    label_width = max(100, round(longest * 7) + 12)
    value_width = 80
    height = max(1, len(rows)) * (bar_height + 6) + 6
    largest = max([value for _text, value in rows] + [1])
    scale = (width - label_width - value_width) / largest
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>"
    ]
    for index, (text, value) in enumerate(rows):
        y = 6 + index * (bar_height + 6)
        bar = max(0.0, value * scale)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" '
            f'font-size="12" fill="#212529">{escape(_short(text, LABEL_LENGTH))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{bar:.1f}" height="{bar_height}" '
            f'fill="{colour}"></rect>'
            f'<text x="{label_width + bar + 4:.1f}" y="{y + bar_height * 0.7:.1f}" '
            f'font-size="12" fill="#212529">{_number(value)}</text>'
        )
    parts.append("</svg>")
    # Every text from the data went through escape() above; numbers are formatted here.
    return Markup("".join(parts))  # nosec B704


def grouped_bars(label, categories, series, width=560, height=220):
    """Vertical bars by category, one colour per series: ``series`` is [(name, values)]."""
    left, bottom, top = 40, 24, 28
    plot_width = width - left - 10
    plot_height = height - bottom - top
    largest = max([value for _name, values in series for value in values] + [1])
    group = plot_width / max(1, len(categories))
    bar = group * 0.8 / max(1, len(series))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>",
        f'<line x1="{left}" y1="{top + plot_height}" x2="{width - 10}" '
        f'y2="{top + plot_height}" stroke="#6c757d"></line>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" font-size="11" '
        f'fill="#212529">{_number(largest)}</text>',
    ]
    for index, (name, _values) in enumerate(series):
        x = left + index * 140
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{PALETTE[index]}"></rect>'
            f'<text x="{x + 16}" y="14" font-size="12" fill="#212529">{escape(name)}</text>'
        )
    for position, category in enumerate(categories):
        x0 = left + position * group + group * 0.1
        for index, (_name, values) in enumerate(series):
            value = values[position]
            bar_height = value / largest * plot_height
            parts.append(
                f'<rect x="{x0 + index * bar:.1f}" y="{top + plot_height - bar_height:.1f}" '
                f'width="{bar:.1f}" height="{bar_height:.1f}" fill="{PALETTE[index]}"></rect>'
            )
        parts.append(
            f'<text x="{x0 + group * 0.4:.1f}" y="{height - 8}" text-anchor="middle" '
            f'font-size="11" fill="#212529">{escape(category)}</text>'
        )
    parts.append("</svg>")
    # Every text from the data went through escape() above; numbers are formatted here.
    return Markup("".join(parts))  # nosec B704


def budget_chart(label, rows, width=560, bar_height=18):
    """Committed amount over budget, per programme: a grey track and a filled part."""
    label_width = 230
    height = max(1, len(rows)) * (bar_height + 8) + 6
    track = width - label_width - 60
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>"
    ]
    for index, (name, budget, committed) in enumerate(rows):
        y = 6 + index * (bar_height + 8)
        share = float(committed) / float(budget) if budget else 0.0
        filled = min(1.0, share) * track
        colour = PALETTE[4] if share > 1 else PALETTE[2]
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.75:.1f}" text-anchor="end" '
            f'font-size="11" fill="#212529">{escape(_short(name, 38))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{track}" height="{bar_height}" '
            f'fill="#e9ecef"></rect>'
            f'<rect x="{label_width}" y="{y}" width="{filled:.1f}" height="{bar_height}" '
            f'fill="{colour}"></rect>'
            f'<text x="{label_width + track + 4}" y="{y + bar_height * 0.75:.1f}" '
            f'font-size="11" fill="#212529">{share * 100:.0f}%</text>'
        )
    parts.append("</svg>")
    # Every text from the data went through escape() above; numbers are formatted here.
    return Markup("".join(parts))  # nosec B704


def dashboard_charts(figures):
    """The dashboard's SVG charts, from the figures of :func:`tracker.reports.dashboard.dashboard`."""
    from tracker.directory.models import DIRECTION_LABELS
    from tracker.applications.workflow import STATUS_LABELS

    return {
        "status": bar_chart(
            _("Applications by status"),
            [(STATUS_LABELS[status], count) for status, count in figures["by_status"].items()],
        ),
        "months": grouped_bars(
            _("Incoming and outgoing stays starting each month"),
            list(MONTHS),
            [(str(DIRECTION_LABELS[direction]), values)
             for direction, values in figures["by_month"].items()],
        ),
        "countries": bar_chart(
            _("Top host countries"),
            [(country_name(country), count) for country, count in figures["host_countries"]],
            colour=PALETTE[1],
        ),
        "laboratories": bar_chart(
            _("Applications per reviewing laboratory"),
            [(acronym or name, count) for _id, acronym, name, count in figures["laboratories"]],
            colour=PALETTE[3],
        ),
        "budgets": budget_chart(
            _("Budget committed per programme"),
            [(name, budget, committed)
             for _id, name, budget, committed, _count in figures["programmes"]],
        ),
    }


def timeline(label, stays, first_day, last_day, width=900, row_height=16):
    """A Gantt chart of stays (rows) over a period, with a line for each month's start."""
    label_width = 200
    rows = max(1, len(stays))
    top = 18
    height = top + rows * (row_height + 4) + 4
    span = (last_day - first_day).days + 1
    scale = (width - label_width - 10) / span
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>"
    ]
    month = first_day.replace(day=1)
    while month <= last_day:
        if month >= first_day:
            x = label_width + (month - first_day).days * scale
            parts.append(
                f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height}" '
                f'stroke="#dee2e6"></line>'
                f'<text x="{x + 2:.1f}" y="12" font-size="11" fill="#212529">'
                f"{month.strftime('%Y-%m')}</text>"
            )
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    for index, application in enumerate(stays):
        y = top + index * (row_height + 4)
        start = max(application.start_date, first_day)
        end = min(application.end_date, last_day)
        x = label_width + (start - first_day).days * scale
        bar = max(2.0, ((end - start).days + 1) * scale)
        colour = PALETTE[0] if application.direction == "outgoing" else PALETTE[1]
        parts.append(
            f'<text x="{label_width - 6}" y="{y + row_height * 0.8:.1f}" text-anchor="end" '
            f'font-size="11" fill="#212529">{escape(_short(application.applicant.full_name, 30))}</text>'
            f'<rect x="{x:.1f}" y="{y}" width="{bar:.1f}" height="{row_height}" '
            f'fill="{colour}"></rect>'
        )
    parts.append("</svg>")
    # Every text from the data went through escape() above; numbers are formatted here.
    return Markup("".join(parts))  # nosec B704
