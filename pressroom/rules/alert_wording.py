"""392.4 (e): an alert's words must let the public act — what and where, what to do, plainly.

An alert is read in a hurry, on a phone, by people who are not police: a title that says
"Update" says nothing, "Residents are advised to..." hides the instruction, "BOLO" and "10-99"
are the radio's words, and "1800 hours" has to be worked out before it is understood. The
rules run over every text of a safety alert the public sees (Title, Summary, Area, body,
Instruction and the WEA texts), with code and pressroom comments masked like every rule
(``pressroom.rules.document``); word lists are data (``defaults.toml`` ``[alerts]``, extended
by ``policy/rules.toml``). Findings in the body can be allowed with
``<!-- pressroom: allow RULE -- reason -->``. A post in another language (``Lang: es``)
is read with its language's lists too (``[alerts.es]``: ``RuleConfig.for_language``, which
the engine applies); words are compared folded (accents dropped), so "Quédese" is "quedese".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from pressroom.model.alerts import HEADLINE_MAX
from pressroom.model.violations import Violation
from pressroom.rules.alerts import is_alert
from pressroom.rules.characters import fold
from pressroom.rules.config import RuleConfig
from pressroom.rules.document import Document, Segment, search
from pressroom.rules.lazy import LazyPattern, lazy

SECTION = "392.4 (e)"
_EXTRA_FIELDS = ("instruction", "wea-text", "wea-long-text")  # the prose has the others

# --- what and where -----------------------------------------------------------------------
_STREET = (r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|"
           r"Place|Pl|Highway|Hwy|Freeway|Fwy|Parkway|Pkwy|Park|Plaza|Square|Sq|Circle|Cir|"
           r"Trail|Terrace|Expressway|Bridge|Mall|Center|Centre|Station|School|Campus|"
           r"Canyon|Creek|River|Beach|Lake|Hill|Hills|Heights|Village|Estates|Tunnel)")
PLACE = lazy(
    rf"\b[A-Z0-9][\w'.-]*\s+{_STREET}\b"                      # Elm Street, 5th Ave, Main St
    r"|\b(?:I|SR|US|CA|Interstate|Highway|Route|State Route)[- ]?\d{1,3}\b"  # I-10, Route 66
    r"|\b\d{1,5}\s+block\b|\b(?i:downtown)\b"                  # the 400 block, downtown
    r"|\b(?i:on|near|at|in|along|around|off|outside|inside|behind|across|between|from|"
    r"downtown|north of|south of|east of|west of|en|cerca de|entre|junto a|frente a)\s+"
    r"(?:(?:the|la|el|los|las)\s+)?(?:\d+(?:st|nd|rd|th)\b|"
    r"[A-Z][\w'-]+)"                                           # near Northside, on Elm
)
_STOP = frozenset(re.findall(r"\w+", "a an and the of for to in on at near is are has have be "
                             "been with by from this that it its our your "
                             "de la el los las en y del un una para con por"))
_PLACE_WORDS = frozenset(re.findall(r"\w+", "street streets st avenue avenues ave road rd "
                                    "boulevard blvd drive dr lane ln way court ct place "
                                    "between block area north south east west city county"))

# --- jargon found by pattern ----------------------------------------------------------------
_COUNTED = (r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|year-olds?|feet|ft|"
            r"foot|miles?|mi|inches|pounds|lbs|mph|yards?|times|people|persons|cars|vehicles|"
            r"officers|percent|%|a\.?m\b|p\.?m\b|o'clock)")
JARGON_PATTERNS: tuple[tuple[LazyPattern, str, str], ...] = (
    (lazy(rf"(?<![\w./-])(?<!ages )(?<!aged )(?<!from )(?<!between )1[01]-\d{{1,3}}"
          rf"(?![\w/-]|\.\d|\s*{_COUNTED})", re.I),
     "a radio 10-code", "say what it means in plain words"),
    (lazy(r"(?<![\w-])(?<!Penal )(?<!Vehicle )(?i:code)\s+[1-9](?![\w.,]\d|\d)"),
     "a radio code", "say what it means, e.g. 'officers responded with lights and sirens'"),
    (lazy(r"(?<![Aa]partment )(?<![Ss]uite )(?<![Ss]torage )(?<!#)\b[Uu]nits?\s+#?"
          r"(?:\d{1,4}|\d{1,2}[A-Z]\d{1,3})(?![\w-])"),
     "a unit number", "say 'officers' or 'an officer'"),
    (lazy(r"\b(?:\d{1,2}-?(?=[A-Z][a-z]+-?\d)|(?=[A-Z][a-z]+-\d))(?:Adam|Boy|Charles|David|Edward|Frank|George|Henry|Ida|John|King|"
          r"Lincoln|Mary|Nora|Ocean|Paul|Queen|Robert|Sam|Tom|Union|Victor|William|Young|"
          r"Zebra)-?\d{1,3}\b"),
     "a unit call sign", "say 'officers' or 'an officer'"),
    (lazy(r"\b\d{2,5}(?:\.\d+)?(?:\([A-Za-z0-9]{1,3}\))*\s*(?:PC|HS|H&S|VC|WIC|W&I|B&P|BP)"
          r"(?![\w&])"
          r"|(?<![\w&])(?:PC|HS|H&S|VC|WIC|W&I)\s*(?:§\s*)?\d{2,5}(?:\.\d+)?"
          r"(?:\([A-Za-z0-9]{1,3}\))*(?![\w.]\d|\d)"),
     "a code section", "name the offense in words, e.g. 'burglary' or 'driving under "
     "the influence'"),
    (lazy(r"(?i:\b(?:is|was|a|an|on a|for a)\s+(?P<term>5150)\b|\b(?P<held>5150)\s+"
          r"(?:hold|call|detention|subject|patient|evaluation)\b)"),
     "police shorthand for a mental health hold",
     "say 'a mental health evaluation' or 'a person in crisis'"),
)

# --- numbers and times read aloud ------------------------------------------------------------
MILITARY = lazy(r"(?<![\w:.,$-])(?:([01]?\d|2[0-3])([0-5]\d)\s*(?:-|to)\s*)?"
                r"([01]\d|2[0-3])([0-5]\d)\s*(?i:hours|hrs?)(?!\w)")
CLOCK_24 = lazy(r"(?<![\w:.$-])(0\d|1[3-9]|2[0-3]):([0-5]\d)(?![\d:])"
                r"(?!\s*(?i:a\.?m\b|p\.?m\b))")
ISO_DATE = lazy(r"(?<![\w-])(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?![\w-])")
APPROX = lazy(r"(?i)\b(?:approx|appx|apprx)\b\.?")
_MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
           "Nov.", "Dec.")


def check_alert_wording(doc: Document, config: RuleConfig, english: bool = True
                        ) -> list[Violation]:
    """ALERT-HEADLINE, ALERT-INSTRUCTION, ALERT-JARGON and ALERT-READABLE for an alert.
    ``english``: the post is in English (else the times and dates ALERT-READABLE suggests
    are not spelled out in English words, and a 24-hour clock, usual in Spanish, is kept)."""
    if not is_alert(doc):
        return []
    texts = [*doc.prose, *_field_segments(doc)]
    return (_headline(doc, config) + _instruction(doc, config)
            + list(_jargon(doc.path, texts, config))
            + list(_readable(doc.path, texts, english)))


def _field_segments(doc: Document) -> list[Segment]:
    """Instruction and the WEA texts (the header fields the prose blanks), one segment each."""
    return [Segment.of(found.line, fold(found.value), key) for key in _EXTRA_FIELDS
            if (found := doc.header.fields.get(key)) is not None and found.value]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", fold(text).lower())


def names_a_place(title: str, area: str) -> bool:
    """Whether ``title`` says where: a place form (on Elm Street, I-10, the 400 block, near
    Northside Park) or a distinctive word of the alert's Area."""
    if PLACE.search(title):
        return True
    title_words = set(_words(title))
    return any(word in title_words for word in _words(area)
               if word not in _STOP and word not in _PLACE_WORDS and len(word) > 2)


def is_generic(title: str, generic: tuple[str, ...]) -> bool:
    """Whether ``title`` is only generic words ("Update", "Police activity: alert")."""
    rest = " " + " ".join(_words(title)) + " "
    for phrase in sorted(generic, key=len, reverse=True):
        rest = rest.replace(f" {' '.join(_words(phrase))} ", " ")
    return not [w for w in rest.split() if w not in _STOP]


def _headline(doc: Document, config: RuleConfig) -> list[Violation]:
    title = doc.header.fields.get("title")
    if title is None or not title.value:
        return []
    area = doc.header.fields.get("area")
    generic = is_generic(title.value, config.alert_generic_headlines)
    place = names_a_place(title.value, area.value if area is not None else "")
    if len(title.value) > HEADLINE_MAX:  # the CAP writer cuts <headline> there
        return [Violation(doc.path, title.line, "ALERT-HEADLINE",
                          f"the title is {len(title.value)} characters; CAP and the alerting "
                          f"apps show {HEADLINE_MAX}: say what and where in fewer words "
                          f"({SECTION})")]
    if not generic and place:
        return []
    if generic:
        what = f"the title {title.value!r} says neither what happened nor where"
    else:
        what = f"the title {title.value!r} does not say where"
    return [Violation(doc.path, title.line, "ALERT-HEADLINE",
                      f"{what}; a headline names the danger and the place, e.g. 'Gas leak on "
                      f"Citrus Avenue: avoid the area' ({SECTION})")]


_ADDRESS = re.compile(r"^[^.:;!?]{1,80}:\s+")  # "Residents between 4th and 6th Streets: ..."
# An addressee before a comma ("Parents, do not come", "Drivers on Elm Street, use Oak
# Avenue"): at most five words, none a verb that would make it a statement ("Officers are
# searching, stay inside" still is one). Tried only when the first word is not already an
# imperative ("Stay, officers are here").
_VOCATIVE = re.compile(r"^(?![^,]*\b(?i:is|are|was|were|be|been|has|have|had|will|would|"
                       r"should|must|can|could|may|might)\b)"
                       r"(?:[A-Za-z'\u2019-]+\s+){0,4}[A-Za-z'\u2019-]+,\s+")
_CONDITION = re.compile(r"^(?i:if|when|until|while|before|after|once|for|during|from|in|on|"
                        r"between|as soon as|si|cuando|hasta que|mientras|antes de|"
                        r"despues de|en caso de|durante)\b[^.;!?]{0,120}?,\s*")
_INDIRECT = lazy(
    r"(?i)^(?:residents|people|the public|everyone|motorists|drivers|citizens|you|we|"
    r"community members|members of the public)\s+(?:are|is|should|must|may|can|will|"
    r"need to|are being)\b|^it\s+is\s+(?:recommended|advised|suggested|requested|asked)"
    r"|^(?:the\s+)?(?:police|department)\s+(?:asks?|advises?|recommends?|urges?|requests?)")


def first_verb(instruction: str) -> str:
    """The word an instruction's first sentence starts with, after "Please" and after an
    addressee ("Residents on Elm Street:") or a condition ("If you see him,")."""
    text = fold(instruction).strip()
    for _ in range(2):
        text = re.sub(r"^(?i:please|por favor)\b[\s,]*", "", text)
        text = _ADDRESS.sub("", text, count=1)
        text = _CONDITION.sub("", text, count=1)
    words = re.findall(r"[A-Za-z][A-Za-z']*", text)
    return words[0].lower().replace("\u2019", "'") if words else ""


def _instruction(doc: Document, config: RuleConfig) -> list[Violation]:
    fields = doc.header.fields
    found = fields.get("instruction")
    response = fields.get("response")
    if response is not None and response.value in ("AllClear", "None"):
        return []  # the danger is over, or nothing is asked of the public
    if found is None or not found.value:
        where = found.line if found is not None else fields["category"].line
        return [Violation(doc.path, where, "ALERT-INSTRUCTION",
                          "the alert says nothing about what to do: add 'Instruction:' in "
                          "words, e.g. Instruction: Avoid Elm Street between 4th and 6th "
                          f"Streets (phones show it; {SECTION})")]
    verbs = config.alert_imperative_verbs
    imperative = first_verb(found.value) in verbs or first_verb(
        _VOCATIVE.sub("", found.value.strip(), count=1)) in verbs
    if imperative and not _INDIRECT.search(found.value):
        return []
    start = " ".join(found.value.split()[:4])
    return [Violation(doc.path, found.line, "ALERT-INSTRUCTION",
                      f"the instruction starts {start!r}...: start with what to do, e.g. "
                      f"'Avoid Elm Street', 'Stay indoors', 'Call 911 if you see him' "
                      f"({SECTION})")]


@lru_cache(maxsize=64)
def _jargon_pattern(term: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(word) for word in term.split())
    if term.upper() == term:  # BOLO, RP: capitals only, so "rp" in a word never counts
        return re.compile(rf"(?<![\w/&-]){body}(?![\w/&-])")
    return re.compile(rf"(?<![\w/&-]){body}(?![\w/&-])", re.I)


def _jargon(path: str, texts: list[Segment], config: RuleConfig) -> Iterator[Violation]:
    for term, plain in config.alert_jargon:
        for hit in search(_jargon_pattern(term), texts):
            yield Violation(path, hit.line, "ALERT-JARGON",
                            f"{hit.text!r} is police shorthand the public may not know; "
                            f"say '{plain}' ({SECTION})")
    for pattern, what, advice in JARGON_PATTERNS:
        for hit in search(pattern, texts):
            term = next((t for t in hit.match.groupdict().values() if t), hit.text.strip())
            yield Violation(path, hit.line, "ALERT-JARGON",
                            f"{term!r} is {what}, which the public may not "
                            f"understand; {advice} ({SECTION})")


def spoken_time(hour: int, minute: int) -> str:
    """18, 30 -> "6:30 p.m."; 12, 0 -> "noon"; 0, 0 -> "midnight" (AP style)."""
    if minute == 0 and hour in (0, 12):
        return "midnight" if hour == 0 else "noon"
    suffix = "a.m." if hour < 12 else "p.m."
    shown = hour % 12 or 12
    return f"{shown}{f':{minute:02d}' if minute else ''} {suffix}"


def spoken_date(month: int, day: int) -> str:
    """11, 24 -> "Nov. 24"."""
    return f"{_MONTHS[month - 1]} {day}"


def _readable(path: str, texts: list[Segment], english: bool = True) -> Iterator[Violation]:
    def found(hit_line: int, text: str, say: str) -> Violation:
        return Violation(path, hit_line, "ALERT-READABLE",
                         f"{text!r} is hard to read aloud; write {say} ({SECTION})")

    for hit in search(MILITARY, texts, word_triggers=(" hours ", " hrs ", " hr ")):
        start, end = hit.match.group(1, 2), hit.match.group(3, 4)
        say = spoken_time(int(end[0]), int(end[1]))
        if start[0] is not None:  # "0930-1130 hours": 9:30 to 11:30 a.m.
            say = f"{spoken_time(int(start[0]), int(start[1]))} to {say}"
        yield found(hit.line, hit.text.strip(), f"'{say}'" if english else "the time")
    if not english:  # "18:30" is how Spanish writes a time; "approx." is English
        for hit in search(ISO_DATE, texts, ("-",)):
            yield found(hit.line, hit.text, "the date in words")
        return
    for hit in search(CLOCK_24, texts, (":",)):
        hour, minute = int(hit.match.group(1)), int(hit.match.group(2))
        yield found(hit.line, hit.text, f"'{spoken_time(hour, minute)}'")
    for hit in search(ISO_DATE, texts, ("-",)):
        month, day = int(hit.match.group(2)), int(hit.match.group(3))
        yield found(hit.line, hit.text, f"the date in words, e.g. '{spoken_date(month, day)}'")
    for hit in search(APPROX, texts, word_triggers=(" approx ", " appx ", " apprx ")):
        yield found(hit.line, hit.text, "'about'")
