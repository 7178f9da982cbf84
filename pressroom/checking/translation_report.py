"""``pressroom translations``: which posts need translating, and which translations fell behind.

The PIO's work list for issue #14. For every original that has translations or needs them
(a safety alert or incident update, in each ``required`` language), one row with each of the
department's other languages: "up to date", "stale since <date>" (the original was modified
after the translation), "missing (required)" or "—" (not translated, not required); then the
orphans (translations whose slug no original has) and a summary. It is a report, not a
check: the findings with their severities are ``pressroom check``'s
(``pressroom.rules.translations``, whose judgements this reuses so both always agree).

``build_report`` is pure (posts in, rows out); ``translation_report`` reads the working
folder, or a branch from git objects (``--branch``: never its working files or code).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pressroom.checking.revision import resolve_revision
from pressroom.model.content import Post
from pressroom.model.languages import Languages
from pressroom.model.translations import translation_sets
from pressroom.repo.department import load_department
from pressroom.repo.sources import load_sources, posts_at
from pressroom.rules.translations import needs_translation, stale_since

UP_TO_DATE, STALE, MISSING, NONE = "up to date", "stale", "missing", "none"


@dataclass(frozen=True)
class Cell:
    """One language of one original: its ``state`` and, when there is one, the translation."""

    state: str  # UP_TO_DATE, STALE, MISSING (required, absent) or NONE (not required)
    path: str = ""
    since: datetime | None = None  # stale: when the translation was last written
    original_modified: datetime | None = None

    def text(self) -> str:
        if self.state == STALE and self.since and self.original_modified:
            return (f"stale since {self.since:%Y-%m-%d %H:%M} (original modified "
                    f"{self.original_modified:%Y-%m-%d %H:%M})")
        return {UP_TO_DATE: "up to date", MISSING: "missing (required)"}.get(self.state, "—")

    @property
    def needs_work(self) -> bool:
        return self.state in (STALE, MISSING)


@dataclass(frozen=True)
class Row:
    slug: str
    path: str
    title: str
    category: str
    cells: dict[str, Cell]  # by language code, in the department's order

    @property
    def needs_work(self) -> bool:
        return any(cell.needs_work for cell in self.cells.values())


@dataclass
class TranslationReport:
    languages: Languages
    rows: list[Row] = field(default_factory=list)
    orphans: list[tuple[str, str, str]] = field(default_factory=list)  # path, lang, slug

    def count(self, state: str) -> int:
        return sum(1 for row in self.rows for cell in row.cells.values() if cell.state == state)

    def summary(self) -> str:
        if not self.languages.translations:
            return ("No languages besides the default: add [languages] translations to "
                    "policy/site.toml (docs/languages.md).")
        parts = [f"{len(self.rows)} original{'s' if len(self.rows) != 1 else ''} with "
                 f"translations or needing them", f"{self.count(UP_TO_DATE)} up to date",
                 f"{self.count(STALE)} stale", f"{self.count(MISSING)} missing (required)",
                 f"{len(self.orphans)} orphan{'s' if len(self.orphans) != 1 else ''}"]
        return ": ".join([parts[0], ", ".join(parts[1:])]) + "."

    def as_json(self, only_work: bool = False) -> dict[str, Any]:
        return {
            "default": self.languages.default.code,
            "languages": [lang.code for lang in self.languages.translations],
            "required": list(self.languages.required),
            "originals": [
                {"slug": row.slug, "path": row.path, "title": row.title,
                 "category": row.category,
                 "languages": {code: {"state": cell.state, "path": cell.path or None,
                                      "since": _iso(cell.since),
                                      "original_modified": _iso(cell.original_modified)}
                               for code, cell in row.cells.items()}}
                for row in self.rows if row.needs_work or not only_work],
            "orphans": [{"path": path, "lang": lang, "slug": slug}
                        for path, lang, slug in self.orphans],
            "summary": {"originals": len(self.rows), "up_to_date": self.count(UP_TO_DATE),
                        "stale": self.count(STALE), "missing": self.count(MISSING),
                        "orphans": len(self.orphans)},
        }

    def lines(self, only_work: bool = False) -> list[str]:
        out = []
        for row in self.rows:
            if only_work and not row.needs_work:
                continue
            out.append(f"{row.path}  {row.title}")
            for code, cell in row.cells.items():
                if only_work and not cell.needs_work:
                    continue
                where = f"  {cell.path}" if cell.path else ""
                out.append(f"  {code}: {cell.text()}{where}")
        for path, lang, slug in self.orphans:
            out.append(f"orphan: {path} (Lang {lang}): no original has slug {slug!r}")
        out.append(self.summary())
        return out


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def build_report(posts: Iterable[Post], languages: Languages) -> TranslationReport:
    """The report over ``posts`` (one grouping: ``model.translations.translation_sets``)."""
    report = TranslationReport(languages)
    default = languages.default.code
    for slug, group in translation_sets(posts, default).items():
        original = group.original
        if original is None:
            report.orphans += [(post.path, code, slug)
                               for code, post in sorted(group.translations.items())]
            continue
        required = needs_translation(original)
        if not group.translations and not (required and languages.required):
            continue
        cells = {}
        for lang in languages.translations:
            post = group.translations.get(lang.code)
            if post is None:
                state = MISSING if required and lang.code in languages.required else NONE
                cells[lang.code] = Cell(state)
            elif stale_since(original, post):
                cells[lang.code] = Cell(STALE, post.path, post.modified or post.date,
                                        original.modified)
            else:
                cells[lang.code] = Cell(UP_TO_DATE, post.path)
        report.rows.append(Row(slug, original.path, original.title, original.category, cells))
    report.rows.sort(key=lambda row: row.path)
    return report


def translation_report(repo: Path, rev: str | None = None) -> TranslationReport:
    """The report of the working folder, or of ``rev`` as git holds it. Raises
    ``InputError`` for a folder that is not a department or an unknown ``rev``; ``rev`` is
    resolved as ``check --branch`` resolves it (a tag named like the branch, an option or a
    tree is refused, never read instead of the branch)."""
    department = load_department(repo)
    if rev is None:
        posts = load_sources(repo, department.tz, light=True).posts
    else:
        posts = posts_at(repo, resolve_revision(repo, rev), department.tz)
    return build_report(posts, department.languages)
