"""One preview build in a child process with a time limit.

A branch's templates are the branch author's: sandboxed, they cannot run code, but they
can loop for hours (nested ``range`` loops). A preview must never hang a reviewer's
machine or the desk, so each build runs ``build.run.build_site`` in a child process of its
own session, killed (with everything it started) after ``timeout`` seconds, or when the
preview itself is interrupted (Ctrl-C reaches only the terminal's process group). The child
writes its caches under a temporary ``XDG_CACHE_HOME``, never the reviewer's, and answers
with one JSON line on stdout.

Time is not the only thing a template can waste: ``{{ 'x' * 10**11 }}`` asks for 100 GB
of memory, and a page written as fast as the disk allows fills it long before the time
limit. The child therefore limits itself before anything of the branch is read: its
address space to ``MAX_MEMORY`` and each file it writes to ``MAX_FILE`` bytes. Past
either, the template fails like any other (``MemoryError``, ``File too large``): the build
reports it in one line and the sheet says the merged site cannot be built.

Run as ``python -m pressroom.preview.builder REQUEST-JSON`` by ``run_build`` only.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pressroom

MAX_MEMORY = 4 * 1024**3  # address space of the build child; a real build needs far less
MAX_FILE = 256 * 1024**2  # the largest file the build may write (a page, a feed, an image)


@dataclass
class BuildOutcome:
    """A finished build: ``site`` is its release folder; ``problems`` are one line each
    (content-rule findings when ``refused``); ``error`` says why it could not run."""

    site: Path | None = None
    problems: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.site is not None


def run_build(tree: Path, output: Path, now: datetime, plugins_approved: bool, timeout: float,
              cache_home: Path) -> BuildOutcome:
    """Build the exported ``tree`` into ``output`` in a child process, at most ``timeout`` s."""
    request = json.dumps({"tree": str(tree), "output": str(output), "now": now.isoformat(),
                          "plugins_approved": plugins_approved})
    package_root = str(Path(pressroom.__file__).resolve().parent.parent)
    # No empty entry: "" in PYTHONPATH is the working folder, which -P does not remove.
    paths = [package_root, *os.environ.get("PYTHONPATH", "").split(os.pathsep)]
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home),
           "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    # -P and a working folder outside the tree: nothing of the branch (its pelicanconf.py
    # above all) is ever on sys.path, so no import can reach it.
    process = subprocess.Popen([sys.executable, "-P", "-m", "pressroom.preview.builder",
                                request], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, cwd=output.parent, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        return BuildOutcome(error=f"the build took longer than {timeout:g} seconds and was "
                                  f"stopped (a template that loops?); nothing was previewed")
    except BaseException:  # Ctrl-C never reaches the child (its own session): stop it here
        _kill(process)
        raise
    for line in reversed(out.decode(errors="replace").splitlines()):
        if line.startswith("{"):
            answer = json.loads(line)
            site = answer.get("site")
            return BuildOutcome(Path(site) if site else None, answer.get("problems", []),
                                answer.get("error", ""))
    last = err.decode(errors="replace").strip().splitlines()
    return BuildOutcome(error=f"the build stopped (exit {process.returncode})"
                              + (f": {last[-1]}" if last else ""))


def _kill(process: subprocess.Popen) -> None:
    """Kill the child and every process it started (its own session), then reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _limit_resources() -> None:
    """Cap the child's memory and file size (see the module docstring)."""
    import resource

    for limit, value in ((resource.RLIMIT_AS, MAX_MEMORY), (resource.RLIMIT_FSIZE, MAX_FILE)):
        hard = resource.getrlimit(limit)[1]
        cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(limit, (cap, cap))


def _child(request: dict) -> dict:
    from pressroom.build.run import build_site
    from pressroom.model.violations import InputError

    try:
        result = build_site(Path(request["tree"]), Path(request["output"]),
                            now=datetime.fromisoformat(request["now"]), full=True,
                            keep_releases=0, plugins_approved=request["plugins_approved"])
    except InputError as exc:
        return {"error": str(exc)}
    if not result.ok:
        return {"problems": [str(p) for p in result.problems]}
    return {"site": str(Path(request["output"]).resolve())}


if __name__ == "__main__":
    _limit_resources()
    answer = _child(json.loads(sys.argv[1]))
    sys.stdout.flush()
    print(json.dumps(answer), flush=True)
