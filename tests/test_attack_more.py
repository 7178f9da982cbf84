"""More attacks on the issue #11 guarantees, through the real command line.

Each test here reproduces a break found by an adversarial review: it failed on the code
as it stood when it was written.

* `pelicanconf.py` is data, but Pelican settings that `enforced()` does not pin still
  reach Pelican: a theme-static path outside the repository is published, a template
  override folder runs Jinja code (which can run anything), a static file's `save_as` or
  the theme's static folder writes outside the site, and `OUTPUT_SOURCES` publishes the
  raw Markdown with the HTML comments no reader was meant to see.
* The check cache trusted a file whose size and modification time were unchanged: a
  same-size edit with its time restored (`cp -p`, `rsync -t`, `tar x`, `touch -r`) was
  never checked, and `build --full` published it.
* The caches are pickles; where `.git` is a file (a `git worktree`, a submodule) the cache
  folder was the working folder's `.pressroom-cache/`, which a branch can commit: checking
  it ran the branch's code.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Repo, post_text, require_tool

SECRET = "TOP-SECRET-ON-THE-BUILD-MACHINE"
BIN = Path(sys.executable).parent
NOW = "2026-11-27T12:00-08:00"


def pressroom(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real console command in its own process."""
    return subprocess.run([str(BIN / "pressroom"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def site_bytes(out: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in out.rglob("*") if p.is_file())


def png() -> bytes:
    sys.path.insert(0, str(Path(__file__).parent))
    from imagefiles import image_bytes

    return image_bytes("PNG")


# --- pelicanconf.py may not re-open what enforced() closes --------------------------------

def _static_paths(tmp: Path) -> str:
    secret = tmp / "secret"
    secret.mkdir()
    (secret / "id_ed25519").write_text(SECRET + "\n")
    return f"THEME_STATIC_PATHS = [{str(secret)!r}]\n"


def _template_override(tmp: Path) -> str:
    templates = tmp / "templates"
    templates.mkdir()
    marker = tmp / "ran"
    command = f"echo {SECRET} > {marker}"
    (templates / "base.html").write_text(
        "{{ cycler.__init__.__globals__.os.system(" + repr(command) + ") }}\n")
    return f"THEME_TEMPLATES_OVERRIDES = [{str(templates)!r}]\n"


def _static_save_as(tmp: Path) -> str:
    return 'EXTRA_PATH_METADATA = {"images/car.png": {"save_as": "../../escaped.png"}}\n'


def _theme_static_dir(tmp: Path) -> str:
    return 'THEME_STATIC_DIR = "../../escaped"\n'


def _output_sources(tmp: Path) -> str:
    return "OUTPUT_SOURCES = True\n"


def _harmless(tmp: Path) -> str:
    return "DEFAULT_PAGINATION = 5\n"


SETTINGS = {
    "a harmless setting (guard)": _harmless,
    "THEME_STATIC_PATHS outside the repository": _static_paths,
    "THEME_TEMPLATES_OVERRIDES runs template code": _template_override,
    "EXTRA_PATH_METADATA save_as outside the site": _static_save_as,
    "THEME_STATIC_DIR outside the site": _theme_static_dir,
    "OUTPUT_SOURCES publishes the raw Markdown": _output_sources,
}


@pytest.mark.parametrize("where", ["pelicanconf.py", "--settings"])
@pytest.mark.parametrize("make", SETTINGS.values(), ids=SETTINGS.keys())
def test_pelican_settings_cannot_reach_outside_the_site_or_run_code(repo: Repo, tmp_path,
                                                                    make, where):
    """A supervisor approves a one-line pelicanconf.py change (or a preview runs with
    --settings): it must not publish a file of the build machine, run code, write outside
    the site, or publish what the content rules were told is private (an HTML comment)."""
    repo.post("2026/closure.md", post_text(
        body="Drivers should use Oak Avenue.\n\n![Gray car](/images/car.png)\n\n"
             f"<!-- internal: {SECRET} -->"))
    (repo.root / "content/images").mkdir()
    (repo.root / "content/images/car.png").write_bytes(png())
    text = make(tmp_path)
    out = tmp_path / "site" / "www"
    args = ["build", "--repo", str(repo.root), "--output", str(out), "--now", NOW]
    if where == "--settings":
        extra = tmp_path / "publishconf.py"
        extra.write_text(text)
        args += ["--settings", str(extra)]
    else:
        repo.settings(text)
    checked = pressroom("check", "--repo", str(repo.root))  # pelicanconf.py: refused there
    assert checked.returncode == 0 or "pelicanconf.py:1: SETTINGS" in checked.stdout, \
        checked.stdout + checked.stderr
    built = pressroom(*args)
    assert built.returncode in (0, 2), built.stdout + built.stderr
    assert "Traceback" not in built.stderr
    assert not (tmp_path / "ran").exists(), "template code ran during the build"
    before = {p for p in tmp_path.rglob("*")}
    escaped = sorted(str(p) for p in before if "escaped" in p.name)
    assert not escaped, f"written outside the site: {escaped}"
    if out.exists():
        assert SECRET.encode() not in site_bytes(out), "a secret reached the public site"


# --- the check cache ---------------------------------------------------------------------

def _same_size(text: str, new: str) -> str:
    assert len(new) <= len(text)
    return new + " " * (len(text) - len(new))


def test_a_same_size_edit_with_its_time_restored_is_checked_again(repo: Repo, tmp_path):
    """`cp -p`, `rsync -t`, `tar x` and `touch -r` keep a file's time: the check cache must
    not take a file of the same size and time for the one it checked. `build --full`
    trusts no cache: it must not publish what `check` would refuse."""
    good = post_text(body="Drivers should use Oak Avenue and Elm Street instead, as posted.")
    path = repo.post("2026/closure.md", good)
    checked = pressroom("check", "--repo", str(repo.root))
    assert checked.returncode == 0, checked.stdout
    stat = os.stat(path)
    bad = _same_size(good, post_text(body="Call 555-867-5309 for more information."))
    assert len(bad.encode()) == len(good.encode())
    path.write_text(bad)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert os.stat(path).st_size == stat.st_size
    checked = pressroom("check", "--repo", str(repo.root))
    assert checked.returncode == 1 and "PRIVACY-PHONE" in checked.stdout, checked.stdout
    out = tmp_path / "www"
    built = pressroom("build", "--full", "--repo", str(repo.root), "--output", str(out),
                      "--now", NOW)
    assert built.returncode == 1 and "PRIVACY-PHONE" in built.stdout, built.stdout
    assert not out.exists()


# --- caches a branch can commit ----------------------------------------------------------

class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"echo ran > {self.marker}",))


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=A", "-c", "user.email=a@pd.example",
                           "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout


def _branch_with_pickles(repo: Repo, marker: Path) -> None:
    """A branch that commits a poisoned `.pressroom-cache/` beside a harmless post."""
    repo.post("2026/closure.md")
    cache = repo.root / ".pressroom-cache"
    cache.mkdir()
    for name in ("check-results.pickle", "markdown.pickle", "site-state.pickle"):
        (cache / name).write_bytes(pickle.dumps(_Payload(marker)))


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_committed_cache_never_runs_in_a_worktree(repo: Repo, tmp_path, command):
    """A supervisor reviews a branch in a `git worktree` (its `.git` is a file): the
    `.pressroom-cache/` the branch committed must not be unpickled."""
    require_tool(subprocess.run(["git", "--version"], capture_output=True).returncode == 0,
                 "git")
    marker = tmp_path / "ran"
    _branch_with_pickles(repo, marker)
    _git(repo.root, "init", "-q", "-b", "main")
    _git(repo.root, "add", "-A", "-f")
    _git(repo.root, "commit", "-q", "-m", "A branch with a cache")
    review = tmp_path / "review"
    _git(repo.root, "worktree", "add", "-q", str(review), "-b", "review")
    assert (review / ".git").is_file() and (review / ".pressroom-cache").is_dir()
    args = [command, "--repo", str(review)]
    if command == "build":
        args += ["--output", str(tmp_path / "www"), "--now", NOW]
    result = pressroom(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not marker.exists(), "the branch's pickled cache ran code"


def test_a_cache_shipped_in_a_folder_without_git_never_runs(repo: Repo, tmp_path):
    """Outside git (a branch downloaded as an archive) the cache folder is the folder's own
    `.pressroom-cache/`: whatever an archive brings there must not run."""
    marker = tmp_path / "ran"
    _branch_with_pickles(repo, marker)
    result = pressroom("check", "--repo", str(repo.root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert not marker.exists(), "the archive's pickled cache ran code"


@pytest.mark.parametrize("branch", ["main@{1}", "main^", "refs/heads/main", "-main", "main~1"])
def test_publish_takes_only_a_branch_name(tmp_path, keys_dir, branch):
    """main@{1} once resolved to a reflog entry: an older approved commit, with a post
    that was removed since (392.5) back on the site."""
    from click.testing import CliRunner
    from gitdept import Department

    from pressroom.cli import cli

    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    result = CliRunner().invoke(cli, ["publish", "--repo", str(dept.root), "--target",
                                      str(tmp_path / "www"), "--branch", branch])
    assert result.exit_code == 2 and "not a branch name" in result.output, result.output
    assert not (tmp_path / "www").exists()


@pytest.mark.parametrize("where", ["content/www", "content", "policy/site", ".git/www", "."])
def test_publish_and_build_refuse_a_site_inside_the_repository_and_leave_nothing(
        tmp_path, keys_dir, where):
    """publish once wrote the live site into content/ (build refused it): every later check
    then failed on the site's own files. A refused path leaves nothing, not even a lock."""
    from click.testing import CliRunner
    from gitdept import Department

    from pressroom.cli import cli

    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    before = sorted(p.relative_to(dept.root) for p in dept.root.rglob("*"))
    for command in (["publish", "--target"], ["build", "--output"]):
        result = CliRunner().invoke(cli, [command[0], "--repo", str(dept.root), command[1],
                                          str(dept.root / where)])
        assert result.exit_code == 2, result.output
        assert "must not contain" in result.output and "Traceback" not in result.output
    assert sorted(p.relative_to(dept.root) for p in dept.root.rglob("*")) == before


def test_a_refused_build_or_rollback_leaves_no_lock_file(tmp_path, repo):
    """From a subfolder, at a folder in the way, or with no site: exit 2 and no trace."""
    from click.testing import CliRunner

    from pressroom.cli import cli

    (repo.root / "notes").mkdir()
    (repo.root / "notes" / "todo.txt").write_text("not a site\n")
    runs = [["build", "--repo", str(repo.root / "content"), "--output", str(tmp_path / "o")],
            ["build", "--repo", str(repo.root), "--output", str(repo.root / "notes")],
            ["rollback", "--output", str(tmp_path / "none")]]
    for args in runs:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
    leftovers = [p for p in [*tmp_path.rglob(".*"), *repo.root.rglob(".*pressroom-lock")]
                 if "pressroom-lock" in p.name or p.name.endswith(".releases")]
    assert not leftovers, leftovers


def test_a_build_never_puts_the_repository_on_the_import_path(repo, tmp_path, monkeypatch):
    """Pelican adds the working folder to sys.path; run from a branch's checkout, any module a
    library imports later could then be the branch's own file (code run by reviewing)."""
    import sys

    from pressroom.build.run import build_site

    repo.post("2026/closure.md")
    monkeypatch.chdir(repo.root)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".")])
    before = list(sys.path)
    assert build_site(repo.root, tmp_path / "out").ok
    assert sys.path == before
