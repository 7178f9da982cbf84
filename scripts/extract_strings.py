"""Re-extract the interface strings into messages.pot and merge them into every catalog.

Every visible string of pressroom's pages is an English msgid: the literals of the theme's
templates (``_()``, ``ngettext()``, ``{% trans %}``, read by Jinja's Babel extractor), the
words Python writes into pages and feed entries (``_("…")`` in ``render/alert_facts.py``,
``render/area_map.py`` and the plugins, read by Babel's Python extractor), and the strings
from data the templates show through the ``translated`` filter
(``pressroom.adapter.i18n.DATA_MESSAGES``: category names, statuses).

    python scripts/extract_strings.py          # write messages.pot, merge into each .po
    python scripts/extract_strings.py --check  # exit 1 when messages.pot is out of date

A new msgid lands in each language's ``messages.po`` with an empty translation, and one no
longer used is dropped, so ``tests/test_strings.py`` fails until a translator fills it in:
no string ships untranslated. Locations name files, not lines, so moving a string inside
a template does not touch the catalogs.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pressroom.adapter.i18n import DATA_MESSAGES, DOMAIN, TRANSLATIONS  # noqa: E402

TEMPLATES = ROOT / "pressroom" / "adapter" / "theme" / "templates"
# Python modules whose _("…") calls are words of the pages or feeds
PYTHON_SOURCES = (
    ROOT / "pressroom" / "render" / "alert_facts.py",
    ROOT / "pressroom" / "render" / "area_map.py",
    *sorted((ROOT / "pressroom" / "adapter" / "plugins").glob("*/__init__.py")),
)
POT = TRANSLATIONS / f"{DOMAIN}.pot"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3)}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true",
                 "trim_blocks": "true", "lstrip_blocks": "true"}


def _where(path: Path) -> str:
    """A location as the catalogs name it: the file's path in the project."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def _found() -> Iterator[tuple[str, str | tuple[str, ...], str | None]]:
    """(location, message, context) of every marked string, templates first."""
    for path in sorted(TEMPLATES.glob("*.html")):
        for _line, message, _comments, context in extract_from_file(
                "jinja2.ext:babel_extract", str(path), keywords=KEYWORDS, options=JINJA_OPTIONS):
            yield _where(path), message, context
    for path in PYTHON_SOURCES:
        for _line, message, _comments, context in extract_from_file(
                "python", str(path), keywords=KEYWORDS):
            yield _where(path), message, context
    for message in DATA_MESSAGES:
        yield "pressroom/adapter/i18n.py", message, None


def template_catalog() -> Catalog:
    """The catalog of every msgid pressroom's pages and feeds can show."""
    catalog = Catalog(project="pressroom", domain=DOMAIN, charset="utf-8",
                      fuzzy=False, header_comment="# pressroom's interface strings "
                      "(scripts/extract_strings.py writes this file: do not edit it).")
    for where, message, context in _found():
        if not message or (isinstance(message, tuple) and not all(message)):
            continue
        catalog.add(message, locations=[(where, None)], context=context)
    return catalog


def pot_text(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False,
             no_location=False)
    # The date of extraction would change the file on every run: the header carries none.
    return b"\n".join(line for line in out.getvalue().split(b"\n")
                      if not line.startswith(b'"POT-Creation-Date:'))


def merge(template: Catalog, po_path: Path) -> None:
    """Bring one language's catalog up to ``template``: new msgids empty, old ones gone."""
    with po_path.open("rb") as fp:
        catalog = read_po(fp)
    catalog.update(template, update_header_comment=False, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=True, include_lineno=False,
             ignore_obsolete=True)
    po_path.write_bytes(b"\n".join(line for line in out.getvalue().split(b"\n")
                                   if not line.startswith(b'"POT-Creation-Date:')))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when messages.pot is out of date; write nothing")
    args = parser.parse_args(argv)
    template = template_catalog()
    text = pot_text(template)
    if args.check:
        current = POT.read_bytes() if POT.is_file() else b""
        if current != text:
            print(f"{POT.relative_to(ROOT)} is out of date: run `make strings`")
            return 1
        return 0
    POT.parent.mkdir(parents=True, exist_ok=True)
    POT.write_bytes(text)
    for po_path in sorted(TRANSLATIONS.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        merge(template, po_path)
        print(f"merged {po_path.relative_to(ROOT)}")
    print(f"wrote {POT.relative_to(ROOT)}: {len(template)} strings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
