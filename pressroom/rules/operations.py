"""392.5 (c) and (e): information that could compromise an investigation or anyone's safety.

Handling markings (text marked for internal use was never meant for release),
confidential informants, identified undercover personnel, tactical positions
during an active incident (present tense: where officers *are*), and planned
operations (warrants to be served, surveillance to come). Completed operations
and publicly announced traffic enforcement (checkpoints) are fine.
"""

from __future__ import annotations

from pressroom.model.violations import Violation
from pressroom.rules.document import Document, search
from pressroom.rules.lazy import lazy

MARKING = lazy(
    r"(?i:\blaw enforcement sensitive\b|\bfor official use only\b|\bsensitive but unclassified\b"
    r"|\bnot for (?:public )?(?:release|distribution|dissemination)\b|\binternal (?:use )?only\b"
    r"|\bdo not (?:release|distribute|publish|disseminate)\b|\bconfidential\s*[-:\u2013\u2014]\s)")
MARKING_CODE = lazy(r"\b(?:U//)?FOUO\b|\bLES\b|\bSBU\b")
# English and Spanish ("un informante confidencial", "fuentes confidenciales").
INFORMANT = lazy(
    r"(?i)\b(?:confidential|reliable|paid|registered|cooperating)\s+(?:informant|source)s?\b"
    r"|\binformants?\b|\binformantes?\b|\bfuentes?\s+confidencial(?:es)?\b")
INFORMANT_CODE = lazy(r"\bCI\s*#\s*\d+")
_COLOR = (r"(?:black|white|gray|grey|silver|blue|red|green|tan|gold|brown|beige|maroon|dark|"
          r"light)")
UNDERCOVER = lazy(
    r"\b[Uu]ndercover\s+(?i:officer|detective|agent|deputy|investigator)s?\s+(?:[A-Z][a-z]+)"
    r"|\b[Uu]ndercover\s+(?i:officer|detective|agent|deputy|investigator)s?\b[^.\n]{0,80}?"
    r"\b(?:drives?|driving|wears?|wearing|goes by|known as|uses the name)\b"
    # "unmarked silver Dodge Charger", "unmarked Ford Explorer": a specific police vehicle.
    rf"|\b[Uu]nmarked\s+(?:(?i:{_COLOR})\b|[A-Z][a-z]+\s+[A-Z]\w+)")
TACTICAL = lazy(
    r"(?i)\b(?:SWAT(?:\s+(?:officers|team|units))?|tactical (?:team|officers|units)|snipers?|"
    r"officers|deputies|units|K-?9 units?)\s+(?:are|is|have been|remain)\s+(?:now\s+)?"
    r"(?:positioned|stationed|staged|staging|deployed|hiding|set up|waiting)\s+"
    r"(?:at|on|behind|near|in|along|inside|outside|around)\b"
    r"|\b(?:command post|staging area|entry team)\s+(?:is\s+|has been\s+)?"
    r"(?:set up\s+|located\s+|established\s+)?(?:at|on|near|behind|in)\s+(?:the\s+)?[A-Z0-9]"
    r"|\bsnipers?\b|\bfrancotirador(?:es|as?)?\b")
PLANNED = lazy(
    r"(?i)\b(?:will|plans? to|planning to|are going to|intends? to|expects? to|is set to)\s+"
    r"(?:be\s+)?(?:serv(?:e|ing)|execut(?:e|ing))\s+(?:a\s+|an\s+|several\s+|multiple\s+|"
    r"\d+\s+)?(?:search\s+|arrest\s+|no-knock\s+)?warrants?\b"
    r"|\bwarrants?\s+(?:will|are\s+(?:going|expected|scheduled|set)\s+to)\s+be\s+"
    r"(?:served|executed)\b"
    r"|\b(?:planned|upcoming|scheduled|future|pending)\s+(?:raid|sting|sweep|stakeout|"
    r"surveillance|search warrant)s?\b"
    r"|\b(?:will|plans? to|planning to)\s+(?:be\s+)?(?:conduct(?:ing)?\s+)?(?:surveillance|"
    r"stakeouts?|a\s+raid|raids|a\s+sting|stings)\b"
    r"|\bsurveillance\s+(?:will|is\s+(?:planned|scheduled|set))\b"
    # Spanish (folded: no accents): "operativo planeado", "ejecutaran ordenes de cateo"
    r"|\b(?:operativos?|redadas?)\s+(?:planead|programad|previst)[oa]s?\b"
    r"|\b(?:ejecutaran|cumpliran|ejecutaremos|cumpliremos)\s+(?:una\s+|varias\s+|\d+\s+)?"
    r"ordene?s?\s+de\s+(?:cateo|registro|arresto|allanamiento)\b")

_MARKED = ("handling marking {text!r}: text marked for internal use must not be published; "
           "take the marked text out of the post")
_INFORMANT = "mentions a confidential informant ({text!r}); never refer to informants"
# (pattern, lower-case triggers one of which every match contains, rule, section, message)
CHECKS = [
    (MARKING, (" law enforcement sensitive", " for official use only", " sensitive but",
               " not for public", " not for release", " not for distribution",
               " not for dissemination", " internal only", " internal use only",
               " do not release", " do not distribute", " do not publish",
               " do not disseminate", " confidential "),
     "OPS-MARKING", "392.5 (c)", _MARKED),
    (MARKING_CODE, (" fouo ", " les ", " sbu "), "OPS-MARKING", "392.5 (c)", _MARKED),
    (INFORMANT, (" informant", " confidential source", " reliable source", " paid source",
                 " registered source", " cooperating source", " fuente confidencial",
                 " fuentes confidenciales"),
     "OPS-INFORMANT", "392.5 (c, e)", _INFORMANT),
    (INFORMANT_CODE, (" ci ",), "OPS-INFORMANT", "392.5 (c, e)", _INFORMANT),
    (UNDERCOVER, (" undercover", " unmarked"), "OPS-UNDERCOVER", "392.5 (e)",
     "identifies undercover personnel or vehicles ({text!r}); leave out who they are and "
     "what they drive"),
    (TACTICAL, (" positioned", " stationed", " staged", " staging", " deployed", " hiding",
                " set up", " waiting", " command post", " entry team", " sniper",
                " francotirador"),
     "OPS-TACTICAL", "392.5 (e)",
     "reveals tactical positions ({text!r}); say what the public should do, not where "
     "officers are"),
    (PLANNED, (" warrant", " raid", " sting", " sweep", " stakeout", " surveillance",
               " operativo", " redada", " ejecutaran", " cumpliran", " ejecutaremos",
               " cumpliremos"),
     "OPS-PLANNED", "392.5 (c)",
     "reveals a planned operation ({text!r}); announce operations only after they are done"),
]


def check_operations(doc: Document, config: object = None) -> list[Violation]:
    problems = []
    for pattern, triggers, rule_id, section, message in CHECKS:
        words = all(t.startswith(" ") for t in triggers) and bool(triggers)
        found = search(pattern, doc.prose, word_triggers=triggers) if words \
            else search(pattern, doc.prose, triggers)
        for hit in found:
            problems.append(Violation(doc.path, hit.line, rule_id,
                                      message.format(text=hit.text.strip()) + f" ({section})"))
    return problems
