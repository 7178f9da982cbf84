"""Warm builds (pressroom.build.warm and .incremental, pressroom.adapter) against full builds.

Two copies of the sample department get the same changes; one is built warm after
each change, the other in full (``full=True``), and the two sites are compared
byte for byte. The warm copy also renders through the forked workers, in batches of seven
that render while the next keys are computed, the full copy in one process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from conftest import LA, PROJECT, tree_digest
from imagefiles import image_bytes

from pressroom.build.incremental import (
    BANNER_END,
    BANNER_START,
    STATE_FILE,
    load_state,
    patched_banner,
)
from pressroom.build.run import build_site
from pressroom.cache import folder as cache_folder
from pressroom.render.site import THEME_PATH

HELD_BACK = ("police-activity-elm-street-update.md", "police-activity-elm-street-all-clear.md")


def at(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=LA)


def copy_sample(root: Path, extra_settings: str = "") -> Path:
    root.mkdir(parents=True)
    shutil.copytree(PROJECT / "content", root / "content")
    shutil.copytree(PROJECT / "policy", root / "policy")
    settings = (PROJECT / "pelicanconf.py").read_text(encoding="utf-8")
    (root / "pelicanconf.py").write_text(settings + extra_settings, encoding="utf-8")
    for name in HELD_BACK:  # the incident's update and all-clear arrive later
        (root / "content" / "2026" / name).rename(root / name)
        spanish = root / "content" / "2026" / "es" / name  # and their translations
        if spanish.exists():
            spanish.rename(root / f"es-{name}")
    return root


class Twins:
    """The same department twice: built warm, and built in full."""

    def __init__(self, tmp_path: Path) -> None:
        self.base = tmp_path
        self.warm = copy_sample(tmp_path / "warm", "\nPRESSROOM_PARALLEL_FROM = 1\n"
                                                   "PRESSROOM_RENDER_BATCH = 7\n")
        self.full = copy_sample(tmp_path / "full")

    def change(self, edit: Callable[[Path], None]) -> None:
        edit(self.warm)
        edit(self.full)

    def build(self, now: datetime, expect_warm: bool = True):
        warm = build_site(self.warm, self.base / "out-warm", now=now)
        full = build_site(self.full, self.base / "out-full", now=now, full=True)
        assert warm.ok and full.ok, (warm.problems, full.problems)
        assert warm.incremental is expect_warm, warm.full_reason
        assert not full.incremental
        warm_tree = tree_digest(self.base / "out-warm")
        assert warm_tree == tree_digest(self.base / "out-full")
        assert warm.files == len(warm_tree)
        return warm


def new_post(root: Path) -> None:
    (root / "content" / "2026" / "new-post.md").write_text(
        "Title: Food drive at the Civic Center\nDate: 2026-11-24 17:30\nCategory: community\n"
        "Author: pio1\nSummary: Bring canned food to the front counter.\n"
        "Tags: community, food drive\n\nDonations go to the Example City food bank.\n",
        encoding="utf-8")


def new_alert(root: Path) -> None:
    (root / "content" / "2026" / "water-main-break.md").write_text(
        "Title: Water main break: avoid Grand Avenue\nDate: 2026-11-24 18:45\n"
        "Category: safety-alerts\nAuthor: pio1\nSummary: Grand Avenue is flooded.\n"
        "Expires: 2026-11-24 21:00\nArea: Grand Avenue at 2nd Street\nResponse: Avoid\n\n"
        "Crews are on the way.\n", encoding="utf-8")


def arrive(name: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / name).rename(root / "content" / "2026" / name)
        if (root / f"es-{name}").exists():  # the Spanish translation arrives with it
            (root / f"es-{name}").rename(root / "content" / "2026" / "es" / name)
    return change


def edit(name: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / "content" / "2026" / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return change


def retraction(name: str, kind: str) -> Callable[[Path], None]:
    fields = (f"Retraction: {kind}\nRetracted: 2026-11-25 08:00\n"
              f"Retraction-Reason: Superseded.\nReported-By: sup1\n\n")
    return edit(name, "\n\n", "\n" + fields)


def test_warm_builds_write_exactly_what_full_builds_write(tmp_path: Path) -> None:
    twins = Twins(tmp_path)
    first = twins.build(at(24, 18), expect_warm=False)
    assert first.full_reason == "no earlier build to start from"

    unchanged = twins.build(at(24, 18))
    assert unchanged.rewritten == 0 and unchanged.banner_patched == 0

    twins.change(new_post)
    added = twins.build(at(24, 18))
    assert 0 < added.rewritten < added.files / 2

    twins.change(arrive(HELD_BACK[0]))  # an incident update: the banner names the incident
    update = twins.build(at(24, 19))
    assert update.banner_patched == 0 and update.rewritten < update.files / 2

    twins.change(new_alert)  # a second alert joins the banner on every page
    alert = twins.build(at(24, 19))
    assert alert.banner_patched > alert.files / 2

    twins.change(edit("hit-and-run-oak-avenue.md", "Detectives seek witnesses",
                      "Police seek witnesses"))
    twins.build(at(24, 19))

    expired = twins.build(at(24, 23))  # the update's Expires passed: banner empties
    assert expired.banner_patched > 0

    twins.change(arrive(HELD_BACK[1]))
    twins.build(at(25, 9))

    twins.change(lambda root: (root / "content" / "2026" / "new-post.md").unlink())
    removed = twins.build(at(25, 9))
    assert removed.removed > 0

    twins.change(retraction("volunteer-program.md", "withdraw"))
    twins.build(at(25, 9))
    twins.change(retraction("coffee-with-a-cop-october.md", "remove"))
    twins.build(at(25, 9))

    due = twins.build(at(19, 9, month=12))  # the embargoed holiday post falls due
    assert due.rewritten > 0

    twins.change(edit("../../policy/site.toml", 'name = "Example City Police Department"',
                      'name = "Example City PD"'))
    setting = twins.build(at(19, 9, month=12), expect_warm=False)
    assert "settings" in setting.full_reason


def test_a_theme_change_rebuilds_everything(tmp_path: Path, monkeypatch) -> None:
    theme = tmp_path / "theme"
    shutil.copytree(THEME_PATH, theme)
    monkeypatch.setattr("pressroom.render.site.THEME_PATH", theme)
    root = copy_sample(tmp_path / "dept")
    assert build_site(root, tmp_path / "out", now=at(24, 18)).ok
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace(
        "This site does not accept comments", "This website does not accept comments"),
        encoding="utf-8")
    result = build_site(root, tmp_path / "out", now=at(24, 18))
    assert result.ok and not result.incremental
    assert "theme" in result.full_reason
    pages = [p for p in (tmp_path / "out").rglob("*.html")]
    assert pages and all("This website does not accept comments" in p.read_text(
        encoding="utf-8") for p in pages if "<footer" in p.read_text(encoding="utf-8"))


def test_a_refused_warm_build_changes_nothing(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "dept")
    output = tmp_path / "out"
    assert build_site(root, output, now=at(24, 18)).ok
    before = tree_digest(output)
    edit("volunteer-program.md", "Category: ", "Category: gossip-")(root)
    refused = build_site(root, output, now=at(24, 18))
    assert not refused.ok  # the content rules refuse it before any file is written
    assert [p.rule_id for p in refused.problems] == ["FRONT-CATEGORY"]
    assert tree_digest(output) == before
    assert not list(tmp_path.glob(".output-*")), "no stage left behind"
    assert [p.name for p in (tmp_path / ".out.releases").iterdir()] == \
        [os.readlink(output).split("/")[-1]], "no stage or half-built release left behind"
    edit("volunteer-program.md", "Category: gossip-", "Category: ")(root)
    again = build_site(root, output, now=at(24, 18))
    assert again.ok and again.incremental and tree_digest(output) == before


def test_a_file_missing_from_the_site_is_written_again(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "dept")
    output = tmp_path / "out"
    assert build_site(root, output, now=at(24, 18)).ok
    before = tree_digest(output)
    (output / "contact" / "index.html").unlink()
    result = build_site(root, output, now=at(24, 18))
    assert result.incremental and result.rewritten == 1
    assert tree_digest(output) == before


@pytest.mark.parametrize("change, reason", [
    (lambda root: (root / "content" / "images" / "new.png").write_bytes(image_bytes("PNG")),
     "content/images/new.png changed"),
    (lambda root: (root / "policy" / "roster.toml").write_text(
        (root / "policy" / "roster.toml").read_text() + "\n# reviewed\n"), "roster"),
    (lambda root: (root / ".git-free-marker").write_text(""), None),
])
def test_what_needs_a_full_build(tmp_path: Path, change, reason) -> None:
    root = copy_sample(tmp_path / "dept")
    (root / "content" / "images").mkdir(exist_ok=True)
    assert build_site(root, tmp_path / "out", now=at(24, 18)).ok
    change(root)
    result = build_site(root, tmp_path / "out", now=at(24, 18))
    assert result.ok
    if reason is None:
        assert result.incremental  # files outside content/ and policy/ do not matter
    else:
        assert not result.incremental and reason in result.full_reason


def test_posts_linking_to_posts_are_built_in_full(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "dept")
    edit("volunteer-program.md", "\n\n", "\n\nSee [the cleanup]({filename}"
         "neighborhood-cleanup-volunteers.md).\n\n")(root)
    assert build_site(root, tmp_path / "out", now=at(24, 18)).ok
    result = build_site(root, tmp_path / "out", now=at(24, 18))
    assert result.ok and not result.incremental and "{filename}" in result.full_reason


def test_a_lost_state_means_a_full_build(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "dept")
    assert build_site(root, tmp_path / "out", now=at(24, 18)).ok
    assert load_state(cache_folder(root)) is not None  # waits for the background save
    (cache_folder(root) / STATE_FILE).write_bytes(b"not a pickle")
    result = build_site(root, tmp_path / "out", now=at(24, 18))
    assert result.ok and not result.incremental


def test_banner_region_is_replaced_between_its_markers() -> None:
    page = f"<body>\n  {BANNER_START}\n  <aside>old</aside>\n  {BANNER_END}\n<main>".encode()
    block = f"{BANNER_START}\n  {BANNER_END}".encode()
    assert patched_banner(page, block) == b"<body>\n  " + block + b"\n<main>"
    assert patched_banner(b"<body>" + block + b"<main>", block) is None  # already current
    assert patched_banner(b"<body><main>", block) is None  # no banner on this page


def test_template_keys_leave_out_only_a_patchable_banner(tmp_path: Path) -> None:
    from jinja2 import DictLoader, Environment

    from pressroom.adapter.keys import template_variables

    env = Environment(loader=DictLoader({
        "base.html": "{{ SITENAME }}{% block banner %}{{ alert_banner }}{{ SITEURL }}"
                     "{% endblock %}{% block content %}{% endblock %}",
        "page.html": "{% extends 'base.html' %}{% block content %}{{ article.title }}"
                     "{% endblock %}",
        "loud.html": "{% extends 'base.html' %}{% block content %}{{ alert_banner|length }}"
                     "{% endblock %}",
        "odd.html": "{% block banner %}{{ article.title }}{% endblock %}",
    }))
    assert template_variables(env, "page.html") == {"SITENAME", "article"}
    assert "alert_banner" in template_variables(env, "loud.html")
    assert "article" in template_variables(env, "odd.html")  # reads more: not patched


def test_the_command_says_how_it_built(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "dept")
    command = [str(PROJECT / ".venv" / "bin" / "pressroom"), "build", "--repo", str(root),
               "--now", "2026-11-24T18:00-08:00", "--quiet"]
    if not Path(command[0]).exists():
        command[0] = shutil.which("pressroom") or command[0]
    def seeded(seed: str) -> dict[str, str]:  # keys must not depend on the hash seed
        return {**os.environ, "PYTHONHASHSEED": seed}

    first = subprocess.run(command, capture_output=True, text=True, check=True, env=seeded("1"))
    assert "(full build: no earlier build to start from)" in first.stdout
    second = subprocess.run(command, capture_output=True, text=True, check=True,
                            env=seeded("2"))
    assert "(incremental: 0 rewritten, the rest unchanged)" in second.stdout
    forced = subprocess.run(command + ["--full"], capture_output=True, text=True, check=True)
    assert "(full build: --full was given)" in forced.stdout
    assert (root / "output" / "index.html").is_file()
