"""The rules engine over one file: every content rule over a post, a page or an image.

Pure (bytes and a ``Context`` in, violations out), so the same engine runs in the
pre-commit hook, ``pressroom check``, the build and worker processes, and a test needs no
repository. Reading a repository is ``pressroom.checking.repo``; remembering results is
``pressroom.checking.results``. This module imports neither, nor any file or cache helper
(``tests/test_architecture.py`` holds it to that).
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass, field, replace
from datetime import tzinfo

from pressroom.checking.images import ImageError, find_metadata
from pressroom.checking.pages import check_page_header, is_page_path
from pressroom.model.alerts import DEFAULT_EVENT_CODE
from pressroom.model.content import Post, check_author_fields, decode, parse_text
from pressroom.model.frontmatter import parse_header
from pressroom.model.languages import Languages
from pressroom.model.roster import Roster
from pressroom.model.violations import Violation
from pressroom.rules.alert_wording import check_alert_wording
from pressroom.rules.alerts import AlertSummary, check_alert_profile
from pressroom.rules.authors import TrainingDue, check_training
from pressroom.rules.characters import check_invisible, control_problems, header_lines
from pressroom.rules.config import RuleConfig
from pressroom.rules.document import Document, make_document
from pressroom.rules.front_matter import check_area, check_summary
from pressroom.rules.html import check_html
from pressroom.rules.images import check_images
from pressroom.rules.language import check_language
from pressroom.rules.operations import check_operations
from pressroom.rules.personal import check_personal
from pressroom.rules.privacy import check_privacy
from pressroom.rules.suppressions import Suppression, apply_suppressions, find_suppressions
from pressroom.rules.translations import check_placeholders


@dataclass(frozen=True)
class Context:
    """What the rules need besides the file itself."""

    roster: Roster
    config: RuleConfig
    tz: tzinfo
    # "is this file in the repository?" for IMAGE-MISSING; None: not asked (a reader of
    # a repository answers it: ``checking.RepoFiles``)
    static_files: Container[str] | None = None
    site_host: str = ""  # the public host: images there are the site's own (HTML-URL)
    event_code: str = DEFAULT_EVENT_CODE  # the department's SAME event code ([alerts] in site.toml)
    # the department's languages ([site] language, [languages] in site.toml)
    languages: Languages = field(default_factory=Languages)


@dataclass
class Report:
    """What a check found: its violations (errors and warnings), the suppressions that
    allowed something, and whose training falls due."""

    files: int = 0
    violations: list[Violation] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    training_due: list[TrainingDue] = field(default_factory=list)
    # each safety alert checked: its WEA texts, Imminent Threat verdict and event code
    # (information for the PIO, not findings: ``pressroom.rules.alerts.alert_summary``)
    alerts: list[AlertSummary] = field(default_factory=list)

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "error"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class PostCheck:
    """One post's outcome: the post as read (for the checks across posts) and its problems."""

    post: Post | None  # None when the front matter is unusable
    violations: list[Violation]
    suppressions: list[Suppression]  # the ones that allowed something


def check_post(path: str, data: bytes, ctx: Context) -> PostCheck:
    """Every text rule over one post (or page: ``pressroom.checking.pages``)."""
    text, problems = decode(path, data)
    if text is None:
        return PostCheck(None, problems, [])
    post = None
    if is_page_path(path):
        header = parse_header(text)
        problems = control_problems(path, text, header_lines(
            ((f.name, f.line) for f in [*header.fields.values(), *header.duplicates]),
            header.body_line))
        problems += check_page_header(path, header)
        doc = make_document(path, text, header)
    else:
        post, problems = parse_text(path, text, ctx.tz)
        if not text.strip():
            return PostCheck(None, problems, [])
        doc = make_document(path, text, post.header if post is not None else None)
        lang = ctx.languages.of(_lang(doc))
        problems += check_summary(doc, ctx.config) + check_area(doc)
        problems += check_alert_profile(doc) + check_alert_wording(
            doc, ctx.config.for_language(lang), english=lang == "en")
        problems += check_placeholders(doc)
        if len(ctx.roster):  # no members: the roster's own problem is reported once, not
            # once a post; an unusable header still names a stranger as Author (all at once)
            problems += check_author_fields(path, doc.header.fields, ctx.roster)
    if post is not None and len(ctx.roster):
        problems += check_training(post, ctx.roster, ctx.config)
    problems += check_invisible(path, text)
    problems += check_language(doc, ctx.config, ctx.languages.of(_lang(doc)))
    problems += check_privacy(doc, ctx.config)
    problems += check_operations(doc)
    problems += check_personal(doc)
    problems += check_html(doc, site_host=ctx.site_host)
    problems += check_images(doc, ctx.static_files)
    suppressions, bad = find_suppressions(path, text)
    kept, used, idle = apply_suppressions(_one_per_line(problems), suppressions)
    return PostCheck(post, kept + bad + idle, used)


def _lang(doc: Document) -> str:
    """The ``Lang:`` a post is written in, as written ("" for the default language, which
    ``Languages.of`` names): it picks the word lists (``RuleConfig.for_language``), whatever
    else its header says."""
    found = doc.header.fields.get("lang")
    return found.value.strip().lower() if found is not None else ""


# Rules whose every match is a separate thing to take out of the post (two phone numbers on
# one line are two fixes); other rules' matches on one line are one wording to change.
EACH_MATCH = frozenset({"PRIVACY-SSN", "PRIVACY-CARD", "PRIVACY-DL", "PRIVACY-PHONE",
                        "PRIVACY-EMAIL", "PRIVACY-ADDRESS", "PRIVACY-JUVENILE", "IMAGE-ALT",
                        "IMAGE-MISSING", "HTML-URL", "ALERT-JARGON", "ALERT-READABLE"})


def _one_per_line(problems: list[Violation]) -> list[Violation]:
    """Two matches of one rule on one line ("for sale, best offer") are one problem to fix:
    keep the first. For ``EACH_MATCH`` rules only the same finding twice is one, so every
    number or address is named at once and a fix never uncovers a finding the check hid."""
    seen: set[tuple[int, str, str]] = set()
    kept = []
    for problem in problems:
        key = (problem.line, problem.rule_id,
               problem.message if problem.rule_id in EACH_MATCH else "")
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


def check_image(path: str, data: bytes) -> list[Violation]:
    """392.5 (b, e): an image must carry no location or camera metadata."""
    try:
        found = find_metadata(data)
    except ImageError as exc:
        return [Violation(path, 0, "IMAGE-FORMAT", str(exc))]
    if not found:
        return []
    return [Violation(path, 0, "IMAGE-METADATA",
                      f"carries {', '.join(found)}; the pressroom-images pre-commit hook "
                      f"strips it (pre-commit run pressroom-images --files {path})")]


def apply_severity(violations: Sequence[Violation], config: RuleConfig) -> list[Violation]:
    """``policy/rules.toml``: "off" drops a rule, "warning" reports it without failing."""
    out = []
    for violation in violations:
        level = config.severity_of(violation.rule_id)
        if level == "off":
            continue
        out.append(replace(violation, severity=level) if level != violation.severity
                   else violation)
    return out
