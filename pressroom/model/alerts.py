"""392.4 (e): what the alerting profiles ask of a safety alert, as pure data and functions.

The CAP documents pressroom writes are read by systems stricter than the CAP 1.2 schema:
FEMA's IPAWS (the OASIS "CAP v1.2 USA IPAWS Profile v1.0"), which relays to Wireless
Emergency Alerts (WEA) on phones, and Google Public Alerts. This module holds what those
profiles decide about one alert — the WEA texts and their character set, whether the alert
meets the "Imminent Threat" thresholds, the SAME event code, and the values an all-clear
takes by default — so that ``check`` (findings for the PIO), the review and the CAP writer
(``pressroom.render.cap``) all say the same thing. No I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

# WEA texts: CMAMtext (the short text every phone shows) and CMAMlongtext (WEA 3.0).
WEA_TEXT_MAX = 90
WEA_LONG_TEXT_MAX = 360
# Google Public Alerts shows at most 140 characters of a headline (CAP 1.2 suggests 160).
HEADLINE_MAX = 140
EVENT_MAX = 35  # Google Public Alerts: an <event> is a short name of the kind of event

# The GSM 03.38 7-bit default alphabet and its extension table (each extension character
# takes two septets: an escape and the character). WEA texts must survive this alphabet:
# a character outside it is dropped or turned into '?' on some phones.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

# Characters a writer types that have a faithful GSM-7 form.
_TRANSLITERATE = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2026": "...", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2022": "-",
    "\t": " ", "\u00b0": " degrees",
}

# The "Imminent Threat" class of WEA (47 CFR 10.400(b)): each of the three values must be
# one of these for an alert to go to phones as an imminent threat.
IMMINENT_THREAT: dict[str, tuple[str, ...]] = {
    "urgency": ("Immediate", "Expected"),
    "severity": ("Extreme", "Severe"),
    "certainty": ("Observed", "Likely"),
}

# An all-clear says the danger is over: the profiles expect these values (a copy of the
# alert's "Immediate / Severe" would tell phones and aggregators the threat is current).
ALL_CLEAR_DEFAULTS = {"urgency": "Past", "severity": "Minor", "certainty": "Observed"}

# SAME event codes (47 CFR 11.31) a local law-enforcement agency may use. IPAWS requires one
# per ``<info>`` (``<eventCode><valueName>SAME</valueName>``).
SAME_EVENT_CODES: dict[str, str] = {
    "ADR": "Administrative Message",
    "BLU": "Blue Alert",
    "CAE": "Child Abduction Emergency",
    "CDW": "Civil Danger Warning",
    "CEM": "Civil Emergency Message",
    "EVI": "Evacuation Immediate",
    "FRW": "Fire Warning",
    "HMW": "Hazardous Materials Warning",
    "LAE": "Local Area Emergency",
    "LEW": "Law Enforcement Warning",
    "NUW": "Nuclear Power Plant Warning",
    "RHW": "Radiological Hazard Warning",
    "SPW": "Shelter in Place Warning",
    "TOE": "911 Telephone Outage Emergency",
    "DMO": "Practice/Demo Warning",
    "RMT": "Required Monthly Test",
    "RWT": "Required Weekly Test",
}
TEST_EVENT_CODES = ("DMO", "RMT", "RWT")  # only with Status: test (model.content)
EVENT_CODE = re.compile(r"^[A-Z]{3}$")
DEFAULT_EVENT_CODE = "LEW"
DEFAULT_EVENT = "Police activity"  # CAP's <event> when the PIO gives no Event:
# The same in a translation's own <info> block: each block is in its language (CAP 1.2,
# 3.2.2), so a phone or aggregator set to Spanish never reads the English event name.
DEFAULT_EVENTS = {"en": DEFAULT_EVENT, "es": "Actividad policial"}
# What the response asks of people decides the code when the PIO gives none.
EVENT_CODE_BY_RESPONSE = {"Shelter": "SPW", "Evacuate": "EVI"}
SAME_GEOCODE = re.compile(r"^\d{6}$")  # PSSCCC: a FIPS state and county code, P the part


_GSM7_ALL = GSM7_BASIC | GSM7_EXTENSION


def is_gsm7(text: str) -> bool:
    return _GSM7_ALL.issuperset(text)


def not_gsm7(text: str) -> list[str]:
    """The characters of ``text`` outside GSM-7, each once, in order of appearance."""
    return list(dict.fromkeys(ch for ch in text if ch not in _GSM7_ALL))


def gsm7_length(text: str) -> int:
    """Septets ``text`` takes: an extension character ('€', '[', ...) counts two."""
    return len(text) + sum(text.count(ch) for ch in GSM7_EXTENSION)


def to_gsm7(text: str) -> str:
    """``text`` in characters that survive GSM-7: typographic quotes and dashes made plain,
    accents a phone cannot show taken off (Spanish 'á' becomes 'a'; 'é' and 'ñ' stay),
    anything else left out. Whitespace runs become one space."""
    if not is_gsm7(text):  # the usual text is GSM-7 already: only the rest is looked at
        out = []
        for ch in text:
            ch = _TRANSLITERATE.get(ch, ch)
            if is_gsm7(ch):
                out.append(ch)
                continue
            plain = "".join(c for c in unicodedata.normalize("NFKD", ch)
                            if not unicodedata.combining(c))
            out.append("".join(c for c in plain if c in _GSM7_ALL))
        text = "".join(out)
    return re.sub(r"\s+", " ", text).strip()


def _fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` septets at a sentence end, else a word end."""
    if gsm7_length(text) <= limit:
        return text
    cut = text[:limit]  # at most one septet per character
    while gsm7_length(cut) > limit:
        cut = cut[:-1]
    sentence = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if sentence >= limit // 2:
        return cut[:sentence + 1]
    word = cut.rfind(" ")
    return (cut[:word] if word > 0 else cut).rstrip(" ,;:-")


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def derived_wea_text(title: str, instruction: str) -> str:
    """The short text when the PIO wrote none, in GSM-7: the headline and what to do.

    What to do matters most on a phone: when headline and instruction do not fit together,
    the instruction's first sentence goes with the headline, else the instruction alone,
    else its first sentence alone; the headline alone only when there is no instruction."""
    title, instruction = to_gsm7(title), to_gsm7(instruction)  # before the full stops
    if not instruction:
        return _fit(_sentence(title), WEA_TEXT_MAX)
    first = _first_sentence(instruction)
    for candidate in (f"{_sentence(title)} {_sentence(instruction)}",
                      f"{_sentence(title)} {first}", _sentence(instruction), first):
        if gsm7_length(candidate) <= WEA_TEXT_MAX:
            return candidate
    return _fit(first, WEA_TEXT_MAX)


def _first_sentence(text: str) -> str:
    found = re.match(r".+?[.!?](?=\s|$)", text)
    return _sentence(found.group(0) if found else text)


# The word before the area in a derived long text, per language ("Area: Elm Street"); a
# language without one here gives the area alone (never an English word in its text).
AREA_LABEL = {"en": "Area", "es": "Zona"}
# What a text says when its title has no word in it (a title of emoji): English names the
# event (CAP's <event>, written in English); other languages say "alert" in their own words.
ALERT_WORD = {"es": "Alerta"}


def derived_wea_long_text(title: str, summary: str, area: str, instruction: str,
                          lang: str = "en") -> str:
    """The long text when the PIO wrote none: headline, summary, area and what to do, in
    the post's language (``lang``: the area's label is that language's)."""
    title, summary, area, instruction = (to_gsm7(t) for t in (title, summary, area, instruction))
    parts = [_sentence(title), _sentence(summary)]
    if area:
        label = AREA_LABEL.get(lang, "")
        parts.append(_sentence(f"{label}: {area}" if label else area))
    if instruction:
        parts.append(_sentence(instruction))
    return _fit(" ".join(p for p in parts if p), WEA_LONG_TEXT_MAX)


@dataclass(frozen=True)
class WeaTexts:
    """The two WEA texts of an alert and whether the PIO wrote them (else derived)."""

    text: str
    long_text: str
    text_written: bool
    long_text_written: bool


def wea_texts(alert: Mapping[str, str], title: str, summary: str, area: str,
              lang: str = "en") -> WeaTexts:
    """The WEA texts of an alert: ``WEA-Text`` / ``WEA-Long-Text`` as written, else derived.

    ``alert`` is ``Post.alert`` (CAP values with defaults, plus the WEA fields); ``lang`` the
    post's language (a translation's texts are derived from its own title and words)."""
    instruction = alert.get("instruction", "")
    short = alert.get("wea-text", "")
    long = alert.get("wea-long-text", "")
    return WeaTexts(
        text=short or derived_wea_text(title, instruction),
        long_text=long or derived_wea_long_text(title, summary, area, instruction, lang),
        text_written=bool(short), long_text_written=bool(long))


def fits_wea(text: str, limit: int) -> bool:
    """Whether ``text`` can go to phones as is: GSM-7 only and at most ``limit`` septets."""
    return bool(text) and is_gsm7(text) and gsm7_length(text) <= limit


def phone_texts(alert: Mapping[str, str], title: str, summary: str, area: str) -> WeaTexts:
    """What phones get (CAP's ``CMAMtext`` and ``CMAMlongtext``): the PIO's texts when they
    fit WEA, else derived ones — the one answer the CAP writer, ``check`` and the review
    sheet give.

    ``check`` refuses a written text that is too long or has characters outside GSM-7, so a
    published alert carries the PIO's words; this never lets one through either way (a phone
    would cut it or show '?'). A title of emoji alone gives a text naming the event and area.
    """
    texts = phone_texts_in("en", alert, title, summary, area)
    assert texts is not None  # English always has the event's name to fall back on
    return texts


def phone_texts_in(lang: str, alert: Mapping[str, str], title: str, summary: str,
                   area: str) -> WeaTexts | None:
    """``phone_texts`` of a post in language ``lang`` (a translation's own block), or None
    when nothing of its words survives GSM-7 (a language in another script: its block goes
    without WEA texts, and a phone set to it shows the English block's).

    Spanish WEA goes to phones in the GSM 7-bit default alphabet (3GPP TS 23.038, the cell
    broadcast coding WEA uses, codes Spanish as "using the GSM 7 bit default alphabet"), so
    a derived Spanish text keeps é, ñ, ü, ¿ and ¡ (which it has) and writes á, í, ó, ú
    without their accent (``to_gsm7``); a written one must already (ALERT-WEA-CHARACTERS)."""
    alert = dict(alert)
    first = wea_texts(alert, title, summary, area, lang)
    if first.text_written and not fits_wea(first.text, WEA_TEXT_MAX):
        alert.pop("wea-text", None)
    if first.long_text_written and not fits_wea(first.long_text, WEA_LONG_TEXT_MAX):
        alert.pop("wea-long-text", None)
    texts = wea_texts(alert, title, summary, area, lang)
    if not _has_word(texts.text):
        word = (alert.get("event") or DEFAULT_EVENT) if lang == "en" else ALERT_WORD.get(lang, "")
        texts = wea_texts(alert, f"{word}: {area}" if word else area, summary, area, lang)
    if not _has_word(texts.text) and lang != "en":
        return None
    if not texts.long_text:
        texts = WeaTexts(texts.text, texts.text, texts.text_written, False)
    assert fits_wea(texts.text, WEA_TEXT_MAX) and fits_wea(texts.long_text, WEA_LONG_TEXT_MAX)
    return texts


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def imminent_threat_gaps(alert: Mapping[str, str]) -> list[str]:
    """Why an alert is not WEA "Imminent Threat" eligible; empty when it is.

    Each reason names the value and what it would need, e.g. "severity is Moderate (needs
    Extreme or Severe)"."""
    return [f"{name} is {alert.get(name) or 'not set'} (needs {' or '.join(allowed)})"
            for name, allowed in IMMINENT_THREAT.items() if alert.get(name) not in allowed]


def is_imminent_threat(alert: Mapping[str, str]) -> bool:
    return not imminent_threat_gaps(alert)


def event_code(alert: Mapping[str, str], default: str = DEFAULT_EVENT_CODE) -> str:
    """The alert's SAME event code: ``Event-Code`` as written, else by its response
    (Shelter: SPW, Evacuate: EVI), else the department's default (LEW)."""
    return alert.get("event-code") or EVENT_CODE_BY_RESPONSE.get(
        alert.get("response", ""), default)
