"""The live site switches in one atomic step (issue #11, class 5), under attack.

The site is driven as an attacker of its atomicity would drive it: the real
``pressroom`` command killed with SIGKILL at random moments of full and warm
builds; a build crashed (``os._exit``) just before each step of the switch in turn;
two builds started at once; an old-style output folder converted while crashing.
After each, the output path must resolve to exactly one complete site — byte for
byte the site before that build or the site after it, both computed beforehand by
undisturbed builds of a copy of the repository.

``PRESSROOM_LONG_TESTS=1`` runs the kill loop ten times longer.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import NOW, PROJECT, Repo, post_text, tree_digest

from pressroom.build.run import build_site
from pressroom.publishing import releases
from pressroom.publishing.output_lock import lock_file, output_lock
from pressroom.publishing.release_folders import DOOMED, complete_releases, releases_folder

NOW_TEXT = NOW.isoformat()
PRESSROOM = PROJECT / ".venv" / "bin" / "pressroom"
LONG = os.environ.get("PRESSROOM_LONG_TESTS") == "1"
CATEGORIES = ["announcements", "community", "crime-prevention", "traffic", "press-releases",
              "information-requests", "recruitment"]
RELEASE = re.compile(r"\d{8}T\d{6}Z-\d+")


# --- a department with two versions of its content --------------------------------------

def version_files(version: int, posts: int) -> dict[str, str]:
    """The posts of content version 1 or 2 (2: one edited, one removed, one added, an alert
    that puts a banner on every page)."""
    files = {}
    for i in range(posts):
        files[f"2026/notice-{i:02d}.md"] = post_text(
            title=f"Notice number {i} for the neighborhood", date=f"2026-11-{1 + i % 25:02d} 09:00",
            category=CATEGORIES[i % len(CATEGORIES)], tags="community, notices",
            summary=f"Notice {i} tells residents about a change in the neighborhood.",
            body=f"Residents can call the front counter about notice {i}.\n\n" * 3)
    if version == 2:
        files["2026/notice-03.md"] = files["2026/notice-03.md"].replace(
            "Residents can call", "Residents may call")
        del files["2026/notice-07.md"]
        files["2026/late-news.md"] = post_text(title="Late news from the department",
                                               date="2026-11-26 10:00")
        files["2026/gas-leak.md"] = post_text(
            title="Gas leak: avoid Citrus Avenue", date="2026-11-27 09:00",
            category="safety-alerts", summary="Crews are repairing a gas line.",
            expires="2026-11-27 18:00", incident="2026-1127-gas",
            area="Citrus Avenue between 1st and 3rd Streets", body="Avoid the area.")
    return files


def set_version(root: Path, version: int, posts: int = 0) -> None:
    """Content version 1 or 2, of ``posts`` posts (default: as many as there are)."""
    posts = posts or len(list((root / "content" / "2026").glob("notice-*.md"))) + (
        1 if not (root / "content" / "2026" / "notice-07.md").exists() else 0)
    wanted = version_files(version, posts)
    for path in (root / "content").rglob("*.md"):
        if path.relative_to(root / "content").as_posix() not in wanted:
            path.unlink()
    for name, text in wanted.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


@pytest.fixture
def posts() -> int:
    return 30


@pytest.fixture
def dept(tmp_path: Path, posts: int) -> Path:
    repo = Repo(tmp_path / "dept")
    set_version(repo.root, 1, posts)
    return repo.root


@pytest.fixture
def sites(tmp_path: Path, dept: Path) -> dict[int, dict[str, str]]:
    """Both versions' complete sites, built undisturbed from a copy of the department."""
    twin = tmp_path / "twin"
    shutil.copytree(dept, twin)
    found = {}
    for version in (1, 2):
        set_version(twin, version)
        out = tmp_path / f"ref-{version}"
        assert build_site(twin, out, now=NOW, full=True).ok
        found[version] = tree_digest(out)
    assert found[1] != found[2]
    return found


def which(site: Path, sites: dict[int, dict[str, str]], old_style: bool = False) -> int:
    """The version ``site`` serves; fails unless it is exactly one complete release (or,
    with ``old_style``, still the real folder an older pressroom left)."""
    target = "(a folder)"
    if not (old_style and site.is_dir() and not site.is_symlink()):
        assert site.is_symlink(), f"{site} is not the release link"
        target = os.readlink(site)
        assert RELEASE.fullmatch(Path(target).name) and Path(target).parent.name == \
            f".{site.name}.releases", target
    tree = site_digest(site)
    matches = [version for version, digest in sites.items() if digest == tree]
    assert matches, f"{site} -> {target} serves neither complete site ({len(tree)} files)"
    return matches[0]


def assert_no_leftovers(site: Path, sites: dict[int, dict[str, str]]) -> None:
    """Only complete releases beside the site, each still byte-identical to a whole site.

    Pruned releases are deleted by a detached process (``release_folders.discard``): give it time.
    """
    folder = releases_folder(site)
    for _ in range(200):
        names = sorted(os.listdir(folder))
        if not any(name.startswith(DOOMED) for name in names):
            break
        time.sleep(0.05)
    assert all(RELEASE.fullmatch(name) for name in names), names
    assert sorted(os.listdir(site.parent)) == sorted(
        [site.name, folder.name, lock_file(site).name]), os.listdir(site.parent)
    for name in names:  # hard-link clones never changed an older release
        assert site_digest(folder / name) in sites.values(), name


def site_digest(release: Path) -> dict[str, str]:
    """``tree_digest`` of a release without its search index (``pressroom build`` indexes
    after the switch; the reference sites have none), which must be whole when it is there:
    every file its entry names is in the release (a kill never leaves half an index)."""
    entry = release / "pagefind" / "pagefind-entry.json"
    if entry.exists():
        for lang in json.loads(entry.read_text())["languages"].values():
            assert (release / "pagefind" / f"pagefind.{lang['hash']}.pf_meta").is_file(), lang
            assert (release / "pagefind" / f"wasm.{lang['wasm']}.pagefind").is_file(), lang
    return {rel: digest for rel, digest in tree_digest(release).items()
            if not rel.startswith("pagefind/")}


def command(*args: str) -> list[str]:
    exe = str(PRESSROOM) if PRESSROOM.exists() else (shutil.which("pressroom") or "pressroom")
    return [exe, *args]


ENV = {**os.environ, "PYTHONPATH": str(PROJECT), "PYTHONUNBUFFERED": "1"}


def build_command(dept: Path, site: Path, *extra: str) -> list[str]:
    return command("build", "--repo", str(dept), "--output", str(site), "--now", NOW_TEXT,
                   *extra)


def run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, env=ENV, timeout=300)


# --- kill -9 at random moments ----------------------------------------------------------

def test_kill_9_at_random_moments_leaves_exactly_one_complete_site(tmp_path, dept, sites):
    site = tmp_path / "www" / "pd"
    log = tmp_path / "build.log"
    started = time.monotonic()
    assert run(command("--version")).returncode == 0
    startup = time.monotonic() - started  # Python and click: nothing to kill yet
    timings = {}
    for version, extra in ((1, ()), (2, ()), (1, ("--full",))):  # undisturbed, timed
        set_version(dept, version)
        started = time.monotonic()
        done = run(build_command(dept, site, *extra))
        timings[bool(extra)] = time.monotonic() - started
        assert done.returncode == 0, done.stderr
        assert which(site, sites) == version
    assert "incremental" in run(build_command(dept, site)).stdout  # a state to be warm from

    rng = random.Random(392)
    wanted = 250 if LONG else 26
    live, kills = 1, {"warm": 0, "full": 0}
    attempts = 0
    while sum(kills.values()) < wanted:
        attempts += 1
        # A kill while Python is still starting catches no build; on a loaded machine (the
        # suite runs a file per core) that happens more often, hence the generous bound.
        assert attempts < wanted * 6, f"too few builds were caught running: {kills}"
        full = rng.random() < 0.4
        after = 2 if live == 1 else 1
        set_version(dept, after)
        with open(log, "w") as out:
            proc = subprocess.Popen(build_command(dept, site, *(("--full",) if full else ())),
                                    stdout=out, stderr=subprocess.STDOUT, env=ENV)
            time.sleep(rng.uniform(startup * 0.8, timings[full] * 1.1))
            proc.send_signal(signal.SIGKILL)
            code = proc.wait()
        served = which(site, sites)
        assert served in (live, after), (served, live, after)
        if code == -signal.SIGKILL:
            text = log.read_text()
            kind = "full" if "Full build" in text else "warm" if "changed and" in text else ""
            if kind:  # killed after it decided how to build (not still starting Python)
                kills[kind] += 1
        else:
            assert code == 0 and served == after, log.read_text()
        live = served
    print(f"killed {kills} in {attempts} builds; live after each: whole")
    assert min(kills.values()) >= wanted // 8, kills  # both kinds were killed, often

    set_version(dept, 1 if live == 2 else 2)
    done = run(build_command(dept, site))
    assert done.returncode == 0, done.stderr
    assert which(site, sites) == (1 if live == 2 else 2)
    assert_no_leftovers(site, sites)


# --- a crash before each step of the switch, in turn ------------------------------------

CRASHED = 86
STEPS = ("rename", "replace", "symlink", "mkdir", "rmdir", "unlink")


def _crash_before_step(number: int, roots: set[str]) -> None:
    """In this (forked) process: exit at once before the ``number``-th file-system step
    on a name in ``roots`` (the site's folder and its releases folder). Processes it
    starts in turn (the detached remover of pruned releases) are left alone."""
    seen, me = [0], os.getpid()

    def guard(function):
        def step(*args, **kwargs):
            names = [a for a in args[:2] if isinstance(a, (str, os.PathLike))]
            if os.getpid() == me and any(
                    os.path.dirname(os.path.abspath(os.fspath(n))) in roots for n in names):
                seen[0] += 1
                if seen[0] == number:
                    os._exit(CRASHED)
            return function(*args, **kwargs)
        return step

    for name in STEPS:
        setattr(os, name, guard(getattr(os, name)))
    shutil.rmtree = guard(shutil.rmtree)


def _build_in_child(dept: Path, site: Path, crash_at: int, full: bool, keep: int,
                    exchange: bool = True) -> int:
    """Build in a forked copy of this process that crashes at step ``crash_at``."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            if not exchange:  # a system without renameat2(RENAME_EXCHANGE)
                releases.EXCHANGE = None
            _crash_before_step(crash_at, {str(site.parent),
                                          str(releases_folder(site))})
            result = build_site(dept, site, now=NOW, full=full, keep_releases=keep)
            code = 0 if result.ok and result.incremental is not full else 3
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@pytest.mark.parametrize("posts", [8])  # a small site: many builds
@pytest.mark.parametrize("kind", ["full", "warm", "migration", "migration-by-renames"])
def test_a_crash_before_any_step_of_the_switch_leaves_one_complete_site(
        tmp_path, dept, sites, kind):
    """Every step, in turn: the site is whole before the next build and after it.

    Converting an old-style folder without ``renameat2`` takes two renames; between
    them (one step) there is no site until the next run puts the link in place.
    """
    site = tmp_path / "www" / "pd"
    step, steps_seen, gaps = 0, 0, 0
    migration = kind.startswith("migration")
    while True:
        step += 1
        assert step < 60, "the build never finished"
        # before: version 1 is live (and warm-buildable), with two older releases to prune
        set_version(dept, 1)
        if migration:
            if site.is_symlink() or site.exists():
                site.unlink() if site.is_symlink() else shutil.rmtree(site)
            shutil.rmtree(releases_folder(site), ignore_errors=True)
            shutil.copytree(tmp_path / "ref-1", site)  # a real folder, as pressroom 0.x left
        else:  # this build also recovers from the crash before (checked here)
            for _ in range(2):
                if len(complete_releases(site)) < 2:
                    assert build_site(dept, site, now=NOW, full=True).ok
            assert len(complete_releases(site)) >= 2  # old ones, for the pruning
            assert build_site(dept, site, now=NOW).ok  # version 1, a state to be warm from
            assert_no_leftovers(site, sites)
        assert which(site, sites, old_style=migration) == 1

        set_version(dept, 2)
        code = _build_in_child(dept, site, step, full=kind != "warm", keep=1,
                               exchange=kind != "migration-by-renames")
        assert code in (0, CRASHED), code
        if kind == "migration-by-renames" and not site.exists() and not site.is_symlink():
            gaps += 1  # between the two renames: the next run repairs it first
            with output_lock(site):
                releases.prepare(site)
        served = which(site, sites, old_style=migration)
        if code == 0:
            assert served == 2
            assert_no_leftovers(site, sites)
            assert len(os.listdir(releases_folder(site))) <= 2  # kept 1 old one
            break
        steps_seen += 1
        if migration:  # the next build recovers, cleans up, and serves what it builds
            set_version(dept, served)
            assert build_site(dept, site, now=NOW).ok
            assert which(site, sites) == served
            assert_no_leftovers(site, sites)
    print(f"{kind}: crashed before each of {steps_seen} steps")
    assert steps_seen >= 4, f"only {steps_seen} steps of the switch were crashed"
    assert gaps == (1 if kind == "migration-by-renames" else 0)


# --- an old-style output folder, and outputs that are not ours -------------------------

def test_an_old_style_site_folder_is_converted_and_kept_for_rollback(tmp_path, dept, sites):
    site = tmp_path / "www" / "pd"
    shutil.copytree(tmp_path / "ref-1", site)
    for leftover in (".output-a1b2c3d4", ".output-old-a1b2c3d4", ".output-stage-a1b2c3d4"):
        (site.parent / leftover / "2026").mkdir(parents=True)  # what killed old builds left
    set_version(dept, 2)
    done = run(build_command(dept, site))
    assert done.returncode == 0, done.stderr
    assert which(site, sites) == 2
    assert_no_leftovers(site, sites)
    back = run(command("rollback", "--output", str(site)))
    assert back.returncode == 0, back.stderr
    assert which(site, sites) == 1  # the converted folder is the previous release


@pytest.mark.parametrize("make, expected", [
    (lambda p: (p.mkdir(), (p / "notes.txt").write_text("mine")),
     "a folder that is not a site (no index.html) is in the way"),
    (lambda p: p.symlink_to(p.parent), "a symbolic link pressroom did not make"),
    (lambda p: p.write_text("a file"), "exists and is not a folder"),
])
def test_an_output_path_that_is_not_ours_is_refused(tmp_path, dept, make, expected):
    site = tmp_path / "www" / "pd"
    site.parent.mkdir()
    make(site)
    before = sorted(os.listdir(site.parent))
    done = run(build_command(dept, site))
    assert done.returncode == 2
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert sorted(os.listdir(site.parent)) in (before, sorted([*before, ".pd.pressroom-lock"]))


# --- concurrency: one lock for build, publish and rollback ------------------------------

def test_a_second_build_publish_or_rollback_fails_fast_while_one_runs(tmp_path, dept, sites):
    site = tmp_path / "www" / "pd"
    assert run(build_command(dept, site)).returncode == 0
    set_version(dept, 2)
    with output_lock(site):  # another process holds it (this test)
        for args in (build_command(dept, site),
                     command("publish", "--repo", str(dept), "--target", str(site),
                             "--now", NOW_TEXT),
                     command("rollback", "--output", str(site))):
            started = time.monotonic()
            done = run(args)
            assert done.returncode == 2, (args, done.stdout, done.stderr)
            assert f"another pressroom build, publish or rollback of {site} is running" \
                in done.stderr
            assert time.monotonic() - started < 30  # fails fast, does not wait
        assert which(site, sites) == 1
    assert run(build_command(dept, site)).returncode == 0  # released: builds again
    assert which(site, sites) == 2


def test_two_concurrent_builds_never_interleave(tmp_path, dept, sites):
    site = tmp_path / "www" / "pd"
    assert run(build_command(dept, site)).returncode == 0
    outcomes = set()
    for version in (2, 1, 2, 1):
        set_version(dept, version)
        procs = [subprocess.Popen(build_command(dept, site, *extra), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=ENV)
                 for extra in ((), ("--full",))]
        results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        for code, err in results:
            assert code == 0 or (code == 2 and "is running" in err), err
        assert any(code == 0 for code, _ in results)
        outcomes.add(tuple(code for code, _ in results))
        assert which(site, sites) == version
        assert_no_leftovers(site, sites)
    assert outcomes  # (both may finish in turn when they happen not to overlap)


def test_the_lock_is_reentrant_in_one_process_and_not_held_by_its_children(tmp_path):
    site = tmp_path / "pd"
    probe = [sys.executable, "-c", "import sys; from pathlib import Path; "
             "from pressroom.publishing.output_lock import output_lock\n"
             "try:\n    cm = output_lock(Path(sys.argv[1])); cm.__enter__()\n"
             "except Exception as e:\n    print(e); sys.exit(2)\n", str(site)]
    with output_lock(site), output_lock(site):  # publish -> build_site
        assert subprocess.run(probe, env=ENV, capture_output=True).returncode == 2
        pid = os.fork()
        if pid == 0:  # a forked child (the state saver, banner workers) has no lock of its own
            os._exit(0 if subprocess.run(probe, env=ENV).returncode == 2 else 1)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert subprocess.run(probe, env=ENV).returncode == 0


# --- rollback ---------------------------------------------------------------------------

def test_rollback_flips_back_and_the_next_build_is_full(tmp_path, dept, sites):
    site = tmp_path / "www" / "pd"
    assert run(build_command(dept, site)).returncode == 0
    first = os.readlink(site)
    set_version(dept, 2)
    assert run(build_command(dept, site)).returncode == 0
    second = os.readlink(site)
    listed = run(command("rollback", "--output", str(site), "--list"))
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == [f"* {Path(second).name}  (live)",
                                          f"  {Path(first).name}"]

    back = run(command("rollback", "--output", str(site)))
    assert back.returncode == 0 and Path(first).name in back.stdout
    assert which(site, sites) == 1
    assert run(command("rollback", "--output", str(site))).returncode == 2  # nothing older
    again = run(build_command(dept, site))  # the state described the other release
    assert again.returncode == 0 and "(full build: the live release" in again.stdout
    assert which(site, sites) == 2

    to = run(command("rollback", "--target", str(site), "--to", Path(first).name))
    assert to.returncode == 0 and which(site, sites) == 1
    bad = run(command("rollback", "--target", str(site), "--to", "../../etc"))
    assert bad.returncode == 2 and "no complete release" in bad.stderr
    assert which(site, sites) == 1


def test_keep_releases_prunes_old_releases(tmp_path, dept, sites):
    site = tmp_path / "www" / "pd"
    for version in (1, 2, 1, 2, 1):
        set_version(dept, version)
        done = run(build_command(dept, site, "--keep-releases", "2"))
        assert done.returncode == 0, done.stderr
    assert len(os.listdir(releases_folder(site))) == 3
    assert which(site, sites) == 1
    for _ in range(2):
        assert run(command("rollback", "--output", str(site))).returncode == 0
    set_version(dept, 2)
    done = run(build_command(dept, site, "--keep-releases", "0"))
    assert done.returncode == 0, done.stderr
    assert os.listdir(releases_folder(site)) == [Path(os.readlink(site)).name]
    assert run(build_command(dept, site, "--keep-releases", "-1")).returncode == 2


def test_cleanup_leaves_doomed_and_crashed_releases_to_a_detached_process(tmp_path, monkeypatch):
    """A pruned release still being deleted by the last build's detached process (publishes
    come back to back during an incident), or a partial one a kill left, is not deleted on
    the next build's critical path: it is renamed out of the way and handed to a detached
    process, which then removes it."""
    site = tmp_path / "www" / "pd"
    folder = releases_folder(site)
    doomed, partial = folder / f"{DOOMED}20261101T000000Z-1", folder / ".partial-crashed"
    for path in (doomed, partial):
        (path / "2026").mkdir(parents=True)
        (path / "2026" / "index.html").write_text("old\n")
    handed: list[list[Path]] = []
    monkeypatch.setattr(releases, "remove_behind", lambda paths: handed.append(list(paths)))
    releases.cleanup(site)
    renamed = folder / f"{DOOMED}crashed"
    assert len(handed) == 1 and sorted(handed[0]) == sorted([doomed, renamed]), handed
    assert doomed.is_dir() and renamed.is_dir() and not partial.exists()  # not deleted here
    monkeypatch.undo()
    releases.remove_behind(handed[0])  # the real detached removal
    for _ in range(200):
        if not any(os.listdir(folder)):
            break
        time.sleep(0.05)
    assert os.listdir(folder) == []
