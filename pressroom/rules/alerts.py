"""392.4 (e): what the alerting profiles refuse, found at ``check`` time, and what the PIO sees.

The CAP writer (``pressroom.render.cap``) produces what IPAWS (the OASIS "CAP v1.2 USA IPAWS
Profile") and Google Public Alerts accept only if the post gives it valid material: WEA texts
that fit a phone's 90 and 360 GSM-7 characters, values Google takes (no ``Unknown``), an area.
A build is the wrong moment to learn that, so these findings are made with the other rules
(the hook, ``check``, the build and publish all run them) at the field's line, in words a PIO
understands. ``alert_summary`` is the information block ``check`` and the review sheet show
for each alert: the WEA texts (written or derived), their lengths, whether the alert meets
WEA's "Imminent Threat" thresholds and its SAME event code. The wording rules (headline,
instruction, jargon, times) are ``pressroom.rules.alert_wording``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pressroom.model import alerts
from pressroom.model.content import CAP_VALUES, Post
from pressroom.model.frontmatter import Field
from pressroom.model.incidents import message_areas
from pressroom.model.languages import KNOWN, Languages
from pressroom.model.translations import translation_sets
from pressroom.model.violations import Violation
from pressroom.rules.document import Document

# (front-matter key, name as the PIO writes it, limit in septets)
WEA_FIELDS = (("wea-text", "WEA-Text", alerts.WEA_TEXT_MAX),
              ("wea-long-text", "WEA-Long-Text", alerts.WEA_LONG_TEXT_MAX))
_EXTENSION = "€[]{}|^~\\"
_GOOGLE_VALUES = ("urgency", "severity", "certainty")


def is_alert(doc: Document) -> bool:
    category = doc.header.fields.get("category")
    return category is not None and category.value == "safety-alerts"


def check_alert_profile(doc: Document) -> list[Violation]:
    """ALERT-WEA-LENGTH, ALERT-WEA-CHARACTERS and ALERT-GOOGLE for a safety alert."""
    if not is_alert(doc):
        return []
    fields = doc.header.fields
    problems = []
    lang = fields["lang"].value if "lang" in fields else ""
    for key, name, limit in WEA_FIELDS:
        found = fields.get(key)
        if found is not None and found.value:
            problems += _wea_problems(doc.path, found, name, limit, lang)
    for key in _GOOGLE_VALUES:
        found = fields.get(key)
        if found is not None and found.value == "Unknown":
            problems.append(Violation(
                doc.path, found.line, "ALERT-GOOGLE",
                f"'{found.name}: Unknown': Google Public Alerts refuses an alert whose "
                f"{key} is Unknown; give the best value you have: "
                f"{', '.join(v for v in CAP_VALUES[key] if v != 'Unknown')}"))
    response = fields.get("response")
    if response is not None and response.value == "AllClear":
        for key in ("urgency", "severity"):
            found = fields.get(key)
            if found is not None and found.value in alerts.IMMINENT_THREAT[key]:
                problems.append(Violation(
                    doc.path, found.line, "ALERT-ALL-CLEAR",
                    f"'{found.name}: {found.value}' on an all-clear tells phones and "
                    f"aggregators the danger is current (it was carried from the earlier "
                    f"message?): delete the line; an all-clear is Urgency Past, Severity "
                    f"Minor, Certainty Observed"))
    event = fields.get("event")
    if event is not None and len(event.value) > alerts.EVENT_MAX:
        problems.append(Violation(
            doc.path, event.line, "ALERT-GOOGLE",
            f"'Event' is {len(event.value)} characters; Google Public Alerts takes at most "
            f"{alerts.EVENT_MAX}: name the kind of event, e.g. Police activity, Gas leak"))
    for key in ("polygon", "circle"):
        found = fields.get(key)
        if found is not None and (bad := off_the_map(found.value)):
            problems.append(Violation(
                doc.path, found.line, "ALERT-GOOGLE",
                f"{found.name} point {bad!r} is not on the map (latitude -90 to 90, "
                f"longitude -180 to 180, as lat,lon): Google Public Alerts and IPAWS refuse it"))
    if "area" not in fields and "incident" not in fields:
        # An update (``Incident:``) without an Area takes its incident's, as the CAP writer
        # does (``render.cap``: the thread's area); a lone alert would get the department's
        # name, which says nothing about where.
        line = fields["category"].line
        problems.append(Violation(
            doc.path, line, "ALERT-GOOGLE",
            "a safety alert needs 'Area:' saying where, in words (Google Public Alerts and "
            "IPAWS refuse an alert without an area), e.g. Area: Elm Street between 4th and "
            "6th Streets"))
    return problems


def off_the_map(value: str) -> str:
    """The first "lat,lon" of a Polygon or Circle outside WGS 84's range ("" when none);
    the form itself is ``FRONT-ALERT``'s (``model.content``)."""
    for point in value.split():
        lat, sep, lon = point.partition(",")
        try:
            if sep and not (-90 <= float(lat) <= 90 and -180 <= float(lon) <= 180):
                return point
        except ValueError:
            continue  # not a point: FRONT-ALERT says so
    return ""


# Why a translation's WEA text must be GSM-7 too, in the PIO's terms (docs/languages.md).
GSM7_BY_LANGUAGE = {
    "es": ("Spanish alerts reach phones in the same GSM-7 alphabet (3GPP TS 23.038: a "
           "Spanish cell broadcast uses the GSM 7-bit default alphabet), which has é, ñ, ü, "
           "¿ and ¡ but not á, í, ó or ú: write those vowels without the accent"),
}


def _wea_problems(path: str, found: Field, name: str, limit: int,
                  lang: str = "") -> list[Violation]:
    problems = []
    length = alerts.gsm7_length(found.value)
    if length > limit:
        doubled = sorted({ch for ch in found.value if ch in alerts.GSM7_EXTENSION
                          and ch in _EXTENSION})
        counted = (f" ({''.join(doubled)} count two each)" if doubled
                   else f" ({_EXTENSION} count two each)")
        problems.append(Violation(
            path, found.line, "ALERT-WEA-LENGTH",
            f"{name} is {length} characters as a phone counts them{counted}; phones show "
            f"at most {limit}: shorten it by {length - limit}"))
    bad = alerts.not_gsm7(found.value)
    if bad:
        why = GSM7_BY_LANGUAGE.get(lang, "")
        problems.append(Violation(
            path, found.line, "ALERT-WEA-CHARACTERS",
            f"{name} has characters phones cannot show (GSM-7): "
            f"{', '.join(_replacement(ch) for ch in bad)}" + (f"; {why}" if why else "")))
    return problems


def _replacement(ch: str) -> str:
    """"’ (use ')", "🚨 (leave it out)": the plain form ``to_gsm7`` would write."""
    plain = alerts.to_gsm7(ch) if not ch.isspace() else " "
    shown = repr(ch)[1:-1] if not ch.isprintable() else ch
    if plain.strip():
        return f"{shown} (use {plain.strip()})"
    if plain == " " or ch.isspace():
        return f"{shown} (use a plain space)"
    return f"{shown} (leave it out)"


@dataclass(frozen=True)
class AlertSummary:
    """What ``check`` and the review sheet show for one alert (information, not a finding)."""

    path: str
    title: str
    wea_text: str
    wea_text_length: int
    wea_text_written: bool
    wea_long_text: str
    wea_long_text_length: int
    wea_long_text_written: bool
    imminent_threat: bool
    imminent_threat_gaps: tuple[str, ...]
    event_code: str
    event_name: str
    test: bool = False  # ``Status: test``: CAP only, never on a page
    # A WEA-Text / WEA-Long-Text the PIO wrote that phones cannot take (the finding says why):
    # shown beside the derived text CAP would carry instead.
    refused: tuple[tuple[str, str], ...] = ()
    # For an alert in more than one language: whose phones get this block, e.g.
    # "Español (es-US block)"; "" for an alert in the site's language alone.
    language: str = ""


def alert_summary(post: Post, default_event_code: str = alerts.DEFAULT_EVENT_CODE,
                  area: str | None = None, lang: str = "en",
                  language: str = "") -> AlertSummary:
    """The WEA texts, Imminent Threat verdict and SAME event code of a safety alert.

    The texts are those its CAP document carries (``alerts.phone_texts_in``, in the post's
    language ``lang``); ``area`` is where the message is about when it has no Area of its
    own (``incidents.message_areas``: its incident's in its language), so an update is
    shown with the area its CAP document names. A written text phones cannot take is shown
    as refused beside the derived one CAP carries. ``language`` names the block."""
    area = post.area if area is None else area
    texts = alerts.phone_texts_in(lang, post.alert, post.title, post.summary, area) \
        or alerts.WeaTexts("", "", False, False)
    refused = tuple((name, post.alert.get(key, "")) for key, name, _ in WEA_FIELDS
                    if post.alert.get(key) and post.alert.get(key) not in (
                        texts.text, texts.long_text))
    gaps = alerts.imminent_threat_gaps(post.alert)
    code = alerts.event_code(post.alert, default_event_code)
    return AlertSummary(
        path=post.path, title=post.title,
        wea_text=texts.text, wea_text_length=alerts.gsm7_length(texts.text),
        wea_text_written=texts.text_written,
        wea_long_text=texts.long_text,
        wea_long_text_length=alerts.gsm7_length(texts.long_text),
        wea_long_text_written=texts.long_text_written,
        imminent_threat=not gaps, imminent_threat_gaps=tuple(gaps),
        event_code=code, event_name=alerts.SAME_EVENT_CODES.get(code, ""),
        test=post.is_test, refused=refused, language=language)


def alert_summaries(posts: Sequence[Post], default_event_code: str, languages: Languages,
                    wanted: Callable[[Post], bool] = lambda post: True) -> list[AlertSummary]:
    """``alert_summary`` of every safety alert among ``posts`` that is ``wanted``: an alert
    in more than one language shows what phones set to each would get, its original's block
    first, then each translation's (in ``[languages] translations`` order), each with the
    area of its own language's messages (an update is never shown with another language's
    area). ``check`` and the review sheet both list them this way."""
    found = [p for p in posts if p.category == "safety-alerts"]
    default = languages.default.code
    by_language: dict[str, list[Post]] = {}
    for post in found:
        by_language.setdefault(languages.of(post.lang), []).append(post)
    areas: dict[str, str] = {}
    for group in by_language.values():
        areas.update(message_areas(group))
    sets = translation_sets(found, default)
    order = {code: i for i, code in enumerate(languages.codes)}

    def summary(post: Post, multilingual: bool) -> AlertSummary:
        code = languages.of(post.lang)
        known = languages.get(code) or KNOWN.get(code)
        name = f"{known.name} ({known.cap} block)" if known else code
        return alert_summary(post, default_event_code, areas[post.path], code,
                             name if multilingual else "")

    shown: list[AlertSummary] = []
    for post in found:
        if not wanted(post):
            continue
        group = sets.get(post.slug)
        translations = sorted((group.translations.values() if group else ()),
                              key=lambda p: (order.get(p.lang, len(order)), p.lang))
        if languages.of(post.lang) != default:  # shown after its original when that is
            if group is not None and group.original is not None and wanted(group.original) \
                    and group.translations.get(post.lang) is post:
                continue
            shown.append(summary(post, True))
            continue
        shown.append(summary(post, bool(translations)))
        shown += [summary(t, True) for t in translations if wanted(t)]
    return shown


def summary_rows(summary: AlertSummary) -> list[tuple[str, str]]:
    """What phones would get, as (label, value) rows: one wording for ``check`` and the
    review sheet."""
    def how(written: bool) -> str:
        return "written" if written else "derived"

    threat = "yes" if summary.imminent_threat else "no: " + "; ".join(
        summary.imminent_threat_gaps)
    name = f" ({summary.event_name})" if summary.event_name else ""
    return [
        *((("Phones set to", summary.language),) if summary.language else ()),
        (f"WEA text ({how(summary.wea_text_written)}, {summary.wea_text_length}/"
         f"{alerts.WEA_TEXT_MAX})", summary.wea_text),
        (f"WEA long text ({how(summary.wea_long_text_written)}, "
         f"{summary.wea_long_text_length}/{alerts.WEA_LONG_TEXT_MAX})", summary.wea_long_text),
        *((f"{name} as written (refused: see the finding; "
           f"{alerts.gsm7_length(text)} characters)", text) for name, text in summary.refused),
        ("Imminent Threat", threat),
        ("SAME event code", f"{summary.event_code}{name}"),
    ]


def summary_lines(summary: AlertSummary) -> list[str]:
    """The summary as a few indented lines of ``pressroom check`` output."""
    return [f"{summary.path}: alert information (not a finding)"
            + (" — Status: test, CAP only" if summary.test else ""),
            *(f"  {label}: {value}" for label, value in summary_rows(summary))]
