"""Translations (issue #14): what a translation must share with its original, and what not.

A translation is its own post with ``Lang:`` and its original's ``Slug``
(``pressroom.model.translations`` groups them; this module only judges the groups). Residents
who read Spanish are owed the same safety notices, so:

- ``TRANSLATION-MISSING``: a safety alert or incident update (published or test) without a
  translation into each ``required`` language (``[languages]`` in ``policy/site.toml``);
  a warning by default, an error with ``[severity] TRANSLATION-MISSING = "error"``.
- ``TRANSLATION-STALE``: the original changed (``Modified``) after the translation was
  last written (its ``Modified``, else its ``Date``): residents would read the old facts.
- ``TRANSLATION-ORPHAN``: a translation whose slug no original has (a typo in ``Slug``).
- ``TRANSLATION-MISMATCH``: the facts one alert carries once for every language
  (``Category``, ``Incident``, ``Sequence``, ``Status``, ``Expires`` and the CAP fields) differ,
  or a translated text (``Instruction``, the WEA texts) is the original's English word for
  word — the Spanish CAP block and phones would carry English.
- ``TRANSLATION-LANGUAGE``: ``Lang`` names a language the department does not publish in.
- ``TRANSLATION-PLACEHOLDER`` (one file, run by the engine): a ``[TRANSLATE]`` marker that
  ``pressroom new --translate`` wrote is still there.

Pure: posts in, violations out. ``pressroom check`` runs it over every post; the hook and
``check FILE`` over the named posts and the other members of their sets
(``pressroom.checking.repo``), reporting only the named files.
"""

from __future__ import annotations

from collections.abc import Container, Iterable

from pressroom.model.content import Post
from pressroom.model.drafts import TRANSLATE_MARK
from pressroom.model.languages import Languages
from pressroom.model.translations import TranslationSet, translation_sets
from pressroom.model.violations import Violation
from pressroom.rules.document import Document

# What ``pressroom new --translate`` puts before each text to translate.
PLACEHOLDER = TRANSLATE_MARK
# Fields every language's version of one post states once (CAP sends them once per alert).
SHARED = ("category", "incident", "sequence", "status", "expires")
SHARED_ALERT = ("urgency", "severity", "certainty", "response", "polygon", "circle",
                "event-code")
# Texts that must be translated: the same English in the translation is a finding. ``Event``
# is CAP's <event>, a text of each language's block (the event *code* is shared).
TRANSLATED = ("event", "instruction", "wea-text", "wea-long-text")
_NAMES = {"wea-text": "WEA-Text", "wea-long-text": "WEA-Long-Text",
          "event-code": "Event-Code"}


def field_label(name: str) -> str:
    return _NAMES.get(name, name.capitalize())


def needs_translation(post: Post) -> bool:
    """A safety alert or incident update residents (or the alerting chain) receive."""
    return (post.category == "safety-alerts" and post.status in ("published", "test")
            and not post.removed)


def translate_command(post: Post, code: str) -> str:
    return f"pressroom new --translate {post.path} --lang {code}"


def check_translations(posts: Iterable[Post], languages: Languages,
                       only: Container[str] | None = None) -> list[Violation]:
    """Every translation finding over ``posts``; with ``only``, those of the named paths."""
    posts = list(posts)
    default = languages.default.code
    problems = [_unknown_language(post, languages) for post in posts
                if post.lang and post.lang not in languages.codes]
    # A fact changed in a named original makes its translations disagree: reported at
    # the translation (where it must change too), or the hook would pass what build refuses.
    named_sets: set[str] = set()
    for group in translation_sets(posts, default).values():
        problems += check_set(group, languages)
        if only is not None and group.original is not None and group.original.path in only:
            named_sets.update(post.path for post in group.translations.values())
    return [p for p in problems if p is not None and (
        only is None or p.path in only
        or (p.path in named_sets and p.rule_id == "TRANSLATION-MISMATCH"))]


def _unknown_language(post: Post, languages: Languages) -> Violation:
    configured = ", ".join(f"{lang.code} ({lang.name})" for lang in languages.all)
    return Violation(post.path, post.line_of("lang"), "TRANSLATION-LANGUAGE",
                     f"Lang {post.lang!r} is not a language of this site (configured: "
                     f"{configured}); correct Lang, or add {post.lang!r} to [languages] "
                     f"translations in policy/site.toml")


def check_set(group: TranslationSet, languages: Languages) -> list[Violation]:
    """The findings of one slug's set (an original and its translations)."""
    original = group.original
    if original is None:
        default = languages.default
        return [Violation(post.path, post.line_of("slug"), "TRANSLATION-ORPHAN",
                          f"no {default.name} post has slug {group.slug!r}: a translation "
                          f"(Lang: {code}) takes its original's Slug; correct 'Slug:' or add "
                          f"the original")
                for code, post in sorted(group.translations.items())]
    problems = []
    if needs_translation(original):
        for code in languages.required:
            if code not in group.translations:
                lang = languages.get(code)
                name = f"{lang.name} ({code})" if lang is not None else code
                problems.append(Violation(
                    original.path, original.line_of("category"), "TRANSLATION-MISSING",
                    f"no {name} translation: every safety alert and incident update needs "
                    f"one ([languages] required in policy/site.toml); start it with "
                    f"`{translate_command(original, code)}`"))
    for _, post in sorted(group.translations.items()):
        problems += _stale(original, post) + _mismatches(original, post)
    return problems


def stale_since(original: Post, translation: Post) -> bool:
    """Whether the original changed after the translation was last written."""
    written = translation.modified or translation.date
    return original.modified is not None and written < original.modified


def _stale(original: Post, post: Post) -> list[Violation]:
    if not stale_since(original, post):
        return []
    assert original.modified is not None
    written = post.modified or post.date
    where = "modified" if post.modified is not None else "date"
    return [Violation(post.path, post.line_of(where), "TRANSLATION-STALE",
                      f"the original ({original.path}) changed on "
                      f"{original.modified:%Y-%m-%d %H:%M}, after this translation "
                      f"({written:%Y-%m-%d %H:%M}); update it and set 'Modified:'")]


def _value(post: Post, name: str) -> str:
    """A shared field as the site and CAP read it (alert fields with their defaults)."""
    if name in SHARED_ALERT:
        return post.alert.get(name, "")
    if name == "expires":
        return f"{post.expires:%Y-%m-%d %H:%M %z}" if post.expires is not None else ""
    if name == "sequence":
        return str(post.sequence) if post.sequence else ""
    found = getattr(post, name, "")
    return found if isinstance(found, str) else ""


def _shown(post: Post, name: str) -> str:
    found = post.fields.get(name)
    return found.value if found is not None else _value(post, name) or "(none)"


def _mismatches(original: Post, post: Post) -> list[Violation]:
    problems = []
    names = SHARED + (SHARED_ALERT if "safety-alerts" in (original.category, post.category)
                      else ())
    for name in names:
        if name == "status" and post.status == "draft" and original.status == "published":
            continue  # a translation still being written: it goes public when it says so
        if _value(post, name) != _value(original, name):
            where = post.line_of(name) if name in post.fields else post.line_of("category")
            problems.append(Violation(
                post.path, where, "TRANSLATION-MISMATCH",
                f"{field_label(name)} is {_shown(post, name)!r} here but "
                f"{_shown(original, name)!r} in the original ({original.path}); a translation "
                f"states its original's facts: copy {field_label(name)} from it"))
    if "event" in original.fields and "event" not in post.fields:
        problems.append(Violation(
            post.path, post.line_of("category"), "TRANSLATION-MISMATCH",
            f"the original names its event ({original.fields['event'].value!r}); add "
            f"'Event:' in {post.lang}, the name its CAP block gives phones set to it"))
    for name in TRANSLATED:
        mine, theirs = post.fields.get(name), original.fields.get(name)
        if mine is not None and theirs is not None and mine.value.strip() \
                and _same_words(mine.value, theirs.value):
            problems.append(Violation(
                post.path, mine.line, "TRANSLATION-MISMATCH",
                f"{field_label(name)} is the original's text word for word; the "
                f"{post.lang} alert would carry {_language_of(original)}: translate it"))
    return problems


def _language_of(post: Post) -> str:
    return "English" if not post.lang or post.lang == "en" else post.lang


def _same_words(a: str, b: str) -> bool:
    return a.casefold().split() == b.casefold().split()


def check_placeholders(doc: Document) -> list[Violation]:
    """``TRANSLATION-PLACEHOLDER``: a ``[TRANSLATE]`` marker left in the text or a field."""
    problems = []
    for found in doc.header.fields.values():
        if PLACEHOLDER in found.value:
            problems.append(_placeholder(doc.path, found.line, found.name))
    for segment in doc.prose:  # the body (comments masked); header lines are fields above
        start = segment.text.find(PLACEHOLDER)
        while start >= 0:
            line = segment.line_at(start)
            if line >= doc.header.body_line:
                problems.append(_placeholder(doc.path, line, "the text"))
                break  # one is enough to say the text is not translated yet
            start = segment.text.find(PLACEHOLDER, start + 1)
    return problems


def _placeholder(path: str, line: int, what: str) -> Violation:
    return Violation(path, line, "TRANSLATION-PLACEHOLDER",
                     f"{what} still holds {PLACEHOLDER}: write the translation in its place "
                     f"(the English after the marker is the original's, for reference)")
