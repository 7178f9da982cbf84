"""Attacks on a department's own templates and plugins (theme/, plugins/), kept as tests.

Found by an attacker after the overrides landed; each test failed on main at f80e2c3: a
template reached the build session through the settings and read, wrote and deleted files
(and so made the next ``check`` run code); ``generated_content`` showed drafts and embargoed
posts to templates; committed bytecode ran instead of a plugin's reviewed source;
``python -m pressroom`` in a checkout imported the branch's modules; template errors named
a temporary release path. Real builds into temp folders, real git, real console commands.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NOW, PROJECT, Repo, commit_all, tree_digest, write

from pressroom.build.run import build_site


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "dept")
    repo.post("2026/closure.md")
    return repo


# --- the build session must be out of every template's reach -----------------------------------
# Pelican copies the settings into the template context (and every article keeps them). The
# build session once rode in the settings (PRESSROOM_SESSION); its ``repo`` is a pathlib.Path,
# whose public methods Jinja's sandbox lets a template call: read, write, delete any file.

SESSION_PATHS = [
    "PRESSROOM_SESSION.repo",
    "(articles|first).settings.PRESSROOM_SESSION.repo",
]


@pytest.mark.parametrize("reach", SESSION_PATHS)
def test_a_template_cannot_write_a_file_through_the_build_session(repo, tmp_path, reach):
    """An unapproved branch's template, previewed with ``pressroom build``, writes any file
    the reviewer can (here a file beside the repo; as easily .git/hooks/pre-commit, or a
    pickle in the cache folder that the next ``check`` loads)."""
    marker = tmp_path / "written-by-a-template"
    write(repo.root, "theme/templates/contact.html",
          f"{{{{ {reach}.joinpath({str(marker)!r}).write_text('pwned') }}}}")
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert not marker.exists(), "the template wrote a file outside the release"
    assert not result.ok
    lines = [str(p) for p in result.problems]
    assert len(lines) == 1 and "theme/templates/contact.html" in lines[0], lines


@pytest.mark.parametrize("reach", SESSION_PATHS)
def test_a_template_cannot_read_a_file_outside_theme_through_the_build_session(
        repo, tmp_path, reach):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    write(repo.root, "theme/templates/contact.html",
          f"<p>{{{{ {reach}.joinpath({str(secret)!r}).read_text() }}}}</p>")
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    page = tmp_path / "out/contact/index.html"
    assert not (page.exists() and "TOP-SECRET-VALUE" in page.read_text(encoding="utf-8")), \
        "the template published a file from outside theme/"
    assert not result.ok


def test_a_template_cannot_delete_the_repository_through_the_build_session(repo, tmp_path):
    victim = write(repo.root, "content/2026/keep.md", (repo.root / "content/2026/closure.md")
                   .read_text(encoding="utf-8"))
    write(repo.root, "theme/templates/contact.html",
          "{{ PRESSROOM_SESSION.repo.joinpath('content/2026/keep.md').unlink() }}")
    build_site(repo.root, tmp_path / "out", now=NOW)
    assert victim.exists(), "a template deleted a file of the working folder"


# --- one clear line ---------------------------------------------------------------------------


def test_a_template_error_at_render_time_is_one_line_naming_the_template(repo, tmp_path):
    """A department base.html that fails while rendering (a missing include, a division by
    zero) fails every page: one line naming theme/templates/base.html and its line, not one
    line per page naming only the output file."""
    for n in range(5):
        repo.post(f"2026/post{n}.md", title=f"Closure number {n} on Main Street")
    write(repo.root, "theme/templates/base.html",
          '{% extends "pressroom/base.html" %}\n{% block feeds %}{{ 1 // 0 }}{% endblock %}\n')
    output = tmp_path / "out"
    result = build_site(repo.root, output, now=NOW)
    assert not result.ok
    lines = [str(p) for p in result.problems]
    assert len(lines) == 1, lines
    assert "theme/templates/base.html:2" in lines[0], lines


# --- denial of service --------------------------------------------------------------------------

BIN = Path(sys.executable).parent


def cli_build(repo: Path, output: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "pressroom"), "build", "--repo", str(repo), "--output",
                           str(output), "--now", NOW.isoformat()], capture_output=True,
                          text=True, timeout=timeout, cwd=repo)


@pytest.mark.parametrize("rel", ["theme/static/css", "theme/static/css/site.css/more.css"])
def test_a_static_file_clashing_with_a_folder_of_pressroms_is_one_line(repo, tmp_path, rel):
    """pressroom ships theme/static/css/site.css: a department file named like its folder, or
    a folder named like its file, is a department mistake to be named in one line."""
    output = tmp_path / "out"
    assert build_site(repo.root, output, now=NOW).ok
    before = tree_digest(output)
    write(repo.root, rel, b"body {}\n")
    built = cli_build(repo.root, output, timeout=300)
    text = built.stdout + built.stderr
    assert built.returncode == 1, text
    assert "Traceback" not in text, text
    assert rel in text, text  # names the department's file, not a path in the release
    assert tree_digest(output) == before


# --- plugins: the code that runs is the code reviewers read -------------------------------------




def test_committed_bytecode_never_runs_instead_of_the_approved_plugin_source(repo, tmp_path):
    """A supervisor approves plugins/footer.py (it does nothing) and a binary file beside it,
    plugins/__pycache__/footer.cpython-311.pyc, compiled from other source as an "unchecked
    hash" pyc (PEP 552): Python never compares such a pyc with its source, so build (and
    publish, which exports it from the commit) runs the bytecode, not the source that was
    read. Bytecode in plugins/ should be refused, or never loaded."""
    import py_compile

    marker = tmp_path / "bytecode-ran"
    source = repo.root / "plugins/footer.py"
    write(repo.root, "plugins/footer.py", f"from pathlib import Path\n"
                                          f"Path({str(marker)!r}).write_text('evil')\n"
                                          f"def register():\n    pass\n")
    cache = repo.root / "plugins/__pycache__" / f"footer.{sys.implementation.cache_tag}.pyc"
    py_compile.compile(str(source), cfile=str(cache), doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    source.write_text("def register():\n    pass\n")  # what the reviewer reads
    repo.site('[site]\nname = "Example City PD"\n\n[build]\nplugins = ["footer"]\n')
    commit_all(repo.root, "a harmless-looking plugin")
    build_site(repo.root, tmp_path / "out", now=NOW)
    assert not marker.exists(), "bytecode ran instead of the approved plugin source"


# --- python -m pressroom in a checkout --------------------------------------------------------

LAZY = ["markdown", "pelican", "jinja2", "nh3", "yaml", "zoneinfo", "_strptime", "uuid",
        "tomllib", "blinker", "feedgen", "unidecode", "dateutil", "pygments", "docutils"]


def test_python_m_pressroom_check_imports_nothing_from_the_working_folder(repo, tmp_path):
    """docs/architecture.md offers ``python -m pressroom`` as the command line. Run in the
    checkout of a branch under review (``--repo .``), Python puts the working folder first on
    sys.path, so ``check`` imports a branch's ``markdown.py`` (or any module imported after
    start-up, stdlib ones too) instead of the library: reviewing runs the branch's code.
    ``pressroom/__main__.py`` could drop the working folder from sys.path before importing."""
    marker = tmp_path / "imported"
    code = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
    for name in LAZY:
        (repo.root / f"{name}.py").write_text(code)
    env = {**__import__("os").environ, "PYTHONPATH": str(PROJECT)}
    subprocess.run([sys.executable, "-m", "pressroom", "check", "--repo", "."], cwd=repo.root,
                   env=env, capture_output=True, text=True, timeout=600)
    assert not marker.exists(), "imported from the working folder: " + marker.read_text()


def _site_with_secrets(repo: Repo, tmp_path: Path, contact: str) -> str:
    """The text of every page of a build with an embargoed post, a draft, and ``contact`` as
    the department's contact.html ("" when the build was refused: nothing was published)."""
    repo.post("2026/embargoed.md", title="Arrest planned for Friday", date="2026-12-20 09:00",
              summary="Officers will arrest the suspect at the harbor on Friday.")
    repo.post("2026/draft.md", title="Draft notice of a raid", status="draft")
    write(repo.root, "theme/templates/contact.html", contact)
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    site = "".join(p.read_text(encoding="utf-8", errors="replace")
                   for p in (tmp_path / "out").rglob("*.html")) if result.ok else ""
    return site


def test_a_template_cannot_publish_an_embargoed_or_draft_post_through_the_build_session(
        repo, tmp_path):
    """The session holds every validated post, drafts and embargoed ones too: a template
    (even an approved one, under publish) prints them, past pressroom_publication."""
    site = _site_with_secrets(
        repo, tmp_path, "{% for p in PRESSROOM_SESSION.posts.values() %}"
                        "<p>{{ p.title }}: {{ p.summary }}</p>{% endfor %}")
    assert "arrest the suspect at the harbor" not in site, "an embargoed post went public"
    assert "Draft notice of a raid" not in site, "a draft went public"


def test_a_previewed_template_cannot_make_the_next_check_run_code(repo, tmp_path):
    """The chain: ``pressroom build`` previews an unapproved branch whose template writes a
    pickle into the cache folder (.git/pressroom-cache/), through the build session; the
    reviewer's next ``pressroom check`` loads it and runs the branch's command."""
    commit_all(repo.root, "the department")
    marker = tmp_path / "ran-in-check"
    pickle_text = f"cos\\nsystem\\n(Vtouch {marker}\\ntR."
    write(repo.root, "theme/templates/contact.html",
          "{{ PRESSROOM_SESSION.repo.joinpath('.git/pressroom-cache/check-results.pickle')"
          f".write_text('{pickle_text}') }}}}")
    cli_build(repo.root, tmp_path / "out", timeout=300)
    assert not marker.exists()  # the build itself did not run it
    subprocess.run([str(BIN / "pressroom"), "check", "--repo", str(repo.root)],
                   capture_output=True, text=True, timeout=300)
    assert not marker.exists(), "pressroom check ran a command a branch's template planted"


@pytest.mark.parametrize("text", [
    '<p>\n{% include "nope.html" %}</p>',  # "build: BUILD-ERROR: TemplateNotFound: nope.html"
    '<p>\n{% include "contact.html" %}</p>',  # RecursionError, naming the partial release
    '<p>\n{{ "%d" % "x" }}</p>',  # TypeError, naming the partial release
    '<p>\n{% if %}</p>',  # "build: BUILD-ERROR: TemplateSyntaxError: Expected an expression..."
    '<p>\n{{ nothing() }}</p>',  # UndefinedError, naming the partial release
])
def test_a_failing_department_template_is_named_with_its_line(repo, tmp_path, text):
    write(repo.root, "theme/templates/contact.html", text)
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    lines = [str(p) for p in result.problems]
    assert len(lines) == 1 and "theme/templates/contact.html:2" in lines[0], lines
    assert str(tmp_path) not in lines[0], lines  # no temporary release path


def test_a_linked_plugin_is_refused_as_a_link_not_as_missing(repo, tmp_path):
    """A listed plugin that is a symbolic link is refused (good), but the line says the file
    is not there ("is neither plugins/marker.py nor ..."), which sends the department looking
    for a missing file; links are FILE-LINK everywhere else."""
    from click.testing import CliRunner

    from pressroom.cli import cli

    (tmp_path / "elsewhere.py").write_text("def register():\n    pass\n")
    (repo.root / "plugins").mkdir()
    (repo.root / "plugins/marker.py").symlink_to(tmp_path / "elsewhere.py")
    repo.site('[site]\nname = "Example City PD"\n\n[build]\nplugins = ["marker"]\n')
    checked = CliRunner().invoke(cli, ["check", "--repo", str(repo.root)])
    assert checked.exit_code == 1
    assert "plugins/marker.py: FILE-LINK" in checked.output, checked.output


def test_a_template_cannot_add_a_static_file_outside_the_release_through_the_session(
        repo, tmp_path):
    """Without calling any file method: the template adds "../../../escaped.txt" to the
    session's static map (a dict inside the frozen Overrides), and ``_copy_static`` writes it
    beside the output folder after Pelican ran. Refusing pathlib calls in the sandbox would
    not be enough; the session (and every ``settings`` dict holding it: article.settings,
    category.settings, articles_paginator.settings, ...) must be out of the templates' reach."""
    write(repo.root, "theme/templates/contact.html",
          "{{ PRESSROOM_SESSION.overrides.static.update("
          "{'../../../escaped.txt': 'pwned'.encode()}) }}")
    build_site(repo.root, tmp_path / "out", now=NOW)
    assert not (tmp_path / "escaped.txt").exists(), "a file was written outside the release"


def test_a_template_never_sees_drafts_or_embargoed_posts_in_generated_content(repo, tmp_path):
    """Not through the session: Pelican's ``generated_content`` (every file Pelican read,
    before pressroom_publication dropped drafts and embargoed posts) is in every template's
    context. A department template listing it, e.g. a "latest news" box copied from a Pelican
    theme, publishes embargoed and draft posts, full text, through ``publish`` as well."""
    site = _site_with_secrets(
        repo, tmp_path, "{% for path, post in generated_content.items() %}"
                        "<p>{{ post.title }}: {{ post.summary }} {{ post.content }}</p>"
                        "{% endfor %}")
    assert "Arrest planned for Friday" not in site, "an embargoed title went public"
    assert "arrest the suspect at the harbor" not in site, "an embargoed post went public"
    assert "Draft notice of a raid" not in site, "a draft went public"


def test_publish_never_puts_an_approved_embargoed_post_on_a_page_before_its_date(
        tmp_path, keys_dir):
    """The real workflow: an arrest notice approved ahead of time (its Date is Friday) and
    an approved theme whose contact page lists ``generated_content``: publish puts the
    embargoed notice online now."""
    from conftest import post_text
    from gitdept import Department

    from pressroom.publishing.publish import publish

    dept = Department(tmp_path / "dept", keys_dir)
    dept.branch("site/theme")
    dept.commit_as("sup1", "A contact page listing posts", {
        "theme/templates/contact.html": "{% for path, post in generated_content.items() %}"
                                        "<p>{{ post.title }}: {{ post.content }}</p>"
                                        "{% endfor %}",
        "content/2026/closure.md": post_text(author="sup1"),
        "content/2026/arrest.md": post_text(
            author="sup1", title="Arrest planned for Friday", date="2026-12-20 09:00",
            body="Officers will arrest the suspect at the harbor on Friday."),
    })
    dept.merge_as("sup2", "site/theme")
    published = publish(dept.root, tmp_path / "www", NOW)
    assert published.ok, published.problems
    site = "".join(p.read_text(encoding="utf-8", errors="replace")
                   for p in (tmp_path / "www").rglob("*.html"))
    assert "Arrest planned for Friday" not in site, "an embargoed title went public"
    assert "arrest the suspect at the harbor" not in site, "an embargoed post went public"
