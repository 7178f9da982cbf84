"""392.5 (b): a juvenile identified — a minor's name beside their age, or beside a word for a minor.

News writing names people in a handful of set phrasings, and each one is a form
here (a table, so a missed phrasing is one more row):

====  ==============================================  =====================================
form  example                                          what makes it a minor
====  ==============================================  =====================================
1     Tyler Brooks, 16, of Azusa / Brooks, age 16.     the age (under 18)
2     Tyler Brooks (16) / Tyler Brooks (age 16)        the age
3     16-year-old Tyler Brooks / 16-year-old boy T. B. the age
4     the 17-year-old, identified as Tyler Brooks      the age
5     a juvenile, Tyler Brooks / a teen named Marcus   the word
6     Brooks, who is 15, ...                           the age
7     Tyler Brooks, a 16-year-old / ..., a juvenile,   the age or the word
====  ==============================================  =====================================

A name is a run of capitalized words; words that are not names (months, weekdays,
ranks, roles such as "Teen" or "Victim" in a title-case headline, street and school
words) are cut from its front, so "Officer Ana Diaz" is "Ana Diaz" and "Azusa High"
or "Missing Teen" is no name at all. After a bare age (forms 1, 2, 6) the sentence
must go on as it does after an age — a comma, a full stop, "of", "was"... — so
"Officer Ana Diaz, 16 years with the department" is not an age. Adults (18 and over)
are fine: "Maria Lopez, 34, of Covina".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pressroom.rules.document import Match, Segment, any_present, search_around
from pressroom.rules.lazy import LazyPattern, lazy

_NUMBERS = ("one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen")
_NUMBER_WORDS = _NUMBERS.split()
AGE_WORDS = {word: value for value, word in enumerate(_NUMBER_WORDS, start=1)}
_AGE_WORD = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_AGE = rf"(?P<age>\d{{1,2}}|(?i:{_AGE_WORD}))(?![\w])"
_YEARS = r"(?:[- ]years?[- ]old|\s+years?\s+(?:old|of\s+age))?"
_WORD = r"[A-Z][a-zA-Z'\u2019-]*[a-z](?![a-zA-Z])"  # Tyler, O'Brien, McDonald, Mary-Kate
_NAME = rf"(?P<name>(?<![\w'\u2019-]){_WORD}(?:\s+(?:[A-Z]\.\s+)?{_WORD}){{0,3}})"
_NAME2 = rf"(?P<name>(?<![\w'\u2019-]){_WORD}(?:\s+(?:[A-Z]\.\s+)?{_WORD}){{1,3}})"
_MINOR = (r"juvenile|minor|teen|teenager|boy|girl|child|youth|toddler|infant|kid|"
          r"schoolboy|schoolgirl|runaway")
_DESCRIBED = (r"boy|girl|male|female|juvenile|teen|teenager|student|suspect|victim|son|"
              r"daughter|grandson|granddaughter|nephew|niece|brother|sister|driver|passenger|"
              r"pedestrian|cyclist|bicyclist|skateboarder|runaway|local|high|middle|school|"
              r"junior|senior|sophomore|freshman|honor|student-athlete|athlete")
# Words after a capitalized run that show it was a place or a school, not a person.
_NOT_A_PERSON_AFTER = (r"\s+(?:residents?|students?|boy|girl|male|female|teen|teenager|youth|"
                       r"man|woman|native|driver|local|runaway|juvenile|child)\b")
# After a bare age, a sentence goes on like this; "16 years with the department" does not.
_AGE_ENDS = re.compile(r"\s*(?:[,.;:)!?\0]|$)|\s+(?:and|or|of|from|was|were|is|are|has|had|"
                       r"who|whose|remains?|died|faces?|told|said)\b")
# After "a juvenile"/"a minor" used of a person; "a minor league coach" is not.
_NOUN_ENDS = re.compile(r"\s*(?:[,.;:)!?\0]|$)|\s+(?:from|of|who|whose|and|was|were|is|has|"
                        r"had|at|attending|living)\b")
_NOT_NAME_WORDS = """
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday today yesterday tonight
officer officers detective detectives sgt sergeant lt lieutenant capt captain chief deputy
deputies sheriff agent trooper corporal cpl commander dispatcher ranger mayor judge
councilmember teen teens teenager teenagers victim victims suspect suspects driver drivers
passenger passengers boy boys girl girls man men woman women juvenile juveniles minor
minors student students resident residents child children youth kid kids son daughter
mother father male female person people pedestrian cyclist witness witnesses family
street st avenue ave road rd boulevard blvd drive dr lane ln way court ct place pl highway
hwy freeway interstate route exit park school schools high middle elementary academy
college university county city hall center centre station department police library
church hospital mall plaza building unit suite apartment apt room floor lot block ward
district beat area zone division program team class grade grades level phase page section
chapter ages age approximately about total overall however meanwhile also additionally
case number item count year years on in at the a an and of by for with from to
missing arrested found cited injured killed
"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())


@dataclass(frozen=True)
class _Form:
    pattern: LazyPattern
    anchor: LazyPattern  # every match contains it; the pattern runs only around it
    before: int
    after: int
    bare_age: bool = False  # a bare age must be followed as an age is (``_AGE_ENDS``)
    words: tuple[str, ...] = ()  # one of these words is in every match: else skip the form


_YEAR_OLD = lazy(r"ear[- ][Oo]ld")  # opens with a literal: the regex engine scans for it fast
_MINOR_WORDS = tuple(f" {word} " for word in _MINOR.split("|"))

FORMS = [
    # 1. Tyler Brooks, 16, of Azusa / Brooks, age 16. / Tyler Brooks, 16 years old
    _Form(lazy(rf"{_NAME},\s+(?:(?P<keyword>aged?)\s+)?{_AGE}{_YEARS}"),
          lazy(rf",\s+(?:aged?\s+)?(?:\d{{1,2}}|(?i:{_AGE_WORD}))\b"), 90, 30, True),
    # 2. Tyler Brooks (16) / (age 16)
    _Form(lazy(rf"{_NAME}\s*\(\s*(?:aged?\s+)?{_AGE}{_YEARS}\s*\)"),
          lazy(rf"\(\s*(?:aged?\s+)?(?:\d{{1,2}}|(?i:{_AGE_WORD}))\b"), 90, 30),
    # 3. 16-year-old Tyler Brooks / the 14-year-old girl Maria Lopez / a 16-year-old, T. B.
    _Form(lazy(rf"(?<![\w-]){_AGE}[- ]year[- ]old(?:\s+(?i:{_DESCRIBED})){{0,3}},?\s+"
               rf"{_NAME2}(?!{_NOT_A_PERSON_AFTER})"),
          _YEAR_OLD, 25, 120, words=(" year ",)),
    # 4. the 17-year-old, identified as Tyler Brooks / ... who was identified as Brooks
    _Form(lazy(rf"(?<![\w-]){_AGE}[- ]year[- ]old(?:(?![- ]year[- ]old)[^.;!?\0]){{0,80}}?"
               rf"(?P<verb>\b(?:was|were|been)\s+)?\b(?P<how>identified\s+as|named|known\s+as)\s+"
               rf"{_NAME}"),
          _YEAR_OLD, 25, 160, words=(" year ",)),
    # 5. a juvenile, Tyler Brooks / the boy, identified as Tyler Brooks / a teen named Marcus
    _Form(lazy(rf"\b(?:[Aa]n?|[Tt]he|[Hh]is|[Hh]er|[Tt]heir|[Oo]ne|[Aa]nother)\s+(?:[a-z]+\s+)?"
               rf"(?:{_MINOR})(?:\s+(?:suspect|victim|driver|male|female|passenger|pedestrian|"
               rf"cyclist|bicyclist))?(?:\s*,\s*(?:(?:named|identified\s+as)\s+)?|"
               rf"\s+(?:named|identified\s+as)\s+){_NAME}"),
          lazy(rf"\b(?:{_MINOR})\b"), 40, 90, words=_MINOR_WORDS),
    _Form(lazy(r"(?i:\b(?:juvenile|minor|teen|teenager|boy|girl|student)\s+"
               r"(?:named|identified as))\s+(?P<name>[A-Z][a-z]+)"),
          lazy(r"(?i)named|identified as"), 30, 40, words=(" named ", " identified ")),
    # 6. Brooks, who is 15, ...
    _Form(lazy(rf"{_NAME},\s+who\s+(?:is|was|turned|had\s+turned|will\s+turn)\s+{_AGE}{_YEARS}"),
          lazy(rf"who\s+(?:is|was|turned|had\s+turned|will\s+turn)\s+"
               rf"(?:\d{{1,2}}|(?i:{_AGE_WORD}))\b"), 90, 30, True),
    # 7. Tyler Brooks, a 16-year-old ... / Tyler Brooks, a juvenile from Azusa,
    _Form(lazy(rf"{_NAME},\s+(?:an?|the)\s+(?:{_AGE}[- ]year[- ]old|(?P<noun>{_MINOR})\b"
               rf"(?!['\u2019]s))"),
          lazy(rf",\s+(?:an?|the)\s+(?:\d{{1,2}}[- ]year|(?i:{_AGE_WORD})[- ]year|{_MINOR})"),
          90, 30),
]


@dataclass(frozen=True)
class Found:
    line: int
    name: str
    age: int | None


def person_name(text: str) -> str:
    """The capitalized run without the words before it that are not names ("" if none)."""
    words = text.split()
    for index in range(len(words) - 1, -1, -1):
        if words[index].rstrip(".").lower() in _NOT_NAMES:
            words = words[index + 1:]
            break
    return " ".join(words)


def _age(text: str | None) -> int | None:
    if text is None:
        return None
    return int(text) if text.isdigit() else AGE_WORDS[text.lower()]


def _juvenile(form: _Form, hit: Match) -> Found | None:
    groups = hit.match.groupdict()
    name = person_name(groups["name"])
    age = _age(groups.get("age"))
    if not name or (age is not None and age >= 18):
        return None
    if groups.get("verb") and groups.get("how") == "named":
        return None  # "was named Student of the Month": an honor, not an identification
    text, end = hit.segment.text, hit.match.end()
    if form.bare_age and not groups.get("keyword") and not _AGE_ENDS.match(text, end):
        return None
    if groups.get("noun") and not _NOUN_ENDS.match(text, end):
        return None
    return Found(hit.line, name, age)


def find_juveniles(segments: list[Segment]) -> Iterator[Found]:
    """Every place a minor is named, form by form (a line may be found by several forms)."""
    for form in FORMS:
        if form.words and not any_present(segments, word_triggers=form.words):
            continue
        for hit in search_around(form.pattern, segments, form.anchor, form.before, form.after):
            found = _juvenile(form, hit)
            if found is not None:
                yield found
