"""The one cache layer (``pressroom.cache``): real files, real checks, real builds.

A cached result is used only while the code that made it and everything it read are
unchanged; ``check --no-cache`` and ``build --full`` read no cache; an edit that keeps
a file's size and time is still seen; caches never live where a branch puts files.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import NOW, post_text

from pressroom import cache
from pressroom.build.incremental import STATE_FILE, load_state
from pressroom.build.run import build_site
from pressroom.checking import repo as checking
from pressroom.checking.repo import check_repo
from pressroom.checking.results import CHECK_CACHE
from pressroom.cli import cli
from pressroom.render import site
from pressroom.render.markdown_render import CACHE_FILE, render_cached

POISON = "<p>POISONED: not what the post says</p>"
PHONE = "Call the victim at (626) 555-0199."


def _page(root: Path, slug: str = "closure") -> str:
    return (root / "output" / "2026" / slug / "index.html").read_text(encoding="utf-8")


def _poison_markdown(root: Path) -> str:
    """Replace the cached rendering of closure.md, under the key the cache holds now."""
    import hashlib

    path = cache.folder(root) / CACHE_FILE
    stored = pickle.loads(path.read_bytes())
    sha = hashlib.sha256((root / "content/2026/closure.md").read_bytes()).hexdigest()
    stored["entries"][sha] = (POISON, {"title": ["Road closure"]}, {})
    path.write_bytes(pickle.dumps(stored))
    return stored["key"]


def _stored_key(root: Path) -> str:
    return pickle.loads((cache.folder(root) / CACHE_FILE).read_bytes())["key"]


def _settings(root: Path) -> dict:
    from pressroom.build.run import read_config

    return {**read_config(root), **site.enforced(root, root / "output")}


def _count_checks(monkeypatch) -> list[str]:
    checked: list[str] = []
    real = checking.check_post
    monkeypatch.setattr(checking, "check_post",
                        lambda path, data, ctx: checked.append(path) or real(path, data, ctx))
    return checked


# --- a code change invalidates every cache -------------------------------------------------

def test_a_code_change_invalidates_cached_html_check_results_and_the_site_state(
        repo, tmp_path, monkeypatch):
    """A plugin file changed without a version bump (the digest of pressroom's code reads
    the plugins where ``pressroom.render.site`` finds them): nothing made before is reused."""
    plugins = tmp_path / "plugins"
    shutil.copytree(site.PLUGINS_PATH, plugins, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(site, "PLUGINS_PATH", plugins)
    repo.post("2026/closure.md")
    repo.post("2026/robbery.md", post_text(title="Robbery at a store", body="A store was hit."))
    first = build_site(repo.root, repo.root / "output", now=NOW)
    assert first.ok and first.markdown.rendered == 2

    # Unchanged code: everything comes from the caches, even a poisoned rendering (which
    # shows the poison would be served if the key ignored the code).
    key = _poison_markdown(repo.root)
    path = str(repo.root / "content/2026/closure.md")
    settings = _settings(repo.root)
    trusted = render_cached([path], settings["MARKDOWN"], settings["FORMATTED_FIELDS"],
                            cache.folder(repo.root), sanitize_host="police.example")
    assert trusted[path][0] == POISON
    _poison_markdown(repo.root)
    checked = _count_checks(monkeypatch)
    assert check_repo(repo.root).ok and checked == []

    # One comment added to a plugin: the code digest changes ...
    code = cache.code_digest()
    with open(plugins / "pressroom_sanitize" / "__init__.py", "a", encoding="utf-8") as handle:
        handle.write("\n# a fix shipped without a version bump\n")
    assert cache.code_digest() != code
    assert _stored_key(repo.root) == key  # (the cache on disk still holds the old key)
    # ... so every post is checked again,
    assert check_repo(repo.root).ok
    assert sorted(checked) == ["content/2026/closure.md", "content/2026/robbery.md"]
    # ... and the next build is full, with every post rendered again (not the poison).
    again = build_site(repo.root, repo.root / "output", now=NOW)
    assert again.ok and not again.incremental
    assert "pressroom itself changed" in again.full_reason
    assert (again.markdown.rendered, again.markdown.reused) == (2, 0)
    page = _page(repo.root)
    assert "POISONED" not in page and "Drivers should use Oak Avenue." in page


def test_the_code_digest_covers_the_package_the_plugins_the_theme_and_libraries(
        tmp_path, monkeypatch):
    before = cache.code_digest()
    assert cache.code_digest() == before  # stable within a process, and cheap to ask again
    real = cache.code_roots()
    assert [root.name for root in real] == ["pressroom"]  # the plugins and theme are inside
    from pressroom.render.site import PLUGINS_PATH, THEME_PATH

    assert all(real[0] in Path(p).resolve().parents for p in (PLUGINS_PATH, THEME_PATH))
    for index, root in enumerate(real):
        copy = tmp_path / str(index) / root.name
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__"))
        roots = [copy if i == index else r for i, r in enumerate(real)]
        monkeypatch.setattr(cache, "code_roots", lambda roots=roots: roots)
        assert cache.code_digest() == before, root  # a copy of the same code: same digest
        some = sorted(p for p in copy.rglob("*") if p.is_file())[0]
        some.write_bytes(some.read_bytes() + b"\n")
        assert cache.code_digest() != before, root
        monkeypatch.undo()
    assert cache.code_digest() == before
    assert any(part.startswith("nh3 library ") and ".so " in part
               for part in cache._libraries())  # the compiled sanitizer itself
    assert any(part.startswith("markdown markdown-") for part in cache._libraries())
    monkeypatch.setattr(cache, "_libraries", lambda: ("markdown 9.9",))
    assert cache.code_digest() != before


# --- trust nothing ---------------------------------------------------------------------------

def _hide_findings(root: Path) -> None:
    """Rewrite the check cache so a post's stored result has no violations."""
    path = cache.folder(root) / CHECK_CACHE
    stored = pickle.loads(path.read_bytes())
    stored["entries"] = {rel: r._replace(violations=[]) for rel, r in stored["entries"].items()}
    path.write_bytes(pickle.dumps(stored))


def _check(root: Path, *args: str):
    return CliRunner().invoke(cli, ["check", "--repo", str(root), "--today", "2026-11-27",
                                    *args], catch_exceptions=False)


def test_check_no_cache_rechecks_everything(repo, monkeypatch):
    repo.post("2026/closure.md")
    repo.post("2026/victim.md", post_text(title="Assault on Elm", body=PHONE))
    assert _check(repo.root).exit_code == 1
    _hide_findings(repo.root)
    poisoned = _check(repo.root)
    assert poisoned.exit_code == 0, poisoned.output  # a trusting check reads the poison ...
    checked = _count_checks(monkeypatch)
    fresh = _check(repo.root, "--no-cache")  # ... --no-cache reads nothing from before
    assert fresh.exit_code == 1
    assert "content/2026/victim.md:7: PRIVACY-PHONE" in fresh.output
    assert sorted(checked) == ["content/2026/closure.md", "content/2026/victim.md"]
    assert _check(repo.root).exit_code == 1  # and left a fresh cache behind


def test_build_full_reads_no_check_result(repo):
    repo.post("2026/closure.md")
    repo.post("2026/victim.md", post_text(title="Assault on Elm", body=PHONE))
    assert _check(repo.root).exit_code == 1
    _hide_findings(repo.root)
    result = build_site(repo.root, repo.root / "output", now=NOW, full=True)
    assert not result.ok
    assert [p.rule_id for p in result.problems] == ["PRIVACY-PHONE"]
    assert not (repo.root / "output").exists()


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example", *args],
                   cwd=root, check=True, capture_output=True)


def test_check_no_cache_reads_no_slug_index(repo):
    if shutil.which("git") is None:
        pytest.skip("git not available")
    repo.post("2025/old.md", post_text(date="2025-06-01", slug="closure"))
    _git(repo.root, "init", "-q", "-b", "main")
    _git(repo.root, "add", "-A")
    new = repo.post("2026/closure.md")
    assert _check(repo.root, str(new)).exit_code == 1  # FRONT-SLUG-DUPLICATE; index cached
    index = cache.folder(repo.root) / "slugs.txt"
    header, *entries = index.read_text(encoding="utf-8").split("\n")
    index.write_text("\n".join([header, *(e.split("\t")[0] + "\tsomething-else"
                                           for e in entries)]), encoding="utf-8")
    assert _check(repo.root, str(new)).exit_code == 0  # the poisoned index is trusted ...
    fresh = _check(repo.root, str(new), "--no-cache")  # ... but not by --no-cache
    assert fresh.exit_code == 1 and "FRONT-SLUG-DUPLICATE" in fresh.output


# --- did this file change ------------------------------------------------------------------

def _same_size_edit(path: Path, old: str, new: str) -> None:
    """Rewrite ``path`` replacing ``old`` by ``new`` (same length) and put its mtime back,
    as `cp -p`, `rsync -t` or an edit in the same clock tick leave it."""
    assert len(old.encode()) == len(new.encode())
    before = os.stat(path)
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


@pytest.mark.parametrize("racy_ns", [cache.RACY_NS, 0], ids=["just-written", "old-file"])
def test_a_same_size_edit_with_the_old_time_is_seen_by_check(repo, monkeypatch, racy_ns):
    """just-written: recorded in the same tick, only the hash is trusted; old-file: the
    change time (which no one can set back) gives the edit away."""
    monkeypatch.setattr(cache, "RACY_NS", racy_ns)
    clean = "Call the office at (626) 555-0100."  # the department's own number
    post = repo.post("2026/victim.md", post_text(title="Assault on Elm", body=clean))
    (repo.root / "policy/rules.toml").write_text('[allow]\nphones = ["(626) 555-0100"]\n')
    assert _check(repo.root).exit_code == 0
    _same_size_edit(post, clean, PHONE)
    result = _check(repo.root)
    assert result.exit_code == 1 and "PRIVACY-PHONE" in result.output


@pytest.mark.parametrize("racy_ns", [cache.RACY_NS, 0], ids=["just-written", "old-file"])
def test_a_same_size_edit_with_the_old_time_is_seen_by_a_warm_build(repo, monkeypatch,
                                                                    racy_ns):
    monkeypatch.setattr(cache, "RACY_NS", racy_ns)
    post = repo.post("2026/closure.md")
    repo.post("2026/robbery.md", post_text(title="Robbery at a store", body="A store was hit."))
    assert build_site(repo.root, repo.root / "output", now=NOW).ok
    _same_size_edit(post, "Oak Avenue", "Elm Avenue")
    warm = build_site(repo.root, repo.root / "output", now=NOW)
    assert warm.ok and warm.incremental, warm.full_reason
    assert "Drivers should use Elm Avenue." in _page(repo.root)


def test_a_recent_file_is_trusted_only_by_its_hash(tmp_path):
    path = tmp_path / "post.md"
    path.write_bytes(b"one")
    stat = os.stat(path)
    newest = max(stat.st_mtime_ns, stat.st_ctime_ns)
    assert cache.stat_key(stat, now_ns=newest + 1) == ()
    assert cache.stat_key(stat, now_ns=newest + cache.RACY_NS) == (
        stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns, stat.st_ino)
    reads: list[int] = []

    def read() -> bytes:
        reads.append(1)
        return path.read_bytes()

    seen = cache.stamp(stat, read, None)
    assert seen.stat == () and reads == [1]
    assert cache.stamp(stat, read, seen) == seen and reads == [1, 1]  # hashed again
    old = cache.Stamp((stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns, stat.st_ino), "x")
    assert cache.stamp(stat, read, old).sha256 != "x"  # recent: the stat key is not asked


# --- where caches live ---------------------------------------------------------------------

def _inside(path: Path, folder: Path) -> bool:
    path, folder = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return path == folder or folder in path.parents


def test_caches_never_live_where_a_branch_puts_files(repo, tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git not available")
    # Outside git: the user's cache folder, never the content's.
    outside = cache.folder(repo.root)
    assert not _inside(outside, repo.root)
    assert _inside(outside, Path(os.environ["XDG_CACHE_HOME"]))
    # In git: inside .git, including a worktree's (its .git is a file naming the folder).
    repo.post("2026/closure.md")
    repo.post("2025/old.md", post_text(date="2025-06-01", title="Old news"))
    _git(repo.root, "init", "-q", "-b", "main")
    _git(repo.root, "add", "-A")
    _git(repo.root, "commit", "-qm", "posts")
    assert _inside(cache.folder(repo.root), repo.root / ".git")
    _git(repo.root, "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "other")
    worktree = cache.folder(tmp_path / "wt")
    assert _inside(worktree, repo.root / ".git") and not _inside(worktree, tmp_path / "wt")
    # Publish's copy of a commit, under .git: its own name inside git's folder.
    copy = repo.root / ".git" / "pressroom-publish" / "tree"
    copy.mkdir(parents=True)
    assert _inside(cache.folder(copy), repo.root / ".git")

    # Every cache a check and a build write lands in that one folder, none in the tree.
    before = set(_files(repo.root))
    assert _check(repo.root, str(repo.root / "content/2026/closure.md")).exit_code == 0
    assert build_site(repo.root, repo.root / "output", now=NOW).ok
    folder = cache.folder(repo.root)
    assert load_state(folder) is not None  # waits for the state saved in the background
    site_files = (".output.releases", ".output.pressroom-lock")  # the site, not caches
    written = {p for p in set(_files(repo.root)) - before
               if not _inside(p, repo.root / "output")
               and not p.relative_to(repo.root).as_posix().startswith(site_files)}
    assert written and [p for p in written if not _inside(p, folder)] == []
    names = {p.name for p in written}
    assert {CHECK_CACHE, CACHE_FILE, STATE_FILE, "slugs.txt"} <= names
    from pressroom.approvals.verification import _cache_file

    assert _cache_file(repo.root).parent == folder


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


# --- a broken cache is a miss ----------------------------------------------------------------

def test_a_broken_cache_is_a_miss_not_an_error(repo):
    repo.post("2026/closure.md")
    repo.post("2026/victim.md", post_text(title="Assault on Elm", body=PHONE))
    assert _check(repo.root).exit_code == 1
    (repo.root / "content/2026/victim.md").unlink()
    assert build_site(repo.root, repo.root / "output", now=NOW).ok
    folder = cache.folder(repo.root)
    for name in (CHECK_CACHE, CACHE_FILE, STATE_FILE):
        (folder / name).write_bytes(b"\x80\x05not a pickle at all")
    repo.post("2026/victim.md", post_text(title="Assault on Elm", body=PHONE))
    result = _check(repo.root)
    assert result.exit_code == 1 and "PRIVACY-PHONE" in result.output
    (repo.root / "content/2026/victim.md").unlink()
    (folder / STATE_FILE).write_bytes(b"")
    again = build_site(repo.root, repo.root / "output", now=NOW)
    assert again.ok and not again.incremental
    assert "Drivers should use Oak Avenue." in _page(repo.root)


@pytest.mark.parametrize("racy_ns", [cache.RACY_NS, 0], ids=["just-written", "old-file"])
def test_publish_copy_of_a_commit_sees_a_same_size_edit(repo, tmp_path, monkeypatch, racy_ns):
    """The published tree (``pressroom.publishing.published_tree``) uses the same file identity: a
    copied file edited in place with its time put back is written again from git."""
    if shutil.which("git") is None:
        pytest.skip("git not available")
    from pressroom.publishing.published_tree import export_tree

    monkeypatch.setattr(cache, "RACY_NS", racy_ns)
    repo.post("2026/closure.md")
    _git(repo.root, "init", "-q", "-b", "main")
    _git(repo.root, "add", "-A")
    _git(repo.root, "commit", "-qm", "posts")
    dest = tmp_path / "copy" / "tree"
    assert export_tree(repo.root, "HEAD", dest) == []
    copied = dest / "content/2026/closure.md"
    original = copied.read_bytes()
    assert export_tree(repo.root, "HEAD", dest) == [] and copied.read_bytes() == original
    _same_size_edit(copied, "Oak Avenue", "Elm Avenue")
    assert export_tree(repo.root, "HEAD", dest) == []
    assert copied.read_bytes() == original


def _changed_code(tmp_path: Path, monkeypatch) -> None:
    """pressroom as it would be after a fix to its theme: one file of it differs."""
    package = cache.code_roots()[0]
    copy = tmp_path / "changed-code" / package.name
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    base = copy / Path(site.THEME_PATH).resolve().relative_to(package) / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    monkeypatch.setattr(cache, "code_roots", lambda: [copy])


def test_a_code_change_drops_remembered_verified_merges(tmp_path, keys_dir, monkeypatch):
    from gitdept import Department

    from pressroom.approvals.verification import verify_history

    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("one")
    dept.merge_as("sup1", "post/one")
    assert verify_history(dept.root, dept.head("main")).cached == 0
    assert verify_history(dept.root, dept.head("main")).cached == 1
    _changed_code(tmp_path, monkeypatch)
    again = verify_history(dept.root, dept.head("main"))
    assert again.ok and again.cached == 0  # verified again by the new code
    assert verify_history(dept.root, dept.head("main")).cached == 1
