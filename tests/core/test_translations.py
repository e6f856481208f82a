"""Guards of the French interface, which make CI fail:

- every string the code and templates mark (extracted as ``make messages`` does, with
  babel.cfg and the ``_l`` keyword) has a French translation, neither empty nor fuzzy, in
  translations/fr/LC_MESSAGES/messages.po;
- no template holds a sentence left unmarked (outside ``_()`` and ``{% trans %}``).

Each guard is a function, itself tested on small examples below, so that a guard that
passes is known to be able to fail.
"""

import os
import re
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
FRENCH_CATALOGUE = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
# The keywords of `make messages` (Makefile): Babel's own, and the lazy ones of the forms
# and labels.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


# Guard a: every marked string is translated ----------------------------------------------
def extracted_messages(root=ROOT, mapping="babel.cfg"):
    """``{(msgid, context): [places]}`` of every string marked in ``root``'s code and
    templates, as ``pybabel extract`` finds them (msgid is a tuple for plural forms)."""
    with open(Path(root) / mapping) as handle:
        method_map, options_map = parse_mapping_cfg(handle, mapping)
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS
    ):
        if not (message[0] if isinstance(message, tuple) else message):
            continue
        found.setdefault((message, context), []).append(f"{filename}:{lineno}")
    return found


def untranslated(messages, catalogue):
    """The messages of ``messages`` (as :func:`extracted_messages` gives them) that
    ``catalogue`` leaves without a translation: missing, empty (any plural form) or fuzzy.
    Entries of the catalogue nobody marks any more, obsolete or not, are no concern here."""
    missing = []
    for (message, context), places in sorted(messages.items(), key=lambda item: str(item[0])):
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(msgid, context=context)
        strings = entry.string if entry is not None else ""
        strings = strings if isinstance(strings, (tuple, list)) else (strings,)
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(f"{msgid!r} ({places[0]})")
    return missing


def test_every_marked_string_has_a_french_translation():
    assert FRENCH_CATALOGUE.exists(), (
        f"{FRENCH_CATALOGUE.relative_to(ROOT)} is missing: run `make messages`, then "
        "translate it"
    )
    with open(FRENCH_CATALOGUE, "rb") as handle:
        catalogue = read_po(handle, locale="fr")
    missing = untranslated(extracted_messages(), catalogue)
    assert not missing, (
        f"{len(missing)} marked strings have no French translation (run `make messages`, "
        "then translate them in translations/fr/LC_MESSAGES/messages.po):\n"
        + "\n".join(missing)
    )


def catalogue_of(text):
    """A catalogue read from .po ``text``, as the guard reads the real one."""
    return read_po(BytesIO(text.encode()), locale="fr")


SAMPLE_PO = '''
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

msgid "Submit"
msgstr "Soumettre"

msgid "%(num)d result"
msgid_plural "%(num)d results"
msgstr[0] "%(num)d résultat"
msgstr[1] "%(num)d résultats"

msgid "Nobody marks this any more"
msgstr "Plus personne ne marque ceci"

#~ msgid "Withdraw"
#~ msgstr "Retirer"
'''


@pytest.fixture
def sample_project(tmp_path):
    """A project as small as can be: babel.cfg, one module, one template."""
    (tmp_path / "babel.cfg").write_text((ROOT / "babel.cfg").read_text())
    (tmp_path / "tracker").mkdir()
    (tmp_path / "tracker" / "labels.py").write_text(
        "from flask_babel import gettext as _, lazy_gettext as _l\n"
        "LABEL = _l('Submit')\n"
    )
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(
        "<p>{{ ngettext('%(num)d result', '%(num)d results', n) }}</p>\n"
    )
    return tmp_path


def test_extraction_finds_lazy_strings_and_plurals_in_code_and_templates(sample_project):
    assert set(extracted_messages(sample_project)) == {
        ("Submit", None), (("%(num)d result", "%(num)d results"), None),
    }


def test_the_guard_passes_when_everything_marked_is_translated(sample_project):
    # An entry nobody marks, and one the catalogue keeps as obsolete, change nothing.
    assert untranslated(extracted_messages(sample_project), catalogue_of(SAMPLE_PO)) == []


@pytest.mark.parametrize("change, named", [
    ("missing", "'Withdraw'"),          # only an obsolete entry: not a translation
    ("empty", "'Submit'"),
    ("fuzzy", "'Submit'"),
    ("plural form empty", "'%(num)d result'"),
])
def test_the_guard_names_each_string_left_untranslated(sample_project, change, named):
    text = SAMPLE_PO
    if change == "missing":
        (sample_project / "tracker" / "more.py").write_text(
            "from flask_babel import gettext\ngettext('Withdraw')\n")
    elif change == "empty":
        text = text.replace('msgstr "Soumettre"', 'msgstr ""')
    elif change == "fuzzy":
        text = text.replace('msgid "Submit"', '#, fuzzy\nmsgid "Submit"')
    else:
        text = text.replace('msgstr[1] "%(num)d résultats"', 'msgstr[1] ""')

    missing = untranslated(extracted_messages(sample_project), catalogue_of(text))

    assert len(missing) == 1 and missing[0].startswith(named), missing
    assert re.search(r"\((tracker|templates)/\S+:\d+\)$", missing[0])


def test_the_guard_reads_what_pybabel_writes(sample_project, tmp_path):
    """The round trip of `make messages`: an extracted, untranslated catalogue fails."""
    messages = extracted_messages(sample_project)
    catalogue = Catalog(locale="fr")
    for message, context in messages:
        catalogue.add(message, context=context)
    written = BytesIO()
    write_po(written, catalogue)
    assert len(untranslated(messages, catalogue_of(written.getvalue().decode()))) == 2


# Guard b: no unmarked sentence in a template -------------------------------------------
# Words that are the same in every language: units, acronyms, names of standards.
NOT_WORDS = {"EUR", "API", "CSV", "XLSX", "JSON", "OpenAPI", "iCalendar", "ICS", "ISO", "SVG",
             "PDF", "URL", "ID", "UTC"}
# Elements whose text is not for reading as a sentence: code, and what is never shown.
NOT_TEXT = {"script", "style", "code", "pre", "kbd", "samp"}
# Attributes a reader sees or hears.
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description"}
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
JINJA_TRANS = re.compile(r"\{%-?\s*trans\b.*?%\}.*?\{%-?\s*endtrans\s*-?%\}", re.S)
JINJA_CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
LETTER = re.compile(r"[^\W\d_]")


class _HumanText(HTMLParser):
    """Collects the text nodes and visible attributes of a page, with their line."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in NOT_TEXT:
            self._hidden += 1
        attributes = dict(attrs)
        for name, value in attrs:
            # An <input> button shows its value; a <button>'s value is only sent.
            if name in VISIBLE_ATTRIBUTES or (
                name == "value" and tag == "input"
                and attributes.get("type") in ("submit", "button", "reset")
            ):
                self.found.append((self.getpos()[0], value or ""))

    def handle_endtag(self, tag):
        if tag in NOT_TEXT and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            # The line of the text itself, not of the blank lines before it.
            leading = data[: len(data) - len(data.lstrip())]
            self.found.append((self.getpos()[0] + leading.count("\n"), data))


def _blank(match):
    """The match replaced by its line breaks only, so that line numbers stay true."""
    return "\n" * match.group(0).count("\n")


def unmarked_sentences(source):
    """``[(line, text)]`` of the human text ``source`` (a Jinja template) leaves outside
    ``_()``, ``ngettext()`` and ``{% trans %}``: text that has letters and is more than a
    word of :data:`NOT_WORDS`."""
    for pattern in (JINJA_COMMENT, JINJA_TRANS, JINJA_CODE):
        source = pattern.sub(lambda match: _blank(match) or " ", source)
    parser = _HumanText()
    parser.feed(source)
    parser.close()
    found = []
    for line, text in parser.found:
        words = re.findall(r"[^\W\d_][\w'’-]*", text)
        if words and not all(word in NOT_WORDS for word in words) and LETTER.search(text):
            found.append((line, " ".join(text.split())))
    return found


def template_files():
    return sorted((ROOT / "templates").rglob("*.html"))


def test_no_template_holds_an_unmarked_sentence():
    problems = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in template_files()
        for line, text in unmarked_sentences(path.read_text())
    ]
    assert not problems, (
        "Sentences a reader sees, left untranslatable: mark them with _() or "
        "{% trans %}:\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("source, expected", [
    ("<p>{{ _('Submit your request') }}</p>", []),
    ("<p>{% trans %}Submit {{ name }}'s request{% endtrans %}</p>", []),
    ("<p>{%- trans count=n -%}One{% pluralize %}Many{%- endtrans %}</p>", []),
    ("{# A note for developers #}<p>{{ amount }} EUR · {{ days }}</p>", []),
    ("<td>{{ row.reference }}</td><td>–</td><td>2026</td>", []),
    ("<span>API</span> <abbr>CSV</abbr>", []),
    ('<input type="hidden" name="next" value="page">', []),
    ("<script>const label = 'not for people';</script>", []),
    ("<p>Submit your request</p>", [(1, "Submit your request")]),
    ("<p>\n  {{ _('Fine') }}\n  Not marked\n</p>", [(3, "Not marked")]),
    ('<a href="/" title="Go home">{{ _("Home") }}</a>', [(1, "Go home")]),
    ('<input placeholder="Search">', [(1, "Search")]),
    ('<nav aria-label="Main menu"></nav>', [(1, "Main menu")]),
    ('<img src="x.png" alt="Logo">', [(1, "Logo")]),
    ('<input type="submit" value="Send">', [(1, "Send")]),
    ('<button name="rows" value="remove-1">{{ _("Remove") }}</button>', []),
    ("<p>{{ _('Create one with') }} <code>POST /api/v1/auth/tokens</code></p>", []),
    ("<h1>{{ title }} Report</h1>", [(1, "Report")]),
])
def test_the_template_guard_finds_every_unmarked_sentence(source, expected):
    assert unmarked_sentences(source) == expected
