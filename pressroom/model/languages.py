"""The languages a department publishes in (issue #14): data, not code.

Residents who read Spanish (or another language) are owed the same safety notices (DOJ
language-access guidance; the FCC requires Spanish Wireless Emergency Alerts). The site's
own language (``[site] language``) is the default: a post without ``Lang:`` is in it. A
department lists the other languages posts are translated into (``[languages]
translations``) and those every safety alert and incident update must have
(``required``; TRANSLATION-MISSING).

Each language carries what the rest of pressroom needs of it: the ``Lang:`` code (also its
address prefix, ``es/``), its name in itself (the language switch), the CAP
``<language>`` value (RFC 3066, e.g. ``es-US``) and the Babel locale for dates and
interface strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LANG_CODE = re.compile(r"^[a-z]{2,3}$")  # ISO 639-1/-3, lower case: also a folder name


@dataclass(frozen=True)
class Language:
    """One language: ``code`` (the ``Lang:`` value), ``name`` (in that language), ``cap``
    (CAP ``<language>``) and ``locale`` (Babel's name for dates and catalogs)."""

    code: str
    name: str
    cap: str
    locale: str


# The FCC's Wireless Emergency Alert languages (47 CFR 10.480, 2023) and a few more
# common in US cities; a code not here is refused with this list (no guessing).
KNOWN: dict[str, Language] = {lang.code: lang for lang in (
    Language("en", "English", "en-US", "en_US"),
    Language("es", "Español", "es-US", "es_US"),
    Language("ar", "العربية", "ar", "ar"),
    Language("zh", "中文", "zh-CN", "zh_Hans_CN"),
    Language("fr", "Français", "fr-US", "fr"),
    Language("de", "Deutsch", "de-US", "de"),
    Language("ht", "Kreyòl ayisyen", "ht-US", "fr_HT"),
    Language("ja", "日本語", "ja-US", "ja"),
    Language("ko", "한국어", "ko-US", "ko"),
    Language("pt", "Português", "pt-US", "pt"),
    Language("ru", "Русский", "ru-US", "ru"),
    Language("tl", "Tagalog", "tl-US", "fil"),
    Language("vi", "Tiếng Việt", "vi-US", "vi"),
    Language("hy", "Հայերեն", "hy-US", "hy"),
    Language("fa", "فارسی", "fa-US", "fa"),
    Language("so", "Soomaali", "so-US", "so"),
)}
# Languages written right to left: the page's ``dir`` attribute.
RIGHT_TO_LEFT = frozenset({"ar", "fa"})


@dataclass(frozen=True)
class Languages:
    """The department's languages: ``default`` first, then ``translations`` (in the order
    the department lists them); ``required`` is a subset of ``translations``."""

    default: Language = KNOWN["en"]
    translations: tuple[Language, ...] = ()
    required: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[Language, ...]:
        return (self.default, *self.translations)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.all)

    def get(self, code: str) -> Language | None:
        return next((lang for lang in self.all if lang.code == code), None)

    def of(self, lang: str) -> str:
        """A post's language: its ``Lang:``, or the default when it has none."""
        return lang or self.default.code

    def prefix(self, code: str) -> str:
        """The address prefix of a language's pages: "" for the default, "es/" otherwise."""
        return "" if code in ("", self.default.code) else f"{code}/"

    def settings(self) -> list[dict[str, str]]:
        """The languages as Pelican settings and templates read them (PRESSROOM_LANGUAGES)."""
        return [{"code": lang.code, "name": lang.name, "cap": lang.cap,
                 "locale": lang.locale, "prefix": self.prefix(lang.code),
                 "dir": "rtl" if lang.code in RIGHT_TO_LEFT else "ltr",
                 "required": lang.code in self.required}
                for lang in self.all]


# What a translator may write instead of the code: its name in English or in itself.
_NAMES = {name.casefold(): lang.code for lang in KNOWN.values()
          for name in (lang.name, lang.code.upper())} | {
    "english": "en", "spanish": "es", "castellano": "es", "arabic": "ar", "chinese": "zh",
    "french": "fr", "german": "de", "haitian creole": "ht", "creole": "ht",
    "japanese": "ja", "korean": "ko", "portuguese": "pt", "russian": "ru",
    "filipino": "tl", "vietnamese": "vi", "armenian": "hy", "persian": "fa", "farsi": "fa",
    "somali": "so"}


def language_problem(code: object) -> str:
    """Why ``code`` cannot be a language of the site, or ""."""
    if not isinstance(code, str) or not LANG_CODE.match(code):
        text = str(code).strip().casefold()
        meant = _NAMES.get(text) or (text[:2] if text[:2] in KNOWN and text[2:3] in "-_"
                                     else "")
        hint = f"; did you mean {meant!r}?" if meant else ""
        return (f"{code!r} is not a language code (two or three lower-case letters, e.g. "
                f"\"es\"){hint}")
    if code not in KNOWN:
        return (f"{code!r} is not a language pressroom knows (known: {', '.join(sorted(KNOWN))})")
    return ""
