"""Shared fixtures: real department repositories in temp folders, built for real.

Tools the tests need (chromium, npm's axe-core, git, ssh-keygen) may be missing
on a laptop, where those tests skip; with CI=true a missing tool fails the run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

PROJECT = Path(__file__).resolve().parent.parent
LA = ZoneInfo("America/Los_Angeles")
# A fixed "now" for builds: the sample site as of 27 November 2026, noon.
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=LA)

ROSTER = """\
[members.pio1]
name = "Pat Rivera"
email = "pio1@pd.example"
roles = ["pio"]
trained = 2026-06-01

[members.sup1]
name = "Sgt. Dana Okafor"
email = "dokafor@pd.example"
roles = ["supervisor"]
trained = 2026-02-10
"""


def require_tool(found: bool, what: str) -> None:
    """Skip when a tool is missing on a developer machine; fail in CI (CI=true)."""
    if found:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required in CI (.ci/run installs it)")
    pytest.skip(f"{what} not available")


def copy_sample(dest: Path, settings: bool = True) -> Path:
    """The sample department's posts and policy (and, with ``settings``, its
    ``pelicanconf.py``) copied to ``dest``, a repository of its own for a test to build."""
    for part in ("content", "policy"):
        shutil.copytree(PROJECT / part, dest / part)
    if settings:
        shutil.copy(PROJECT / "pelicanconf.py", dest)
    return dest


def post_text(title: str = "Road closure on Main Street", date: str = "2026-11-20 09:00",
              category: str = "traffic", author: str = "pio1",
              summary: str = "Main Street is closed between 1st and 2nd Streets today.",
              body: str = "Drivers should use Oak Avenue.", **extra: str) -> str:
    lines = [f"Title: {title}", f"Date: {date}", f"Category: {category}", f"Author: {author}",
             f"Summary: {summary}"]
    lines += [f"{key.title()}: {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n\n" + body + "\n"


class Repo:
    """A department repository in a temp folder: roster, posts, optional settings."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "content").mkdir(parents=True)
        (root / "policy").mkdir()
        (root / "policy" / "roster.toml").write_text(ROSTER, encoding="utf-8")

    def post(self, name: str, text: str | None = None, **fields: str) -> Path:
        path = self.root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text is not None else post_text(**fields), encoding="utf-8")
        return path

    def settings(self, text: str) -> Path:
        path = self.root / "pelicanconf.py"
        path.write_text(text, encoding="utf-8")
        return path

    def site(self, text: str) -> Path:
        """The department's settings, ``policy/site.toml``."""
        path = self.root / "policy" / "site.toml"
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture(autouse=True, scope="session")
def _cache_home(tmp_path_factory):
    """Caches of folders outside git go to the user's cache folder: the tests' own one."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache-home"))


@pytest.fixture
def without_rules(monkeypatch) -> Callable[[], None]:
    """Switch the build's content rules off, to prove that the layer behind them (the
    sanitizer, the writer, the readers) holds on its own: defense in depth."""
    def switch_off() -> None:
        import pressroom.build.run
        from pressroom.checking.engine import Report

        monkeypatch.setattr(pressroom.build.run, "check_repo", lambda repo, **_: Report())
    return switch_off


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "dept")


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    """A copy of this project's sample department (content, roster, settings)."""
    root = tmp_path / "sample"
    root.mkdir()
    shutil.copytree(PROJECT / "content", root / "content")
    shutil.copytree(PROJECT / "policy", root / "policy")
    shutil.copy(PROJECT / "pelicanconf.py", root / "pelicanconf.py")
    return root


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory):
    """A folder for members' SSH keys (made once per test session by gitdept.make_key)."""
    require_tool(shutil.which("ssh-keygen") is not None, "ssh-keygen")
    require_tool(shutil.which("git") is not None, "git")
    return tmp_path_factory.mktemp("keys")


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def digest() -> Callable[[Path], dict[str, str]]:
    return tree_digest


def write(root: Path, rel: str, text: str | bytes) -> Path:
    """A file under ``root`` (its folders made), from text (UTF-8) or bytes."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def git(root: Path, *args: str) -> None:
    """git in ``root``; a failure fails the test."""
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def commit_all(root: Path, message: str) -> None:
    """Everything in ``root`` committed on main (a repository made when there is none)."""
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=T", "-c", "user.email=t@pd.example", "-c",
        "commit.gpgsign=false", "commit", "-q", "-m", message)


@pytest.fixture
def hub():
    """A WebSub hub on 127.0.0.1 (``tests/hubserver.py``), closed after the test."""
    from hubserver import start_hub

    found = start_hub()
    yield found
    found.server.shutdown()
    found.server.server_close()
