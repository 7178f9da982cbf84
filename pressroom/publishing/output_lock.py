"""One build, publish or rollback per output path at a time: the output lock.

Apart from the release folders (``pressroom.publishing.releases``) because every command
that changes an output path takes it first, ``publish`` around a whole build, and it must
stay simple enough to reason about on its own: a kernel record lock, re-entrant within a process.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from pressroom.model.violations import InputError


def lock_file(output: Path) -> Path:
    """The lock beside the output path (``.pd.pressroom-lock`` for ``pd``)."""
    return output.parent / f".{output.name}.pressroom-lock"


_HELD: dict[str, list[int]] = {}  # lock file -> [descriptor, depth], in this process


@contextlib.contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """One build, publish or rollback per output path at a time; a second one fails fast.

    A POSIX record lock (``lockf``): the kernel drops it when the process ends, however
    it ends, and a forked child (the background state saver, banner workers) never
    holds it, so nothing a killed build leaves running can keep the next one out. It is
    re-entrant within a process: ``publish`` holds it and calls ``build_site``, which
    takes it again.
    """
    output = output.absolute()
    path = lock_file(output)
    key = str(path)
    held = _HELD.get(key)
    if held is not None:
        held[1] += 1
        try:
            yield
        finally:
            held[1] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise InputError(f"{path}: cannot open the lock file: {exc.strerror}") from exc
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EACCES, errno.EAGAIN):
            raise InputError(f"another pressroom build, publish or rollback of {output} is "
                             f"running; try again when it has finished") from exc
        raise InputError(f"{path}: cannot lock: {exc.strerror}") from exc
    _HELD[key] = [fd, 1]
    try:
        yield
    finally:
        del _HELD[key]
        os.close(fd)  # closing drops the lock
