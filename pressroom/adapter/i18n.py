"""Interface strings and dates in the page's language (issue #14): the one place catalogs load.

A resident who reads a Spanish page must not meet English labels ("What to do", "Expires")
around the Spanish post. Every visible string of the theme goes through gettext (Jinja's
``i18n`` extension, newstyle: ``{{ _("Area") }}``, ``{{ _("Until %(when)s", when=...) }}``),
and the catalog is chosen per page, not per environment: the gettext callables receive the
page's context (``jinja2.pass_context``) and read its language (``page_language``). So ONE
environment serves every language, and a render worker keeps no state but the catalogs it
has read.

Catalogs are the ``.po`` files under ``theme/translations/<code>/LC_MESSAGES/messages.po``,
compiled in memory when first needed (no binary ``.mo`` in git, no build step); fuzzy
entries are left out, so a string a translator has not confirmed shows in English rather
than wrong. A language without a catalog, or a string its catalog lacks, shows the English
(the msgid): never an error. ``scripts/extract_strings.py`` (``make strings``) re-extracts
``messages.pot`` from the templates and ``DATA_MESSAGES``.

Dates: ``when`` formats a moment with Babel for the language's locale ("November 24, 2026,
6:00 PM"; "24 de noviembre de 2026, 6:00 p.m.") on the moment's own clock (Pelican has put
it in the site's time zone).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from pressroom.model.categories import CATEGORIES
from pressroom.model.languages import KNOWN
from pressroom.render.dates import when_text
from pressroom.render.site import THEME_PATH

TRANSLATIONS = THEME_PATH / "translations"
DOMAIN = "messages"

# Strings the pages show that come from data, not from a template's literal: the category
# names and descriptions (``model.categories``), an incident's status
# (``model.incidents.Thread.status``) and a message's kind and default instruction
# (``render.alert_facts``). Templates show them with the ``translated`` filter; the
# extractor adds them to ``messages.pot`` so the Spanish catalog must have them.
DATA_MESSAGES: tuple[str, ...] = (
    *(c.name for c in CATEGORIES), *(c.description for c in CATEGORIES),
    "Active", "Ended", "All clear", "Alert", "Update", "No action needed.",
)


def catalog_path(code: str) -> Path:
    """Where the catalog of language ``code`` lives (it may not exist)."""
    return TRANSLATIONS / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(code: str) -> NullTranslations:
    """Language ``code``'s catalog, compiled in memory; the English (null) one when there is
    none. Read once per process: a build's workers each read the few they render."""
    path = catalog_path(code) if code.isalpha() else None
    if path is None or not path.is_file():
        return NullTranslations()
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=KNOWN[code].locale if code in KNOWN else None)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@cache
def locale_of(code: str) -> str:
    """Babel's locale for a language's dates: English (US) for a language without a catalog
    (its pages read English, so their dates do too) or one pressroom does not know."""
    known = KNOWN.get(code)
    if known is None or (code != "en" and not catalog_path(code).is_file()):
        return "en_US"
    return known.locale


def gettext_for(code: str) -> Callable[[str], str]:
    """The plain gettext of a language, for text Python writes (feed entries)."""
    return translations(code).gettext


def page_language(context: Context | dict[str, Any]) -> str:
    """The language of the page being rendered: its ``page_lang`` (the language of its
    address, ``pressroom.adapter.languages``) or ``lang`` variable when the page has one,
    else its article's (or page's) language, else the site's ``DEFAULT_LANG``."""
    for key in ("page_lang", "lang"):
        lang = context.get(key)
        if isinstance(lang, str) and lang:
            return lang
    for key in ("article", "page"):
        item = context.get(key)
        code = getattr(item, "lang", None) if item is not None else None
        if isinstance(code, str) and code:
            return code
    default = context.get("DEFAULT_LANG")
    return default if isinstance(default, str) and default else "en"


# Jinja's newstyle gettext, each in one call: the extension's own wrappers go through three
# ``Context.call``s per string (``_`` -> ``gettext`` -> the catalog), a cost every page paid
# for each of its forty-odd strings. Same semantics: the catalog's text is markup (it is
# pressroom's code), the variables are escaped into it, and it is always %-formatted.

def _formatted(context: Context, text: str, variables: dict[str, Any]) -> str:
    if context.eval_ctx.autoescape:
        text = Markup(text)
    if not variables and "%" not in text:
        return text  # what % would give, without the formatting pass (most strings)
    return text % variables


@pass_context
def _gettext(context: Context, message: str, /, **variables: Any) -> str:
    text = translations(page_language(context)).gettext(message)
    return _formatted(context, text, variables)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int, /,
              **variables: Any) -> str:
    variables.setdefault("num", n)
    text = translations(page_language(context)).ngettext(singular, plural, n)
    return _formatted(context, text, variables)


@pass_context
def _pgettext(context: Context, msgctxt: str, message: str, /, **variables: Any) -> str:
    variables.setdefault("context", msgctxt)
    text = translations(page_language(context)).pgettext(msgctxt, message)
    return _formatted(context, text, variables)


@pass_context
def _npgettext(context: Context, msgctxt: str, singular: str, plural: str, n: int, /,
               **variables: Any) -> str:
    variables.setdefault("context", msgctxt)
    variables.setdefault("num", n)
    text = translations(page_language(context)).npgettext(msgctxt, singular, plural, n)
    return _formatted(context, text, variables)


@pass_context
def translated(context: Context, value: Any) -> str:
    """A string from data (a category name, a status) in the page's language, as it is
    when the catalog lacks it. Unlike ``_()`` it never %-formats: data may hold a "%"."""
    text = "" if value is None else str(value)
    return translations(page_language(context)).gettext(text) if text else text


@pass_context
def when(context: Context, moment: date, with_time: bool = False) -> str:
    """``moment`` as the page's language writes a date (and its time, unless midnight)."""
    return when_text(moment, with_time, locale_of(page_language(context)))


def install(env: Environment) -> None:
    """Give ``env`` the i18n extension with the per-page catalogs, the ``translated``
    filter and the ``format_when`` global (the theme's ``when`` macro calls it)."""
    env.add_extension("jinja2.ext.i18n")  # {% trans %}, compiled for newstyle gettext
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext,
                       npgettext=_npgettext)
    env.filters["translated"] = translated
    env.globals["format_when"] = when
