"""The desk's world for tests: a bare central repository made by ``pressroom install-hooks``,
the chief's clone that set it up, and the supervisor's and PIO's own clones, each signing
with its member's real ssh-keygen key through ``pressroom setup-signing``."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from gitdept import Department, bare_server

from pressroom.cli import cli


@dataclass
class Loop:
    dept: Department  # the chief's clone: seeds main and pushes branches "by hand"
    bare: Path
    sup: Path  # sup1's clone (the supervisor runs the desk here)
    pio: Path  # pio1's clone

    def push_branch(self, name: str, member: str = "pio1", **fields: str) -> str:
        """A post branch made in the chief's clone, signed by ``member`` and pushed."""
        tip = self.dept.post_branch(name, member=member, **fields)
        pushed = self.dept.git("push", "-q", "origin", f"post/{name}", check=False)
        assert pushed.returncode == 0, pushed.stderr
        self.dept.git("switch", "-q", "main")
        return tip

    def central(self, ref: str) -> str:
        return run_git(self.bare, "rev-parse", "--verify", "--quiet", ref)


def run_git(where: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=where, capture_output=True,
                          text=True).stdout.strip()


def clone_as(bare: Path, where: Path, member: str, dept: Department) -> Path:
    subprocess.run(["git", "clone", "-q", f"file://{bare}", str(where)], check=True)
    result = CliRunner().invoke(cli, ["setup-signing", "--repo", str(where), "--member", member,
                                      "--key", str(dept.keys[member].private)])
    assert result.exit_code == 0, result.output
    return where


def make_loop(root: Path, keys_dir: Path) -> Loop:
    dept = Department(root / "chief", keys_dir)
    bare = bare_server(root / "pd-site.git")
    dept.git("remote", "add", "origin", f"file://{bare}")
    dept.post_branch("welcome", title="Welcome to the new website",
                     category="announcements", summary="The department has a new website.")
    dept.merge_as("sup2", "post/welcome")  # main has a site before the first review
    pushed = dept.git("push", "-q", "origin", "main", check=False)
    assert pushed.returncode == 0, pushed.stderr
    return Loop(dept, bare, clone_as(bare, root / "sup1", "sup1", dept),
                clone_as(bare, root / "pio1", "pio1", dept))


def token_of(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, "no token in the page"
    return found.group(1)
