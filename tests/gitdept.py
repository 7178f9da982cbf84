"""A department's git repository with real SSH keys, for approval tests.

Every member gets an ed25519 key from ``ssh-keygen``; commits and merges are
signed with git's own SSH signing, exactly as members do it.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from conftest import post_text

MEMBERS = {
    "pio1": ("Pat Rivera", ["pio"], "2026-06-01"),
    "author1": ("Officer Sam Lee", ["author"], "2026-03-15"),
    "sup1": ("Sgt. Dana Okafor", ["supervisor"], "2026-02-10"),
    "sup2": ("Sgt. Lee Park", ["supervisor"], "2026-02-10"),
    "ic1": ("Lt. Marcus Hale", ["incident-commander"], "2026-04-20"),
    "chief1": ("Chief Elena Torres", ["chief"], "2026-01-12"),
    "lapsed1": ("Officer Old", ["author"], "2024-01-01"),
}


@dataclass
class Key:
    private: Path
    public: str


def make_key(folder: Path, name: str) -> Key:
    path = folder / name
    if not path.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f",
                        str(path)], check=True)
    return Key(path, (folder / f"{name}.pub").read_text().strip())


def roster_text(keys: dict[str, Key], members: dict | None = None) -> str:
    out = []
    for member_id, (name, roles, trained) in (members or MEMBERS).items():
        out.append(f'[members.{member_id}]\nname = "{name}"\nemail = "{member_id}@pd.example"\n'
                   f'roles = {roles!r}\nsigning_key = "{keys[member_id].public}"\n'
                   f"trained = {trained}\n")
    return "\n".join(out).replace("'", '"')


class Department:
    def __init__(self, root: Path, keys_dir: Path) -> None:
        self.root = root
        self.keys = {m: make_key(keys_dir, m) for m in MEMBERS}
        self.keys["stranger"] = make_key(keys_dir, "stranger")
        root.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")
        (root / "content/2026").mkdir(parents=True)
        (root / "policy").mkdir()
        (root / "policy/roster.toml").write_text(roster_text(self.keys))
        (root / "content/2026/.keep").write_text("")
        self.git("add", "-A")
        self.commit_as("chief1", "Adopt the roster (Policy 392.3)", add=False)

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True,
                              check=check)

    def _as(self, member: str | None, author: str | None = None) -> list[str]:
        who = author or member or "nobody"
        name = MEMBERS.get(who, (who,))[0]
        options = ["-c", f"user.name={name}", "-c", f"user.email={who}@pd.example",
                   "-c", "commit.gpgsign=false"]
        if member is not None:
            options += ["-c", "gpg.format=ssh", "-c",
                        f"user.signingkey={self.keys[member].private}"]
        return options

    def head(self, rev: str = "HEAD") -> str:
        return self.git("rev-parse", rev).stdout.strip()

    def short(self, rev: str = "HEAD") -> str:
        return self.head(rev)[:7]

    def commit_as(self, member: str | None, message: str, files: dict[str, str] | None = None,
                  add: bool = True, author: str | None = None, date: str | None = None) -> str:
        """A commit on the current branch, signed by ``member`` (None: unsigned)."""
        for path, text in (files or {}).items():
            target = self.root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        if add:
            self.git("add", "-A")
        signed = ["-S"] if member is not None else []
        args = [*self._as(member, author), "commit", "-q", *signed, "-m", message]
        env_date = {} if date is None else {"GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date}
        subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True, check=True,
                       env={**os.environ, **env_date})
        return self.head()

    def branch(self, name: str, start: str = "main") -> None:
        self.git("switch", "-q", "-c", name, start)

    def post_branch(self, name: str, member: str = "pio1", **fields: str) -> str:
        self.branch(f"post/{name}")
        return self.commit_as(member, f"Post {name}",
                              {f"content/2026/{name}.md": post_text(author=member, **fields)})

    def merge_as(self, member: str | None, branch: str, message: str | None = None,
                 edit: dict[str, str] | None = None, ff: bool = False) -> str:
        """Merge ``branch`` into main, signed by ``member`` (None: unsigned)."""
        self.git("switch", "-q", "main")
        if ff:
            self.git("merge", "-q", "--ff-only", branch)
            return self.head()
        options = self._as(member)
        args = [*options, "merge", "-q", "--no-ff", "-m", message or f"Approve {branch}"]
        if member is not None:
            args.append("-S")
        if edit:
            args.append("--no-commit")
        subprocess.run(["git", *args, branch], cwd=self.root, capture_output=True, text=True,
                       check=True)
        if edit:
            for path, text in edit.items():
                (self.root / path).write_text(text)
            self.git("add", "-A")
            commit = [*options, "commit", "-q", "--no-edit"]
            if member is not None:
                commit.append("-S")
            subprocess.run(["git", *commit], cwd=self.root, capture_output=True, text=True,
                           check=True)
        return self.head()

    # -- files git stores as something other than a regular file ---------------------------

    def commit_link(self, member: str | None, path: str, target: str,
                    message: str = "Add a link") -> str:
        """A commit adding ``path`` as a symbolic link to ``target`` (mode 120000)."""
        link = self.root / path
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, link)
        return self.commit_as(member, message)

    def commit_gitlink(self, member: str | None, path: str, sha: str,
                       message: str = "Add a submodule") -> str:
        """A commit adding ``path`` as a gitlink (a submodule entry, mode 160000)."""
        self.git("update-index", "--add", "--cacheinfo", f"160000,{sha},{path}")
        return self.commit_as(member, message, add=False)

    def write_bytes(self, path: str, data: bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def bare_server(root: Path) -> Path:
    """An empty bare repository with pressroom's hook installed by the real CLI."""
    from click.testing import CliRunner

    from pressroom.cli import cli

    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(root)], check=True)
    result = CliRunner().invoke(cli, ["install-hooks", "--bare", str(root)])
    assert result.exit_code == 0, result.output
    return root


def server_git(bare: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """git in the server repository, as its administrator would run it."""
    return subprocess.run(["git", *args], cwd=bare, capture_output=True, text=True)


def server_refs(bare: Path) -> dict[str, str]:
    """Every ref on the server -> the object it names."""
    out = server_git(bare, "for-each-ref", "--format=%(refname) %(objectname)").stdout
    return dict(line.split() for line in out.splitlines())
