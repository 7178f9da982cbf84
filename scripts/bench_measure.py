"""How one benchmark command is measured: time, background time and whole-tree memory.

``measure`` starts the command in a session of its own (``start_new_session``) and, every
``INTERVAL`` seconds until no process of that session is left, samples the proportional set
size (PSS, ``/proc/PID/smaps_rollup``) of *every* process in the session: the command, the
workers it forks, and whatever it leaves running after it exits (the build's background
state saver, the deletion of old releases). The figure is the peak of the sum. PSS, not RSS:
pages the forked workers share with their parent are counted once, split between them, so
the sum is the tree's real footprint (a cgroup's memory counter is not used: on cgroup v1 it
also counts the page cache of every file the build writes).

Three times come out of one run:

* ``live``: from the start to the moment the command's effect is live — its exit, or, for
  ``pressroom publish``, the moment the site's link changed (``switch=``, sampled at the
  same interval: publish switches the site, then records what it published and exits);
* ``background``: from that moment until the last process of the session has gone —
  work that would otherwise land on the next measurement (for publish, what it does after
  the switch as well as what it leaves running).

A command that exits nonzero is a failed benchmark (``BenchFailure``), never a figure. So
is a publish that never switched the site.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

INTERVAL = 0.02  # seconds between samples of the session's memory and of the site's link


class BenchFailure(Exception):
    """A measured command failed or did not do what it was measured for: no figure."""


@dataclass(frozen=True)
class Measurement:
    live_s: float  # start to exit (or to the site's switch, when one was watched)
    background_s: float  # live to the last process of the session gone
    peak_mb: float  # the peak of the session's summed PSS
    exit_s: float  # start to exit of the command itself


def _session_of(stat: bytes) -> tuple[bytes, int]:
    """(state, session id) from a ``/proc/PID/stat`` line (the name may hold spaces)."""
    fields = stat[stat.rindex(b")") + 2:].split()
    return fields[0], int(fields[3])


def session_processes(session: int) -> list[int]:
    """The live (not zombie) processes whose session is ``session``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                state, sid = _session_of(handle.read())
        except (OSError, ValueError, IndexError):
            continue  # gone between the listing and the read
        if sid == session and state != b"Z":
            found.append(int(name))
    return found


def pss_kb(pid: int) -> int:
    """The proportional set size of one process in kB; 0 when it is gone or unreadable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _link(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return os.readlink(path)
    except OSError:
        return None


def measure(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
            switch: Path | None = None) -> Measurement:
    """Run ``command`` once and measure it (see the module's docstring).

    ``switch``: a site link (``pressroom publish --target``) whose change is the moment
    the result is live; the command must change it. Output goes to temporary files, not
    pipes, so a talkative command cannot block on a full pipe while it is being timed.
    """
    before = _link(switch)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err,
                                   start_new_session=True)
        exited: list[float] = []
        waiter = threading.Thread(target=lambda: (process.wait(),
                                                  exited.append(time.perf_counter())))
        waiter.start()
        peak, switched = 0, None
        while True:
            members = session_processes(process.pid)
            peak = max(peak, sum(pss_kb(pid) for pid in members))
            if switch is not None and switched is None and _link(switch) != before:
                switched = time.perf_counter()
            if exited and not members:
                break
            time.sleep(INTERVAL)
        ended = time.perf_counter()
        waiter.join()
        if process.returncode != 0:
            out.seek(0)
            err.seek(0)
            raise BenchFailure(f"benchmark command failed (exit {process.returncode}): "
                               f"{shlex.join(command)}\n{out.read().decode()[-2000:]}"
                               f"{err.read().decode()[-2000:]}")
    if switch is not None and switched is None:
        raise BenchFailure(f"{shlex.join(command)} exited 0 but never switched {switch}")
    exit_s = exited[0] - started
    live = (switched if switched is not None else exited[0]) - started
    return Measurement(live_s=live, background_s=ended - started - live, peak_mb=peak / 1024,
                       exit_s=exit_s)


def drop_os_caches() -> bool:
    """Write dirty pages out and drop the page cache, dentries and inodes (needs root).

    False when the system does not let us (not root, a container): the run records it
    and the table says its cold rows ran with the OS's caches as they were.
    """
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as handle:
            handle.write("3\n")
    except OSError:
        return False
    return True
