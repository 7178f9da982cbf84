"""392.5 (f): content posted for personal use.

The department speaks as "we"; first-person singular outside a quotation is a
member speaking for themselves ("I am proud…," said the Chief, is fine). Also
selling things, personal announcements and political campaigning.
"""

from __future__ import annotations

from pressroom.model.violations import Violation
from pressroom.rules.document import Document, search
from pressroom.rules.lazy import lazy

FIRST_PERSON = lazy(
    r"(?<![\w'\u2019-])(?:I(?:['\u2019](?:m|ve|ll|d))?(?![\w'\u2019-])(?!-\d)"
    r"|[Mm](?:e|y|ine|yself)(?![\w'\u2019-]))")
_NUMERAL_CONTEXT = lazy(
    r"(?:Phase|Level|Type|War|Class|Stage|Tier|Part|Title|Chapter|Section|Grade|Step|Round|"
    r"Category|Division|Zone|Unit|Team)\s*$")
SALE = lazy(
    r"(?i)\bfor sale\b|\bselling my\b|\bbuy my\b|\bOBO\b|\bor best offer\b|\bDM me\b"
    r"|\bmessage me\b|\bcontact me\b|\bmy (?:birthday|wedding|anniversary|retirement party|"
    r"baby shower|garage sale|yard sale|business|small business|side business)\b")
POLITICAL = lazy(
    r"(?i:\bvote (?:yes|no) on\b|\bre-?elect\b|\bcampaign (?:for|to elect)\b"
    r"|\bpaid for by\b[^.\n]{0,60}\bcommittee\b"
    r"|\b(?:support|oppose|vote (?:for|against))\s+(?:Measure|Proposition|Prop\.?)\s+\w+)"
    r"|\b(?:[Vv]ote (?:for|against)|[Ee]lect|[Ee]ndorse[sd]?|[Ss]upport)\s+"
    r"(?:(?:Mayor|Councilmember|Council Member|Sheriff|Senator|Assemblymember|Judge|Candidate)\s+)?"
    r"[A-Z][a-z]+\s+[A-Z][a-z]+\s+(?:for|as)\s+(?:[Mm]ayor|[Cc]ity [Cc]ouncil|[Ss]heriff|"
    r"[Dd]istrict [Aa]ttorney|[Ss]enate|[Cc]ongress|[Gg]overnor|[Aa]ssembly|[Jj]udge|"
    r"[Ss]chool [Bb]oard)")


def check_personal(doc: Document, config: object = None) -> list[Violation]:
    problems = []
    seen_lines: set[int] = set()
    for hit in search(FIRST_PERSON, doc.unquoted,
                      word_triggers=(" i ", " me ", " my ", " mine ", " myself ")):
        before = hit.segment.text[:hit.match.start()]
        if hit.text == "I" and _NUMERAL_CONTEXT.search(before):
            continue  # "Phase I", "Level I": a numeral, not a person
        if hit.line in seen_lines:
            continue
        seen_lines.add(hit.line)
        problems.append(Violation(doc.path, hit.line, "PERSONAL-FIRST-PERSON",
                                  f"first person singular ({hit.text!r}) outside a quotation; "
                                  f"the department speaks as \"we\", or quote the member by "
                                  f"name (392.5 f)"))
    for hit in search(SALE, doc.prose, word_triggers=(
            " for sale", " selling my", " buy my", " obo ", " best offer", " dm me",
            " message me", " contact me", " my ")):
        problems.append(Violation(doc.path, hit.line, "PERSONAL-SALE",
                                  f"selling or a personal announcement ({hit.text!r}); "
                                  f"department posts carry only department business, so "
                                  f"remove it (392.5 f)"))
    for hit in search(POLITICAL, doc.prose, word_triggers=(
            " vote", " elect", " campaign", " paid for", " support", " oppose", " endorse")):
        problems.append(Violation(doc.path, hit.line, "PERSONAL-POLITICAL",
                                  f"political campaigning ({hit.text!r}); the department "
                                  f"informs, it does not campaign (392.5 f)"))
    return problems
