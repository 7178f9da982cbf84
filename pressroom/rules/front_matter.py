"""392.4 front-matter rules that depend on the department's settings.

Structural checks (required fields, dates, category, slug) live in the content
model (``pressroom.model.content``) because the build needs them too; this module
adds the configurable ones.
"""

from __future__ import annotations

from pressroom.model.violations import Violation
from pressroom.rules.config import RuleConfig
from pressroom.rules.document import Document


def check_summary(doc: Document, config: RuleConfig) -> list[Violation]:
    summary = doc.header.fields.get("summary")
    if summary is None or len(summary.value) <= config.summary_max_length:
        return []
    return [Violation(doc.path, summary.line, "FRONT-SUMMARY-LENGTH",
                      f"the summary is {len(summary.value)} characters; keep it to "
                      f"{config.summary_max_length} so feeds and link previews show all of it")]


def check_area(doc: Document) -> list[Violation]:
    """392.4 (e): an alert with an empty ``Area:`` tells the public nothing about where.

    ``pressroom new`` writes ``Area:`` blank for the writer to fill in; left blank, the
    banner, the incident page and CAP's ``areaDesc`` would fall back to the department's name.
    """
    fields = doc.header.fields
    area = fields.get("area")
    category = fields.get("category")
    if area is None or area.value.strip() or category is None \
            or category.value != "safety-alerts":
        return []
    return [Violation(doc.path, area.line, "FRONT-AREA",
                      "'Area' is empty: say where, in words, e.g. Area: Elm Street between "
                      "4th and 6th Streets")]
