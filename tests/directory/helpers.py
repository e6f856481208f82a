"""Reading the directory pages as a person would: errors next to fields, table rows."""

import html
import re


def page(response):
    return response.get_data(as_text=True)


def error_of(response, field_id):
    """The error shown next to the field ``field_id`` (None when there is none)."""
    match = re.search(
        rf'<div id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page(response), re.S
    )
    return html.unescape(" ".join(match.group(1).split())) if match else None


def described_by_error(response, field_id, error_of_field=None):
    """True when the input ``field_id`` points assistive technology at the error of its
    field (``error_of_field``, for a box of a group; the field itself otherwise)."""
    match = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{re.escape(field_id)}"[^>]*>', page(response))
    error_id = f"{error_of_field or field_id}-error"
    return bool(match) and re.search(rf'aria-describedby="[^"]*\b{error_id}\b', match.group(0))


def input_value(response, field_id):
    """The value an input shows (None when the input has none)."""
    tag = re.search(rf'<input[^>]*\bid="{re.escape(field_id)}"[^>]*>', page(response))
    assert tag, f"no input {field_id}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def selected(response, field_id):
    """The selected values of the select ``field_id``."""
    block = re.search(rf'<select[^>]*\bid="{re.escape(field_id)}"[^>]*>(.*?)</select>', page(response), re.S)
    assert block, f"no select {field_id}"
    return [
        html.unescape(value)
        for value in re.findall(r'<option[^>]*\bselected\b[^>]*value="([^"]*)"', block.group(1))
    ]


def checked(response, name):
    """The checked values of the checkboxes named ``name``."""
    values = []
    for tag in re.findall(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page(response)):
        if re.search(r"\bchecked\b", tag):
            values.append(html.unescape(re.search(r'\bvalue="([^"]*)"', tag).group(1)))
    return values


def table_rows(response):
    """The rows of the page's table body, as lists of cell texts."""
    body = re.search(r"<tbody>(.*?)</tbody>", page(response), re.S)
    if not body:
        return []
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([html.unescape(" ".join(re.sub(r"<[^>]+>", " ", cell).split())) for cell in cells])
    return rows


def first_column(response):
    return [row[0] for row in table_rows(response)]
