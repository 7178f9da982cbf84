"""Generate a department repository whose main holds N approved merges, really signed.

    python scripts/gen_history.py /tmp/history --merges 2000

Each merge brings in one post from a branch: the post commit is SSH-signed by
the PIO or an author, the merge by one of two supervisors, both with real keys
made by ssh-keygen and listed in the roster. Objects are written straight into
.git (git's loose-object format) so thousands of commits take seconds, not the
minutes that thousands of `git commit` runs would; every signature is made by
`ssh-keygen -Y sign`, exactly as git makes them.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_department import ROSTER  # noqa: E402

MEMBERS = ("pio1", "author1", "sup1", "ic1", "chief1")
APPROVERS = ("sup1", "ic1")  # ic1 is also a supervisor in the generated roster
WRITERS = ("pio1", "author1")
START = 1_767_225_600  # 2026-01-01T00:00:00Z


class Objects:
    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir

    def write(self, kind: str, data: bytes) -> str:
        raw = f"{kind} {len(data)}\0".encode() + data
        sha = hashlib.sha1(raw).hexdigest()
        path = self.git_dir / "objects" / sha[:2] / sha[2:]
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(zlib.compress(raw, 1))
        return sha

    def tree(self, entries: dict[str, tuple[str, str]]) -> str:
        """entries: name -> (mode, sha); mode "40000" for trees, "100644" for files."""
        def order(name: str) -> str:
            return name + "/" if entries[name][0] == "40000" else name
        body = b"".join(f"{entries[n][0]} {n}\0".encode() + bytes.fromhex(entries[n][1])
                        for n in sorted(entries, key=order))
        return self.write("tree", body)


def sign(key: Path, payload: bytes) -> str:
    result = subprocess.run(["ssh-keygen", "-Y", "sign", "-f", str(key), "-n", "git", "-q"],
                            input=payload, capture_output=True, check=True)
    return result.stdout.decode()


def commit(objects: Objects, tree: str, parents: list[str], who: str, when: int,
           message: str, key: Path | None) -> str:
    person = f"{who} <{who}@pd.example> {when} +0000"
    head = f"tree {tree}\n" + "".join(f"parent {p}\n" for p in parents) + \
        f"author {person}\ncommitter {person}\n"
    payload = (head + f"\n{message}\n").encode()
    if key is None:
        return objects.write("commit", payload)
    signature = sign(key, payload).rstrip("\n").split("\n")
    signed = head + "gpgsig " + "\n ".join(signature) + f"\n\n{message}\n"
    return objects.write("commit", signed.encode())


def generate(root: Path, merges: int, progress=print) -> str:
    """Write the repository; returns main's tip."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    keys_dir = root.parent / f"{root.name}-keys"
    keys_dir.mkdir(exist_ok=True)
    keys = {}
    for member in MEMBERS:
        key = keys_dir / member
        if not key.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", member, "-f",
                            str(key)], check=True)
        keys[member] = key
    roster = ROSTER.format(trained="2026-01-01")
    for member in MEMBERS:
        public = (keys_dir / f"{member}.pub").read_text().strip()
        roster = roster.replace(f'[members.{member}]\n', f'[members.{member}]\nsigning_key = '
                                f'"{public}"\n', 1)
    objects = Objects(root / ".git")
    roster_blob = objects.write("blob", roster.encode())
    policy = objects.tree({"roster.toml": ("100644", roster_blob)})
    folders: dict[str, dict[str, tuple[str, str]]] = {}

    def main_tree() -> str:
        content = {name: ("40000", objects.tree(files)) for name, files in folders.items()}
        top = {"policy": ("40000", policy)}
        if content:
            top["content"] = ("40000", objects.tree(content))
        return objects.tree(top)

    tip = commit(objects, main_tree(), [], "chief1", START, "Adopt the roster", keys["chief1"])
    for index in range(merges):
        when = START + index * 3600
        folder = f"f{index % 40:02d}"
        name = f"post-{index:05d}.md"
        writer = WRITERS[index % 2]
        text = (f"Title: Notice {index}\nDate: 2026-01-01 09:00\nCategory: announcements\n"
                f"Author: {writer}\nSummary: Notice number {index}.\n\nBody of notice {index}.\n")
        blob = objects.write("blob", text.encode())
        folders.setdefault(folder, {})[name] = ("100644", blob)
        tree = main_tree()  # the branch adds one file; the merge's tree is the same
        post = commit(objects, tree, [tip], writer, when, f"Notice {index}", keys[writer])
        approver = APPROVERS[index % 2]
        tip = commit(objects, tree, [tip, post], approver, when + 60,
                     f"Approve post/notice-{index}", keys[approver])
        if progress and (index + 1) % 500 == 0:
            progress(f"  {index + 1:,} merges written")
    (root / ".git/refs/heads/main").write_text(tip + "\n")
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=root, check=True)
    return tip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--merges", type=int, default=2000)
    args = parser.parse_args()
    tip = generate(args.root, args.merges)
    print(f"main at {tip[:7]} with {args.merges} approved merges in {args.root}")


if __name__ == "__main__":
    main()
