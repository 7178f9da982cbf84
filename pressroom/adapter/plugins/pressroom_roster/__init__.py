"""392.3: posts are by authorized members, and pages show their names.

``Author`` in a post is a roster member id; this plugin gives each article a
``member`` (its roster entry) so templates show ``member.name`` — never the id
or the email address.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pelican import signals

from pressroom.adapter.session import current
from pressroom.model.roster import ROSTER_PATH, Roster, parse_roster

logger = logging.getLogger(__name__)


def _roster(settings) -> Roster:
    session = current()
    if session is not None:
        return session.roster
    repo = Path(settings["PATH"]).parent
    path = repo / ROSTER_PATH
    if not path.is_file():
        logger.error("pressroom_roster: %s not found", path)
        return Roster()
    roster, problems = parse_roster(path.read_text(encoding="utf-8"), str(path))
    for problem in problems:
        logger.error("%s", problem)
    return roster


def attach_members(generator) -> None:
    roster = _roster(generator.settings)
    for article in generator.articles + generator.translations:
        author_id = str(getattr(article, "author", ""))
        member = roster.get(author_id)
        if member is None:
            logger.error("%s: FRONT-AUTHOR: %r is not in the roster", article.source_path,
                         author_id)
        article.member = member


def register() -> None:
    signals.article_generator_pretaxonomy.connect(attach_members)
