"""A department's own templates, static files and plugins (theme/ and plugins/).

Real builds into temp folders and real git: an override shows on the page and may extend
pressroom's original; every template renders in Jinja's sandbox, so an attribute escape
fails the build with one line and leaves the live site alone; static files override
pressroom's; a department plugin runs in build and publish only, only as main holds it,
and publish takes templates and plugins from the verified commit, not the folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import NOW, PROJECT, Repo, commit_all, post_text, tree_digest, write
from gitdept import Department

from pressroom.build.run import build_site
from pressroom.cli import cli
from pressroom.hooks import check_content
from pressroom.model.violations import InputError
from pressroom.publishing.publish import publish
from pressroom.repo.department import load_department

FOOTER_BASE = """{% extends "pressroom/base.html" %}
{% block feeds %}<link rel="stylesheet" href="{{ SITEURL }}/theme/css/example-city.css">
{% endblock %}
"""
OWN_LINK = '/theme/css/example-city.css">'

OWN_CSS = b"body { color: #123456; }\n"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "dept")
    repo.post("2026/closure.md")
    return repo


def html(site: Path, rel: str = "index.html") -> str:
    return (site / rel).read_text(encoding="utf-8")


# --- templates ------------------------------------------------------------------------------


def test_a_department_template_replaces_pressroms_and_shows_on_the_page(repo, tmp_path):
    write(repo.root, "theme/templates/contact.html",
          '{% extends "base.html" %}{% block content %}<p>Call us: {{ SITENAME }}</p>'
          '{% endblock %}')
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert result.ok, result.problems
    contact = html(tmp_path / "out", "contact/index.html")
    assert "<p>Call us: Police Department</p>" in contact
    assert "<footer" in contact  # still pressroom's base.html around it


def test_a_department_base_extends_pressroms_original(repo, tmp_path):
    write(repo.root, "theme/templates/base.html", FOOTER_BASE)
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert result.ok, result.problems
    for page in ("index.html", "2026/closure/index.html", "contact/index.html"):
        text = html(tmp_path / "out", page)
        assert OWN_LINK in text, page
        assert "<footer" in text and "pressroom:banner" in text  # the rest is pressroom's


@pytest.mark.parametrize("block", ["description", "banner"])
def test_an_attribute_escape_fails_the_build_in_one_line_and_the_live_site_stays(
        repo, tmp_path, block):
    output = tmp_path / "out"
    assert build_site(repo.root, output, now=NOW).ok
    before = tree_digest(output)
    write(repo.root, "theme/templates/base.html",
          FOOTER_BASE + f"{{% block {block} %}}{{{{ ''.__class__.__mro__ }}}}{{% endblock %}}\n")
    result = build_site(repo.root, output, now=NOW)
    assert not result.ok
    lines = [str(p) for p in result.problems]
    assert len(lines) == 1, lines
    assert lines[0].startswith("build: BUILD-ERROR: theme/templates/base.html:4: the template "
                               "sandbox refused it"), lines
    assert tree_digest(output) == before


def test_even_a_lone_unsafe_attribute_fails_the_build(repo, tmp_path):
    """Jinja's sandbox would print ``{{ ''.__class__ }}`` as nothing; it fails instead."""
    write(repo.root, "theme/templates/contact.html", "<p>{{ ''.__class__ }}</p>")
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert [str(p) for p in result.problems] == [
        "build: BUILD-ERROR: theme/templates/contact.html:1: the template sandbox refused it: "
        "access to attribute '__class__' of 'str' object is unsafe."]


def test_the_sandbox_also_stops_globals_reached_through_a_helper(repo, tmp_path):
    write(repo.root, "theme/templates/contact.html",
          "{{ cycler.__init__.__globals__.os.system('touch pwned') }}")
    result = build_site(repo.root, tmp_path / "out", now=NOW, full=True)
    assert not result.ok
    assert "theme/templates/contact.html:1: the template sandbox refused it" in \
        str(result.problems[0])
    assert not (Path.cwd() / "pwned").exists()


def test_theme_files_are_read_like_content_files(repo, tmp_path):
    secret = tmp_path / "secret.html"
    secret.write_text("{{ SITENAME }} secret", encoding="utf-8")
    write(repo.root, "theme/templates/index.html", b"\xff\xfe not text")
    (repo.root / "theme/templates/contact.html").symlink_to(secret)
    (repo.root / "theme/static").mkdir(parents=True)
    (repo.root / "theme/static/passwd").symlink_to("/etc/passwd")
    os.mkfifo(repo.root / "theme/static/pipe")
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert sorted(str(p).split(": ")[1] for p in result.problems) == [
        "FILE-ENCODING", "FILE-LINK", "FILE-LINK", "FILE-SPECIAL"]
    assert any(str(p).startswith("theme/templates/contact.html: FILE-LINK")
               for p in result.problems)
    assert not (tmp_path / "out").exists()
    # check (and so the hook and approve) finds them too, before anyone builds
    from pressroom.checking.repo import check_repo

    found = check_repo(repo.root, use_cache=False)
    assert sorted(v.rule_id for v in found.errors) == [
        "FILE-ENCODING", "FILE-LINK", "FILE-LINK", "FILE-SPECIAL"]


def test_the_pressroom_prefix_is_reserved(repo, tmp_path):
    write(repo.root, "theme/templates/pressroom/base.html", "hijacked")
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert [str(p) for p in result.problems] == [
        "theme/templates/pressroom/base.html: FILE-NAME: theme/templates/pressroom/ is reserved:"
        " it names pressroom's own templates; rename the folder"]


def test_a_template_outside_theme_cannot_be_reached(repo, tmp_path):
    write(repo.root, "secret.html", "SECRET")
    write(repo.root, "theme/templates/contact.html", '{% include "../../secret.html" %}')
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert not result.ok and "secret.html" in str(result.problems[0])
    assert not (tmp_path / "out").exists() or "SECRET" not in html(
        tmp_path / "out", "contact/index.html")


def test_department_static_files_go_after_pressroms(repo, tmp_path):
    write(repo.root, "theme/static/css/site.css", OWN_CSS)
    write(repo.root, "theme/static/img/badge.txt", b"badge")
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert result.ok, result.problems
    assert (tmp_path / "out/theme/css/site.css").read_bytes() == OWN_CSS
    assert (tmp_path / "out/theme/img/badge.txt").read_bytes() == b"badge"


def test_the_department_stylesheet_is_fingerprinted_and_every_page_links_it(repo, tmp_path):
    """The department's site.css (and any stylesheet of its own) is copied under the hash of
    its bytes, which every page links, so servers may cache it a year; a change of the
    stylesheet renames it, so the next build rewrites every page (a full build)."""
    from pressroom.adapter.assets import fingerprinted

    write(repo.root, "theme/static/css/site.css", OWN_CSS)
    write(repo.root, "theme/static/css/example-city.css", b"p { margin: 0 }\n")
    output = tmp_path / "out"
    assert build_site(repo.root, output, now=NOW).ok
    named = fingerprinted("css/site.css", OWN_CSS)
    assert (output / "theme" / named).read_bytes() == OWN_CSS
    assert (output / "theme" / fingerprinted("css/example-city.css", b"p { margin: 0 }\n")
            ).is_file()
    pages = sorted(output.rglob("*.html"))
    assert pages and all(f"/theme/{named}\"" in page.read_text() for page in pages)

    write(repo.root, "theme/static/css/site.css", OWN_CSS + b"a { color: #000 }\n")
    again = build_site(repo.root, output, now=NOW)
    assert again.ok and not again.incremental
    renamed = fingerprinted("css/site.css", OWN_CSS + b"a { color: #000 }\n")
    assert renamed != named
    assert all(f"/theme/{renamed}\"" in page.read_text() for page in output.rglob("*.html"))


def test_a_template_change_gives_the_same_bytes_warm_and_full(repo, tmp_path):
    """The output keys stay right: a department template change makes the next build
    full (the fingerprint hashes theme/), and its site equals a full build's byte for byte."""
    output = tmp_path / "out"
    assert build_site(repo.root, output, now=NOW).ok
    repo.post("2026/second.md", title="Second closure on Oak Avenue")
    assert build_site(repo.root, output, now=NOW).incremental
    write(repo.root, "theme/templates/base.html", FOOTER_BASE)
    write(repo.root, "theme/static/css/site.css", OWN_CSS)
    again = build_site(repo.root, output, now=NOW)
    assert again.ok and not again.incremental and "theme" in again.full_reason
    repo.post("2026/third.md", title="Third closure on Elm Street")
    warm = build_site(repo.root, output, now=NOW)
    assert warm.ok and warm.incremental
    full = build_site(repo.root, tmp_path / "full", now=NOW, full=True)
    assert full.ok
    assert tree_digest(output) == tree_digest(tmp_path / "full")
    assert OWN_LINK in html(output, "2026/third/index.html")


# --- plugins: settings ----------------------------------------------------------------------


PLUGIN = """\
from pathlib import Path

from pelican import signals

Path({marker!r}).write_text("imported")


def _finished(pelican):
    Path({marker!r}).write_text("ran in " + pelican.settings["SITENAME"])


def register():
    signals.finalized.connect(_finished)
"""


def site_toml(plugins: str) -> str:
    return f'[site]\nname = "Example City PD"\n\n[build]\nplugins = {plugins}\n'


@pytest.mark.parametrize(("plugins", "expected"), [
    ('["nope"]', "policy/site.toml:5: SITE-CONFIG: [build] plugins: 'nope' is neither "
                 "plugins/nope.py nor plugins/nope/__init__.py in the repository"),
    ('["os.path"]', "policy/site.toml:5: SITE-CONFIG: [build] plugins: 'os.path' is not a "
                    "plugin name"),
    ('"marker"', "policy/site.toml:5: SITE-CONFIG: [build] plugins must be a list"),
    ('["marker", "marker"]', "policy/site.toml:5: SITE-CONFIG: [build] plugins names a "
                             "plugin twice"),
])
def test_plugin_settings_are_validated_with_file_and_line(repo, plugins, expected):
    write(repo.root, "plugins/marker.py", "def register():\n    pass\n")
    repo.site(site_toml(plugins))
    with pytest.raises(InputError) as caught:
        load_department(repo.root)
    assert str(caught.value).startswith(expected), str(caught.value)
    checked = run("check", "--repo", str(repo.root))
    assert checked.exit_code == 1 and expected in checked.output, checked.output


def test_a_package_plugin_is_found(repo):
    write(repo.root, "plugins/links/__init__.py", "def register():\n    pass\n")
    repo.site(site_toml('["links"]'))
    assert load_department(repo.root).plugins == ("links",)


# --- plugins: only as approved, only in build and publish -----------------------------------




def committed(repo: Repo, marker: Path) -> None:
    """The department's plugin, listed and committed on main."""
    write(repo.root, "plugins/marker.py", PLUGIN.format(marker=str(marker)))
    repo.site(site_toml('["marker"]'))
    commit_all(repo.root, "plugin")


def test_a_plugin_runs_in_build_after_pressroms(repo, tmp_path):
    marker = tmp_path / "marker"
    committed(repo, marker)
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert result.ok, result.problems
    assert marker.read_text() == "ran in Example City PD"
    assert not list((repo.root / "plugins").rglob("__pycache__"))  # no bytecode beside it
    assert not [name for name in __import__("sys").modules if name.endswith("_marker")]


def test_a_package_plugin_named_like_an_installed_package_runs_under_its_own_name(
        repo, tmp_path):
    """A plugin called ``markdown`` neither replaces Python-Markdown nor is replaced by it;
    its relative imports find its own modules."""
    marker = tmp_path / "marker"
    write(repo.root, "plugins/markdown/helper.py", f"MARKER = {str(marker)!r}\n")
    write(repo.root, "plugins/markdown/__init__.py",
          "from pathlib import Path\n\nfrom .helper import MARKER\n\n\n"
          "def register():\n    Path(MARKER).write_text(__name__)\n")
    repo.site(site_toml('["markdown"]'))
    commit_all(repo.root, "a package plugin")
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert result.ok, result.problems
    name = marker.read_text()
    assert name.startswith("pressroom_department_") and name.endswith("_markdown")
    assert "<p>Drivers should use Oak Avenue.</p>" in html(tmp_path / "out",
                                                            "2026/closure/index.html")


def test_a_plugin_that_fails_is_one_line_and_the_live_site_stays(repo, tmp_path):
    marker = tmp_path / "marker"
    committed(repo, marker)
    output = tmp_path / "out"
    assert build_site(repo.root, output, now=NOW).ok
    before = tree_digest(output)
    (repo.root / "plugins/marker.py").write_text("raise RuntimeError('broken plugin')\n")
    commit_all(repo.root, "break it")
    result = build_site(repo.root, output, now=NOW)
    assert [str(p) for p in result.problems] == [
        "build: BUILD-ERROR: InputError: plugin 'marker' (marker.py) failed to load: "
        "RuntimeError: broken plugin"]
    assert tree_digest(output) == before


def test_an_unapproved_plugin_is_refused_with_one_line_a_file(repo, tmp_path):
    marker = tmp_path / "marker"
    committed(repo, marker)
    plugin = repo.root / "plugins/marker.py"
    plugin.write_text(plugin.read_text() + "# an edit nobody approved\n")
    write(repo.root, "plugins/extra.py", "x = 1\n")
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert [str(p) for p in result.problems] == [
        "plugins/extra.py: PLUGIN-UNAPPROVED: is not on main; plugins run only as approved",
        "plugins/marker.py: PLUGIN-UNAPPROVED: differs from main; plugins run only as "
        "approved"]
    assert not marker.exists() and not (tmp_path / "out").exists()
    built = run("build", "--repo", str(repo.root), "--output", str(tmp_path / "out"),
                "--now", NOW.isoformat())
    assert built.exit_code == 1 and "PLUGIN-UNAPPROVED" in built.output


def test_a_plugin_outside_git_is_refused(repo, tmp_path):
    marker = tmp_path / "marker"
    write(repo.root, "plugins/marker.py", PLUGIN.format(marker=str(marker)))
    repo.site(site_toml('["marker"]'))
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert not result.ok and result.problems[0].rule_id == "PLUGIN-UNAPPROVED"
    assert not marker.exists()


def test_plugins_never_run_in_check_hooks_approve_or_verify_and_run_in_build_and_publish(
        tmp_path, keys_dir, monkeypatch):
    dept = Department(tmp_path / "dept", keys_dir)
    marker = tmp_path / "marker"
    dept.branch("site/plugin")
    dept.commit_as("sup1", "A footer plugin and template", {
        "plugins/marker.py": PLUGIN.format(marker=str(marker)),
        "policy/site.toml": site_toml('["marker"]'),
        "theme/templates/base.html": FOOTER_BASE,
        "content/2026/closure.md": post_text(author="sup1"),
    })
    checked = run("check", "--repo", str(dept.root))
    assert checked.exit_code == 0, checked.output
    monkeypatch.chdir(dept.root)
    assert check_content.main(["content/2026/closure.md", "plugins/marker.py",
                               "policy/site.toml"]) == 0
    monkeypatch.undo()
    assert run("setup-signing", "--repo", str(dept.root), "--member", "chief1", "--key",
               str(dept.keys["chief1"].private)).exit_code == 0
    approved = run("approve", "--repo", str(dept.root), "site/plugin")
    assert approved.exit_code == 0, approved.output
    verified = run("verify", "--repo", str(dept.root))
    assert verified.exit_code == 0, verified.output
    assert not marker.exists(), "check, the hook, approve or verify ran a plugin"

    built = run("build", "--repo", str(dept.root), "--output", str(tmp_path / "preview"),
                "--now", NOW.isoformat())
    assert built.exit_code == 0, built.output
    assert marker.read_text() == "ran in Example City PD"
    marker.unlink()
    # The working folder's template changes, uncommitted: publish uses main's.
    write(dept.root, "theme/templates/base.html",
          FOOTER_BASE.replace("example-city", "UNAPPROVED"))
    published = publish(dept.root, tmp_path / "www", NOW)
    assert published.ok, published.problems
    assert marker.read_text() == "ran in Example City PD"
    page = html(tmp_path / "www", "2026/closure/index.html")
    assert OWN_LINK in page and "UNAPPROVED" not in page


def test_the_sample_and_a_new_department_have_no_overrides():
    """The sample's theme/ and plugins/ hold only their READMEs (its site's bytes are as
    before), and `pressroom init` makes neither folder: both are optional."""
    from datetime import date

    from pressroom.init import render_files
    from pressroom.repo.department import parse_department

    assert sorted(p.name for p in (PROJECT / "theme").iterdir()) == ["README.md"]
    assert sorted(p.name for p in (PROJECT / "plugins").iterdir()) == ["README.md"]
    files = render_files("Azusa Police Department", "America/Los_Angeles", date(2026, 11, 29))
    assert not [rel for rel in files if rel.startswith(("theme/", "plugins/"))]
    assert parse_department(files["policy/site.toml"]).plugins == ()
