"""Our Markdown path gives exactly what Pelican's own reader gives, file after file."""

from __future__ import annotations

import copy
import importlib.util
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import PROJECT, post_text
from pelican.readers import MarkdownReader
from pelican.settings import DEFAULT_CONFIG

from pressroom.adapter.session import BuildSession, active
from pressroom.model.roster import Roster
from pressroom.render.markdown_render import render_many
from pressroom.render.site import enforced

STATEFUL = [
    post_text(body="Text with a footnote.[^1]\n\n[^1]: The note.\n\n*[CHP]: California "
                   "Highway Patrol\n\nThe CHP helped."),
    post_text(body="| a | b |\n|---|---|\n| 1 | 2 |\n\nNo abbreviation here: CHP.",
              summary="A *formatted* summary with [a link](https://www.ca.gov/)."),
    post_text(body="Another footnote.[^1]\n\n[^1]: Numbered from one again."),
]


def _reader_module():
    return importlib.import_module("pressroom.adapter.plugins.pressroom_markdown")


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    config = copy.deepcopy(DEFAULT_CONFIG)
    base = enforced(tmp_path_factory.mktemp("repo"), tmp_path_factory.mktemp("out"))
    config.update({k: base[k] for k in ("MARKDOWN", "FORMATTED_FIELDS")})
    config["TIMEZONE"] = "America/Los_Angeles"
    return config


def _files(tmp_path) -> list[Path]:
    files = sorted((PROJECT / "content").rglob("*.md")) + sorted(
        (PROJECT / "tests/corpus").rglob("*.md"))
    for index, text in enumerate(STATEFUL):
        path = tmp_path / f"stateful-{index}.md"
        path.write_text(text)
        files.append(path)
    return files


def _same(ours, theirs) -> None:
    assert ours[0] == theirs[0]
    assert {k: str(v) for k, v in ours[1].items()} == {k: str(v) for k, v in theirs[1].items()}


def test_reader_matches_pelican_file_after_file(settings, tmp_path):
    module = _reader_module()
    ours = module.PressroomMarkdownReader(copy.deepcopy(settings))  # one reader, many files
    for path in _files(tmp_path):
        theirs = MarkdownReader(copy.deepcopy(settings)).read(str(path))
        _same(ours.read(str(path)), theirs)


def test_parallel_pre_render_matches_pelican(settings, tmp_path):
    module = _reader_module()
    files = [str(p) for p in _files(tmp_path)] * 4  # enough to use worker processes
    rendered = render_many(files, settings["MARKDOWN"], settings["FORMATTED_FIELDS"], workers=2)
    session = BuildSession(repo=tmp_path, now=datetime.now(UTC), roster=Roster(), posts={},
                           rendered=rendered)
    reader = module.PressroomMarkdownReader(copy.deepcopy(settings))
    with active(session):
        for path in files[: len(files) // 4]:
            _same(reader.read(path), MarkdownReader(copy.deepcopy(settings)).read(path))


def test_cache_key_covers_the_sanitizer_code_and_allowlists(settings, monkeypatch, tmp_path):
    """A sanitizer change without a version bump must not reuse renderings made before it:
    the key holds the allowlists and the digest of pressroom's code (``pressroom.cache``),
    which reads the sanitizer's source itself."""
    from pressroom import cache
    from pressroom.render import markdown_render, sanitize

    args = (settings["MARKDOWN"], settings["FORMATTED_FIELDS"], "police.example")
    before = markdown_render.cache_key(*args)
    monkeypatch.setattr(sanitize, "TAGS", sanitize.TAGS | {"iframe"})
    assert markdown_render.cache_key(*args) != before
    monkeypatch.setattr(sanitize, "TAGS", sanitize.TAGS - {"iframe"})
    assert markdown_render.cache_key(*args) == before

    # The same package with one line of the sanitizer changed: another code digest.
    package = tmp_path / "pressroom"
    shutil.copytree(Path(sanitize.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    with open(package / "sanitize.py", "a", encoding="utf-8") as handle:
        handle.write("\n# a fix that forgot to bump the version\n")
    real_roots = cache.code_roots
    monkeypatch.setattr(cache, "code_roots", lambda: [package, *real_roots()[1:]])
    assert markdown_render.cache_key(*args) != before
    monkeypatch.setattr(cache, "code_roots", real_roots)
    assert markdown_render.cache_key(*args) == before
