"""392.5 (b): information that violates individual rights to privacy.

Identity numbers (SSN, payment cards by Luhn, driver licenses), dates of birth,
private phone numbers and email addresses (the department's own are
allowlisted in ``policy/rules.toml``), exact street addresses (the "500 block
of Main Street" form and intersections are fine), juveniles identified by name,
and health details about a person.
"""

from __future__ import annotations

import re

from pressroom.model.violations import Violation
from pressroom.model.wording import HINT_MARK, supervisor_hint
from pressroom.rules.config import RuleConfig, digits
from pressroom.rules.document import Document, search, search_around, search_digits
from pressroom.rules.juveniles import find_juveniles
from pressroom.rules.lazy import lazy

SSN = lazy(r"(?<![\d-])(\d{3})[- ](\d{2})[- ](\d{4})(?![\d-])")
SSN_NAMED = lazy(r"(?i:\bSSN\b|social security(?: number| no\.?)?)\W{0,5}(\d{9})\b")
CARD = lazy(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
DL_NEAR = lazy(r"(?i)(?:driver'?s?\s+licen[cs]e|\bD\.?L\.?\b|\bCDL\b|licen[cs]e\s+"
                     r"(?:number|no\.?|#))[^.\n]{0,40}?\b([A-Z]\d{4,8}|\d{7,9})\b")
# In Spanish too (a translation, ``Lang: es``): "fecha de nacimiento 14/03/1991", "nacido
# el 14 de marzo de 1991" (the prose is folded: no accents to match).
DOB = lazy(
    r"(?i)\b(?:DOB|D\.O\.B\.?|date of birth|birth ?date|born(?: on)?|fecha de nacimiento|"
    r"f\. ?de ?nac|nacid[oa](?: el)?)\b\.?[:\s,]*"
    r"(?:\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|\d{4}-\d{2}-\d{2}|"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}|"
    r"\d{1,2}\s+de\s+(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|"
    r"setiembre|octubre|noviembre|diciembre)\s+(?:de\s+)?\d{4})")
# Ten digits however a person writes them: (626) 555-0198, 626.555.0199, +1 626 555 0197,
# 626/555-0192, 626-5550193, 6265550196; or seven with a hyphen (555-0195), the local form.
# A year-led case number (2026-004512), a date, a ZIP+4 (91702-1234) or a DR number
# (26-1234567) never has three digits standing alone before its first separator.
PHONE = lazy(r"(?<![\w-])(?:(?:\+?1[-.\s]?)?\(?(?P<area>[2-9]\d{2})\)?[-.\s/]?"
             r"(?P<exchange>\d{3})[-.\s]?(?P<line>\d{4})"
             r"|(?<![$.,/])(?P<local>[2-9]\d{2})-(?P<local_line>\d{4})(?!\s*(?:hours|hrs)\b))"
             r"(?![\w-])")
# A number labelled as a case, report or booking number is the department's record, not a
# phone, when it is written without a phone's separators (report #2026004512, DR 555-0195).
RECORD_LABEL = lazy(
    r"(?i)(?:\b(?:case|report|incident|file|DR|booking|citation|warrant|badge|permit|"
    r"reference|ref|item|event|CAD)\b\.?\s*(?:(?:no|number|num)\b\.?\s*)?[#:]?|"
    r"\bno\.|#)\s*$")
TOLL_FREE = {"800", "833", "844", "855", "866", "877", "888"}
EMAIL = lazy(r"(?<![\w.+-])[\w.+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
AT = lazy(r"@")
SUFFIX = (r"(?:Street|St|Avenue|Ave|Road|Rd|Drive|Dr|Lane|Ln|Court|Ct|Boulevard|Blvd|Way|"
          r"Place|Pl|Circle|Cir|Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Trail|Plaza|Alley|Loop)")
# Opens with a digit (then looks behind it) so the regex engine can skip to digits quickly.
ADDRESS = lazy(
    r"(?P<num>[0-9](?<![\w.,-][0-9])\d{0,5}[A-Z]?)\s+(?:(?:[NSEW]|North|South|East|West)\.?\s+)?"
    r"(?:\d+(?:st|nd|rd|th)|[A-Z][A-Za-z'.-]*)(?:\s+[A-Z][A-Za-z'.-]*){0,3}\s+" + SUFFIX +
    r"\b\.?(?:,?\s+(?:Apt|Apartment|Unit|Suite|Ste|#)\.?\s*[\w-]+)?")
MEDICAL = lazy(
    r"(?i)\bdiagnosed with\b|\bsuffer(?:s|ed|ing)? from\b|\bschizophreni\w*|\bbipolar\b"
    r"|\bpsychiatric (?:hold|history|evaluation|facility|treatment|care)\b|\b5150\b"
    r"|\bmental illness\b|(?-i:\bHIV\b|\bAIDS\b)"
    r"|\b(?:his|her|their|the (?:victim|suspect|man|woman|driver|person)'s)\s+"
    r"(?:medical|mental health|psychiatric)\s+(?:condition|history|records?|issues|problems)\b"
    r"|\bdementia\b|\balzheimer'?s\b|\bautis(?:m|tic)\b|\bepilep(?:sy|tic)\b")


MEDICAL_TRIGGERS = ("diagnosed", "suffer", "schizophreni", "bipolar", "psychiatric", "5150",
                    "mental", "hiv", "aids", "medical", "dementia", "alzheimer", "autis",
                    "epilep")


def luhn(number: str) -> bool:
    total = 0
    for index, ch in enumerate(reversed(number)):
        value = int(ch)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _ssn_valid(area: str, group: str, serial: str) -> bool:
    return not (area in ("000", "666") or area.startswith("9") or group == "00"
                or serial == "0000")


def check_privacy(doc: Document, config: RuleConfig) -> list[Violation]:
    problems: list[Violation] = []

    def flag(line: int, rule_id: str, message: str) -> None:
        main, hint = (message.split(HINT_MARK, 1) + [""])[:2]
        problems.append(Violation(doc.path, line, rule_id,
                                  main + " (392.5 b)" + (HINT_MARK + hint if hint else "")))

    for hit in search_digits(SSN, doc.prose):
        if _ssn_valid(*hit.match.groups()):
            flag(hit.line, "PRIVACY-SSN", "a Social Security number; never publish one")
    for hit in search(SSN_NAMED, doc.prose, ("ssn", "social security")):
        flag(hit.line, "PRIVACY-SSN", "a Social Security number; never publish one")
    for hit in search_digits(CARD, doc.prose):
        number = digits(hit.text)
        if 13 <= len(number) <= 19 and len(set(number)) > 1 and luhn(number):
            flag(hit.line, "PRIVACY-CARD", "a payment card number; never publish one")
    for hit in search(DL_NEAR, doc.prose, ("licen", "dl")):
        flag(hit.line, "PRIVACY-DL",
             f"a driver license number ({hit.match.group(1)}); never publish one")
    for hit in search(DOB, doc.prose, ("dob", "d.o.b", "birth", "born", "nac")):
        flag(hit.line, "PRIVACY-DOB", "a date of birth; give the person's age instead")
    for hit in search_digits(PHONE, doc.prose):
        if _not_a_phone(hit.match, config):
            continue
        flag(hit.line, "PRIVACY-PHONE",
             f"phone number {hit.text.strip()!r} is not one of the department's public "
             f"numbers; remove it, or give the department's "
             + (f"line, {config.contact_phone}, instead" if config.contact_phone
                else "tip line instead"))
    for hit in search_around(EMAIL, doc.prose, AT, 64, 256):
        address, domain = hit.text.lower(), hit.match.group(1).lower()
        allowed = address in config.allow_emails or any(
            domain == d or domain.endswith("." + d.lstrip(".")) or
            (d.startswith(".") and domain.endswith(d))
            for d in config.allow_email_domains)
        if not allowed:
            flag(hit.line, "PRIVACY-EMAIL",
                 f"email address {hit.text!r} is not the department's; remove it, or give "
                 + (f"the department's address, {config.contact_email}, instead"
                    if config.contact_email else "the department's own address instead"))
    for hit in search(ADDRESS, doc.prose):
        if any(hit.text.lower().startswith(a) for a in config.allow_addresses):
            continue
        flag(hit.line, "PRIVACY-ADDRESS",
             f"exact address {hit.text.rstrip('.')!r}; write the block instead "
             f"(\"the {_block(hit.match.group('num'))} block of {_street(hit.match)}\")"
             + supervisor_hint("a business or public place may be allowed with a reason"))
    for found in find_juveniles(doc.prose):
        flag(found.line, "PRIVACY-JUVENILE",
             f"a juvenile identified by name ({found.name}"
             f"{'' if found.age is None else f', {found.age}'}); "
             f"describe, do not name, anyone under 18 (\"a 16-year-old boy\")")
    medical: dict[int, list[str]] = {}  # "diagnosed with dementia" is one detail to remove
    for hit in search(MEDICAL, doc.prose, MEDICAL_TRIGGERS):
        medical.setdefault(hit.line, []).append(repr(hit.text))
    for line, words in medical.items():
        flag(line, "PRIVACY-MEDICAL",
             f"health or medical detail about a person ({', '.join(words)}); leave it out"
             + supervisor_hint("a missing-person alert made with the family's consent may "
                               "allow it with a reason"))
    return problems


def _not_a_phone(match: re.Match[str], config: RuleConfig) -> bool:
    """Whether a PHONE match is the department's own number or plainly not a phone.

    Allowed: the department's numbers (also in their seven-digit local form), toll-free
    hotlines when the rules allow them. Not phones: a round range ("500-1000 people") and a
    number not written as a phone right after a record label ("case 6265550196", "DR
    555-0195" are record numbers; "case (626) 555-0199" and "case 626555-0199" are phones)
    or in a link's path or query.
    """
    if match.group("local"):
        local, line = match.group("local"), match.group("local_line")
        if local.endswith("0") and line.endswith("0") and int(line) > int(local):
            return True  # a range: "500-1000 people", "between 300-1200 feet"
        number = local + line
        allowed = any(phone.endswith(number) for phone in config.allow_phones)
    else:
        area = match.group("area")
        number = area + match.group("exchange") + match.group("line")
        allowed = number in config.allow_phones or (config.allow_toll_free
                                                    and area in TOLL_FREE)
    if allowed:
        return True
    # Written as a phone (a separator before the last four digits, as in every form flagged
    # before the seven-digit and run-together ones were): a label never excuses it.
    dressed = not match.group("local") and match.start("line") > match.end("exchange")
    if dressed:
        return False
    before = match.string[max(0, match.start() - 40):match.start()]
    # In a link (/reports/2026004512.pdf, ?id=6265550196, tel:5550104400): not prose.
    return before[-1:] in ("/", "=", "?", "&", ":") or RECORD_LABEL.search(before) is not None


_UNIT = re.compile(r",|\s+(?:Apt|Apartment|Unit|Suite|Ste|#)\b")


def _street(match: re.Match[str]) -> str:
    """"Maple Avenue" of "1423 Maple Avenue, Apt. 4": what follows "the 1400 block of"."""
    rest = match.group(0)[match.end("num") - match.start():]
    return _UNIT.split(rest, maxsplit=1)[0].strip().rstrip(".")


def _block(number: str) -> str:
    value = int(digits(number) or 0)
    return str(value - value % 100)
