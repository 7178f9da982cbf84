"""A warm build's release starts as a hard-link clone of the live one.

Apart from the release folders (``pressroom.publishing.releases``) because it is the one part of a
release's life that runs beside the build (another process or a thread) and falls back
from ``cp -al`` to Python to plain copies; what makes sharing inodes safe is a rule of
the release folders, stated in ``clone``: no release is ever written in place.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path


def clone(source: Path, target: Path) -> int:
    """Fill ``target`` with hard links to every file of ``source`` (copies where that fails).

    Sharing inodes is safe because no release is ever written in place: a warm build
    renames new files over the clone's links and unlinks removed ones, which leaves
    ``source`` byte-identical. Returns how many files were copied instead of linked.
    """
    copied = 0
    link_works = True
    src_root, dst_root = str(source), str(target)
    for folder, dirs, files in os.walk(src_root):
        rel = os.path.relpath(folder, src_root)
        out = dst_root if rel == "." else os.path.join(dst_root, rel)
        if rel != ".":
            os.mkdir(out)
            shutil.copymode(folder, out)
        for name in files:
            src, dst = os.path.join(folder, name), os.path.join(out, name)
            if link_works:
                try:
                    os.link(src, dst, follow_symlinks=False)
                    continue
                except OSError as exc:
                    if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK,
                                         errno.ENOTSUP, errno.EOPNOTSUPP):
                        raise
                    link_works = exc.errno == errno.EMLINK  # only a full inode may pass
            shutil.copy2(src, dst, follow_symlinks=False)
            copied += 1
        # folders that are symlinks are walked as files would be: copy the link itself
        for name in [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            dirs.remove(name)
            os.symlink(os.readlink(os.path.join(folder, name)), os.path.join(out, name))
    return copied


class Cloning:
    """A clone (``clone``) running beside the build: at 10,000 posts linking 15,000 files
    takes over a second, which a warm build spends rendering on the other core instead.

    GNU ``cp -al`` does the linking in another process; without it (or when it fails) a
    thread runs ``clone``.
    """

    def __init__(self, source: Path, target: Path) -> None:
        self.source, self.target = source, target
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._copied = 0
        self._error: BaseException | None = None
        cp = shutil.which("cp")
        if cp is not None and sys.platform.startswith("linux"):
            self._process = subprocess.Popen(
                [cp, "-al", "--", f"{source}/.", f"{target}/"], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True)
        else:
            self._start_thread()

    def _start_thread(self) -> None:
        def run() -> None:
            try:
                self._copied = clone(self.source, self.target)
            except BaseException as exc:  # re-raised by wait()
                self._error = exc

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def wait(self) -> int:
        """Wait until the clone is complete; how many files were copied instead of linked."""
        if self._process is not None:
            code = self._process.wait()
            self._process = None
            if code != 0:  # e.g. a file system without hard links: start again, in Python
                _empty(self.target)
                self._start_thread()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error
        return self._copied

    def cancel(self) -> None:
        """Stop (a failed build): the caller removes the half-made clone."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def _empty(folder: Path) -> None:
    shutil.rmtree(folder)
    folder.mkdir()
    folder.chmod(0o755)

