"""Reading a department repository's files without ever following a link.

A symbolic link in ``content/`` once published ``/etc/passwd``. Every command that
reads a department's files — ``check``, the hooks, ``build``, ``publish`` — goes
through this module: one walker of ``content/`` that reports links and special
files (fifos, devices, sockets) as problems naming them instead of reading them,
and one reader that opens only a regular file reached through real folders
(``O_NOFOLLOW`` on the file itself, ``lstat`` on every folder above it, ``fstat`` on
what was opened, so a link swapped in between the check and the read is refused too).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from pressroom.model.violations import InputError, Violation, unprintable_name

LINK_RULE = "FILE-LINK"
SPECIAL_RULE = "FILE-SPECIAL"
NAME_RULE = "FILE-NAME"
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")


class NotRegularFile(OSError):
    """A path that is a link or not a regular file: refused, never read."""

    def __init__(self, rel: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.rel, self.rule, self.message = rel, rule, message

    def violation(self) -> Violation:
        return Violation(self.rel, 0, self.rule, self.message)

    def input_error(self) -> InputError:
        return InputError.of(self.violation())


def _link_message(kind: str) -> str:
    return (f"is a symbolic link ({kind}); pressroom never reads through links: commit the "
            f"file itself")


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def refusal(rel: str, mode: int) -> NotRegularFile | None:
    """Why the entry with ``lstat`` mode ``mode`` may not be read, or None for a file/folder."""
    if stat.S_ISLNK(mode):
        return NotRegularFile(rel, LINK_RULE, _link_message("to a file or folder"))
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return NotRegularFile(rel, SPECIAL_RULE,
                          f"is {_kind(mode)}, not a file; only regular files are published")


def bad_name(rel: str, name: str) -> NotRegularFile | None:
    """A name that cannot be printed on one report line, or a post Pelican would not read."""
    if unprintable_name(name):
        return NotRegularFile(rel, NAME_RULE, "the name holds a control or invisible "
                                              "character (shown escaped); rename the file")
    lower = name.lower()
    if lower.endswith(MARKDOWN_SUFFIXES) and not name.endswith(MARKDOWN_SUFFIXES):
        suffix = "." + lower.rsplit(".", 1)[1]
        return NotRegularFile(rel, NAME_RULE, f"Markdown files must end in lower-case "
                                              f"{suffix!r}; Pelican does not read "
                                              f"{'.' + name.rsplit('.', 1)[1]!r}")
    return None


def _check_folders(root: Path, rel: str) -> None:
    """Every folder between ``root`` and ``rel`` is a real folder, not a link."""
    parts = rel.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder_rel = "/".join(parts[:depth])
        try:
            mode = os.lstat(root / folder_rel).st_mode
        except FileNotFoundError:
            return  # the read below reports the missing file
        if stat.S_ISLNK(mode):
            raise NotRegularFile(folder_rel, LINK_RULE, _link_message("a folder"))


def read_regular(root: Path, rel: str) -> bytes:
    """The bytes of the regular file ``root/rel`` (``rel`` uses ``/``), never via a link.

    Raises ``NotRegularFile`` for a link (the file or a folder above it) or a special
    file, and ``OSError`` (``FileNotFoundError`` ...) as ``open`` would.
    """
    _check_folders(root, rel)
    path = root / rel
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == 40 or os.path.islink(path):  # ELOOP: the file itself is a link
            raise NotRegularFile(rel, LINK_RULE, _link_message("to a file")) from exc
        raise
    try:
        mode = os.fstat(fd).st_mode
        problem = refusal(rel, mode)
        if problem is None and stat.S_ISDIR(mode):
            problem = NotRegularFile(rel, SPECIAL_RULE, "is a folder, not a file")
        if problem is not None:
            raise problem
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


def read_optional(root: Path, rel: str) -> bytes | None:
    """``read_regular``, or None when the file does not exist; a link is an input error."""
    try:
        return read_regular(root, rel)
    except NotRegularFile as exc:
        raise exc.input_error() from None
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError.of(Violation(rel, 0, "FILE-READ", str(exc.strerror or exc))) from exc


def walk(root: Path, top: str = "content") -> Iterator[tuple[str, NotRegularFile | None]]:
    """Every entry under ``root/top``: (repo-relative path, None) for a regular file, or
    (path, why) for a link or special file — links to folders are not descended.

    This is the one walker of a department's content: ``check``, ``build``, warm builds
    and ``publish`` all see the same files the same way. Sorted, so output is stable.
    """
    start = root / top
    try:
        top_mode = os.lstat(start).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(top_mode):
        yield top, NotRegularFile(top, LINK_RULE, _link_message("a folder"))
        return
    folders = [(top, str(start))]
    while folders:
        rel_folder, folder = folders.pop()
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
        subfolders = []
        for entry in entries:
            rel = f"{rel_folder}/{entry.name}"
            mode = entry.stat(follow_symlinks=False).st_mode
            problem = refusal(rel, mode) or bad_name(rel, entry.name)
            if problem is not None:
                yield rel, problem
            elif stat.S_ISDIR(mode):
                subfolders.append((rel, entry.path))
            else:
                yield rel, None
        folders.extend(reversed(subfolders))


def content_files(root: Path) -> tuple[list[str], list[Violation]]:
    """Regular files under ``content/`` (sorted), and a violation for each link or special file."""
    files, problems = [], []
    for rel, problem in walk(root):
        if problem is None:
            files.append(rel)
        else:
            problems.append(problem.violation())
    return sorted(files), problems


def link_above(root: Path, rel: str) -> NotRegularFile | None:
    """The link among the folders above ``root/rel``, if one is (nothing is read)."""
    try:
        _check_folders(root, rel)
    except NotRegularFile as exc:
        return exc
    return None


def is_regular(root: Path, rel: str) -> bool:
    """Whether ``root/rel`` is a regular file reached without links (IMAGE-MISSING asks)."""
    try:
        _check_folders(root, rel)
        return stat.S_ISREG(os.lstat(root / rel).st_mode)
    except OSError:
        return False


def regular_size(root: Path, rel: str) -> int | None:
    """The size of ``root/rel`` if it is a regular file reached without links, else None
    (a department's seal is copied to every release and loaded by every page)."""
    try:
        _check_folders(root, rel)
        found = os.lstat(root / rel)
    except OSError:
        return None
    return found.st_size if stat.S_ISREG(found.st_mode) else None
