"""Running Pelican for a build: the one door between pressroom's core and Pelican.

``pressroom.build.run`` decides what to build (validated posts, a full or warm build, the
release it goes to) and hands that over as a ``BuildSession``; this module turns it into
Pelican settings and runs Pelican with pressroom's generator and writer — always, not as
an optional plugin — and pressroom's plugins, then the department's approved ones
(``pressroom.adapter.department_plugins``); every generator renders its templates in
Jinja's sandbox, the department's own templates first (``pressroom.adapter.templates``):

* ``run_full``: Pelican's whole run into an empty release folder;
* ``run_warm``: only the changed posts are read; the output phase is replayed over the
  cards of the others (``pressroom.adapter.generators.replay``).

Either way the session afterwards holds what the build keeps for the next one.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2.exceptions import TemplateError
from pelican import Pelican
from pelican.generators import ArticlesGenerator
from pelican.settings import configure_settings, read_settings

from pressroom.adapter import assets, department_plugins
from pressroom.adapter.cards import Card, ContentStore
from pressroom.adapter.generators import (
    PressroomArticlesGenerator,
    new_generator,
    read_articles,
    replay,
)
from pressroom.adapter.session import BuildSession, active
from pressroom.adapter.templates import refusal, sandboxed, template_error
from pressroom.adapter.writer import KeyedWriter, flush_writers, forget_pending
from pressroom.model.violations import InputError
from pressroom.render.site import enforced

logger = logging.getLogger(__name__)

# Pressroom's Pelican plugins, in order of execution: decide what is public, then clean
# it, then attach names and categories, then write feeds from the final list.
PLUGINS = [f"pressroom.adapter.plugins.{name}" for name in (
    "pressroom_markdown",
    "pressroom_publication",
    "pressroom_languages",
    "pressroom_sanitize",
    "pressroom_roster",
    "pressroom_categories",
    "pressroom_incidents",
    "pressroom_retractions",
    "pressroom_feeds",
    "pressroom_search",
)]


def site_settings(values: dict[str, Any], source: str) -> dict[str, Any]:
    """Pelican's full settings from ``values`` (defaults filled in, values checked);
    ``source`` names the settings file in the one-line error."""
    try:
        return read_settings(None, override=values)
    except Exception as exc:
        raise InputError(f"{source}: invalid settings: {exc}") from exc


def _configured(settings: dict[str, Any], session: BuildSession, output: Path,
                department: list[Any]) -> dict[str, Any]:
    """The settings Pelican runs with: the site's, then ours that nothing overrides;
    the ``department``'s plugin modules run after pressroom's."""
    settings = dict(settings)
    settings.update(enforced(session.repo, output))
    settings["PLUGINS"] = [*PLUGINS, *department]
    settings["PLUGIN_PATHS"] = []
    settings["THEME_ASSETS"] = assets.theme_assets(
        Path(settings["THEME"]) / "static",
        {**session.overrides.static, assets.BRAND_CSS: assets.brand_stylesheet(settings)})
    return configure_settings(settings)


class PressroomPelican(Pelican):
    """Pelican with pressroom's article generator and keyed writer, on every build, and
    every generator's environment from ``pressroom.adapter.templates`` (the department's
    templates first, in the sandbox whenever it has any)."""

    def __init__(self, settings: dict[str, Any]) -> None:
        forget_pending()  # pages a failed build queued are not this build's
        super().__init__(settings)

    def init_path(self) -> None:
        """Pelican puts the working folder on ``sys.path``: any later import (a library's
        lazy one) would then run a ``.py`` file of the repository being built — a branch
        under review. Nothing of a repository is ever imported; the path stays as it is."""

    def _get_generator_classes(self):
        return [sandboxed(PressroomArticlesGenerator if cls is ArticlesGenerator else cls)
                for cls in super()._get_generator_classes()]

    def _get_writer(self):
        return KeyedWriter(self.output_path, settings=self.settings)

    def run(self) -> None:
        super().run()
        flush_writers()  # normally done on ``finalized`` already (see below)


def run_full(settings: dict[str, Any], session: BuildSession, output: Path) -> None:
    """Pelican's whole run into ``output`` (an empty release folder), then the
    department's static files over pressroom's, then the fingerprinted copies pages link."""
    with contextlib.redirect_stdout(io.StringIO()), active(session), _sandbox_refusals(), \
            department_plugins.loaded(session.overrides.plugins) as department:
        configured = _configured(settings, session, output, department)
        PressroomPelican(configured).run()
        _copy_static(session, output / configured["THEME_STATIC_DIR"])
        brand = output / configured["THEME_STATIC_DIR"] / assets.BRAND_CSS
        brand.unlink(missing_ok=True)
        brand.write_bytes(assets.brand_stylesheet(configured))
        assets.write_fingerprinted(output / configured["THEME_STATIC_DIR"],
                                   configured["THEME_ASSETS"])


@contextlib.contextmanager
def _sandbox_refusals():
    """A template the sandbox stopped, or one not found or not parsed, outside the writer's
    pages (the banner region, a plugin rendering one, the page keys) is logged as the writer
    logs it: one line naming the template and line; the build then fails like any build
    with an error, and nothing is switched in."""
    try:
        yield
    except Exception as exc:
        refused = refusal(exc)
        if refused is None:
            if not isinstance(exc, TemplateError):
                raise
            refused = template_error(exc)  # not found, a syntax error: file and line
        logger.error("%s", refused)


def _copy_static(session: BuildSession, folder: Path) -> None:
    """The department's ``theme/static`` files (bytes read by ``pressroom.repo.overrides``) into
    the site's theme folder: a file of pressroom's with the same name is replaced."""
    for rel, data in sorted(session.overrides.static.items()):
        target = folder / rel
        if ".." in Path(rel).parts or Path(rel).is_absolute():  # read by the walker: never
            raise RuntimeError(f"theme/static/{rel}: a path leaving the site's theme folder")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)  # a new file: never write through a copied one
            target.write_bytes(data)
        except OSError as exc:  # a name pressroom's theme uses for a folder, or a file
            raise InputError(f"theme/static/{rel}: clashes with pressroom's own theme files "
                             f"({exc.strerror}); rename it") from exc


def run_warm(settings: dict[str, Any], session: BuildSession, kept: Iterable[Card],
             fresh: list[str], store: ContentStore) -> None:
    """Read the ``fresh`` posts (absolute paths), revive the ``kept`` cards, and replay
    the output phase over both; unchanged files stay in ``session.live``."""
    assert session.live is not None
    with contextlib.redirect_stdout(io.StringIO()), active(session), _sandbox_refusals(), \
            department_plugins.loaded(session.overrides.plugins) as department:
        configured = _configured(settings, session, Path(session.live), department)
        pelican = PressroomPelican(configured)
        generator = new_generator(pelican)
        articles = read_articles(
            generator, [os.path.relpath(path, generator.path) for path in fresh])
        taxa: dict[Any, Any] = {}
        cards = [card.revive(configured, taxa, store) for card in kept]
        writer = KeyedWriter(session.live, settings=configured)
        replay(generator, cards + articles, writer)


def _connect() -> None:
    """Pages queued by the writer are rendered before anything reacts to the end of the
    run: connected when this module loads, before any plugin registers."""
    from pelican import signals

    signals.finalized.connect(flush_writers)


_connect()
