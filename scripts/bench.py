"""pressroom against Pelican at a department's scale: every figure in one run, one file.

    make bench                    # 10,000 posts, 2,000 merges, 3 repetitions, then the docs
    .venv/bin/python scripts/bench.py --posts 300 --merges 40 --repeat 1 --results /tmp/x.json

One generated department (scripts/gen_department.py, fixed seed) as a git repository with
real SSH keys, one history of really signed merges (scripts/gen_history.py), and in one run:

* **baselines**: stock Pelican (its default theme and settings) and *matched* Pelican
  (``MATCHED``: the same pages and feeds as pressroom's, as far as stock Pelican can);
* **builds**: pressroom's full build (cold), then warm builds after a new post, a new alert
  (its banner on every page) and an update to that incident;
* **checks**: ``pressroom check`` cold and after one edited post, and one edited post through
  pre-commit (with pre-commit's own cost, a no-op hook);
* **verify**: the first ``pressroom verify`` of the history (cold), and with its verified
  prefix cached;
* **publish**: a fresh publishing clone's first publish, then, from the end of a real
  ``git push`` of the incident commander's signed merge to the central repository (whose
  server hook verifies it) to the atomic switch of the site: ``git pull`` on the publishing
  clone and ``pressroom publish``, for a new alert and an update to its incident.

*Cold* rows clear every pressroom cache (the cache folder in git's folder: state, check
results, Markdown renderings, verified merges, slug index; and ``$XDG_CACHE_HOME``) and drop
the OS's page cache before *every* repetition. Every command must exit 0 and its effect is
checked in the output (scripts/bench_dept.py); anything else ends the run with exit 1 and
writes nothing. Time, background time and the peak memory of the whole process tree come
from scripts/bench_measure.py; the results file from scripts/bench_results.py;
``scripts/gen_docs.py`` (``make bench`` runs it) makes the table of docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_dept as dept  # noqa: E402
from bench_measure import (  # noqa: E402
    INTERVAL,
    BenchFailure,
    Measurement,
    drop_os_caches,
    measure,
)
from bench_results import MATCHED, PROJECT, RESULTS, STOCK, Run  # noqa: E402
from gen_history import generate as generate_history  # noqa: E402

TARGET_POSTS, TARGET_MERGES = 10_000, 2_000  # the sizes the targets are set for
STOCK_SETTINGS = "TIMEZONE = 'America/Los_Angeles'\n"
# Stock Pelican 4.12 set up for pressroom's pages and feeds (pressroom.render.site):
# the same URLs, pagination (10, same patterns), category and tag pages, year archives,
# no author pages, site-wide and per-category RSS and Atom feeds of at most 50 items.
# Theme: "simple", the lighter of Pelican's two stock themes (14 templates, no static
# files), so the baseline is not slowed by more theme than pressroom's own.
MATCHED_SETTINGS = """\
TIMEZONE = 'America/Los_Angeles'
THEME = 'simple'
RELATIVE_URLS = True
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = ((1, '{url}', '{save_as}'),
                       (2, '{base_name}/page/{number}/', '{base_name}/page/{number}/index.html'))
SUMMARY_MAX_LENGTH = 50
ARTICLE_EXCLUDES = ['pages', 'images']
STATIC_PATHS = ['images']
ARTICLE_URL = '{date:%Y}/{slug}/'
ARTICLE_SAVE_AS = '{date:%Y}/{slug}/index.html'
CATEGORY_URL = 'category/{slug}/'
CATEGORY_SAVE_AS = 'category/{slug}/index.html'
CATEGORIES_SAVE_AS = 'category/index.html'
TAG_URL = 'tag/{slug}/'
TAG_SAVE_AS = 'tag/{slug}/index.html'
TAGS_SAVE_AS = ''
AUTHOR_SAVE_AS = ''
AUTHORS_SAVE_AS = ''
ARCHIVES_SAVE_AS = 'archives/index.html'
YEAR_ARCHIVE_SAVE_AS = '{date:%Y}/index.html'
DIRECT_TEMPLATES = ['index', 'categories', 'archives']
FEED_MAX_ITEMS = 50
FEED_ATOM = None
FEED_RSS = None
FEED_ALL_ATOM = 'feeds/all.atom.xml'
FEED_ALL_RSS = 'feeds/all.rss.xml'
CATEGORY_FEED_ATOM = 'feeds/{slug}.atom.xml'
CATEGORY_FEED_RSS = 'feeds/{slug}.rss.xml'
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
MARKDOWN = {'extension_configs': {'markdown.extensions.extra': {},
                                  'markdown.extensions.meta': {}},
            'output_format': 'html5'}
"""


class Bench:
    """One run: the department, the tools, and how each kind of repetition is prepared."""

    def __init__(self, args: argparse.Namespace, tmp: Path, run: Run) -> None:
        self.args, self.tmp, self.run = args, tmp, run
        self.bin = args.bin
        self.repo, self.keys = tmp / "dept", tmp / "keys"
        self.site, self.www = tmp / "site", tmp / "www"
        self.env = dict(os.environ, XDG_CACHE_HOME=str(tmp / "xdg-cache"),
                        PRE_COMMIT_HOME=str(tmp / "pre-commit-home"))
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)  # as on a department's machine

    def tool(self, name: str) -> str:
        return str(self.bin / name)

    def cold(self, *repos: Path) -> None:
        """Before every cold repetition: no pressroom cache, no OS page cache."""
        from pressroom.cache import folder

        for repo in repos:
            shutil.rmtree(folder(repo), ignore_errors=True)
        shutil.rmtree(self.tmp / "xdg-cache", ignore_errors=True)
        if self.args.keep_os_caches or not drop_os_caches():
            self.run.results["os_caches_dropped"] = False

    def times(self, command: list[str], cwd: Path | None = None, *,
              before: Callable[[int], None] | None = None,
              after: Callable[[int], None] | None = None,
              switch: Path | None = None, repeat: int | None = None) -> list[Measurement]:
        """``repeat`` measurements of ``command``, each prepared and checked."""
        values = []
        for index in range(self.args.repeat if repeat is None else repeat):
            if before:
                before(index)
            values.append(measure(command, cwd, self.env, switch))
            if after:
                after(index)
        return values


def _judged(run: Run, size: int, needed: int, *args, **kwargs) -> None:
    """A row whose target is given only at the size it is set for."""
    if size < needed:
        kwargs.pop("target", None)
        kwargs.pop("judge", None)
    run.row(*args, **kwargs)


def builds(b: Bench, posts: list[Path]) -> None:
    """The baselines, then pressroom's full and warm builds, alternating per repetition."""
    n, out = b.args.posts, b.tmp / "pelican-out"
    for name, text in (("stock.py", STOCK_SETTINGS), ("matched.py", MATCHED_SETTINGS)):
        (b.tmp / name).write_text(text)
    everything = dept.public_pages(posts, now=dept.END.replace(year=9999))
    public = dept.public_pages(posts)
    # The build rows compare with Pelican, which makes no search index: --no-search (the
    # publish rows index, and measure it in their own row).
    build = [b.tool("pressroom"), "build", "--repo", str(b.repo), "--output", str(b.site),
             "--now", dept.NOW_TEXT, "--no-search", "-q"]
    rows: dict[str, list[Measurement]] = {}
    for index in range(b.args.repeat):
        for name, pattern in ((STOCK, "{slug}.html"), (MATCHED, "{page}/index.html")):
            shutil.rmtree(out, ignore_errors=True)
            rows.setdefault(name, []).extend(b.times(
                [b.tool("pelican"), str(b.repo / "content"), "-o", str(out), "-s",
                 str(b.tmp / f"{name}.py"), "-q"], before=lambda _: b.cold(),
                after=lambda _, p=pattern: dept.site_has_pages(out, everything, p), repeat=1))
        shutil.rmtree(out, ignore_errors=True)

        def fresh(_: int) -> None:
            from pressroom.publishing.release_folders import releases_folder

            shutil.rmtree(releases_folder(b.site), ignore_errors=True)
            if b.site.is_symlink():
                b.site.unlink()
            b.cold(b.repo)

        rows.setdefault("build-full", []).extend(b.times(
            build, before=fresh, after=lambda _: dept.site_has_pages(b.site, public,
                                                                     "{page}/index.html"),
            repeat=1))
        added = []
        incident, alert = f"2026-1101-bench{index}", f"Water main break {index} on Grand Avenue"
        steps = (
            ("build-post", f"bench-new-{index}", dept.post_text(
                f"Front counter hours {index}", 10 + index),
             lambda slug: dept.site_has_post(b.site, slug)),
            ("build-alert", f"bench-alert-{index}", dept.post_text(alert, 20 + index, incident),
             lambda slug, a=alert: dept.site_has_banner(b.site, a)),
            ("build-update", f"bench-update-{index}", dept.post_text(
                f"Update {index}: Grand Avenue still closed", 30 + index, incident),
             lambda slug, i=incident: dept.site_has_update(b.site, i, slug)),
        )
        for row_id, slug, text, effect in steps:
            added.append(b.repo / "content" / "2026" / f"{slug}.md")
            added[-1].write_text(text)
            rows.setdefault(row_id, []).extend(b.times(
                build, after=lambda _, s=slug, e=effect: e(s), repeat=1))
        for path in added:
            path.unlink()
    how = "output folder removed, every cache cleared, OS page cache dropped, each repetition"
    b.run.row(STOCK, "stock Pelican, full build (default theme and settings)", n, "posts",
              rows[STOCK], cold=True, how=how, compare=True)
    b.run.row(MATCHED, "matched Pelican, full build (pressroom's pages and feeds)", n, "posts",
              rows[MATCHED], cold=True, how=how, compare=True)
    _judged(b.run, n, TARGET_POSTS, "build-full", "pressroom build, full (cold)", n, "posts",
            rows["build-full"], cold=True, how=how, compare=True,
            target="≤ 0.6× matched, memory ≤ 1.2× matched",
            judge=lambda t, m, base: t <= 0.6 * base[MATCHED]["time_s"]["median"]
            and m <= 1.2 * base[MATCHED]["peak_mb"]["median"])
    warm = "after the full build, one new file in content/"
    for row_id, measure_name in (("build-post", "after one new post"),
                                 ("build-alert", "after a new alert (banner on every page)"),
                                 ("build-update", "after an update to that incident")):
        b.run.row(row_id, f"pressroom build, {measure_name}", n, "posts", rows[row_id],
                  cold=False, how=warm, compare=True)


def checks(b: Bench, posts: list[Path]) -> None:
    """``pressroom check`` cold and after an edit; one edited post through pre-commit."""
    n = b.args.posts
    check = [b.tool("pressroom"), "check", "--repo", str(b.repo)]
    cold = b.times(check, before=lambda _: b.cold(b.repo))
    edited = posts[len(posts) // 2]
    original = edited.read_text(encoding="utf-8")

    def edit(index: int, path: Path = edited) -> None:  # new words: no cached result fits
        path.write_text(path.read_text(encoding="utf-8") +
                        f"\nUpdate {index}: the intersection reopened at {index % 11 + 1} p.m.\n",
                        encoding="utf-8")

    after_edit = b.times(check, before=edit)
    hook_file = edited.relative_to(b.repo).as_posix()
    (b.repo / ".venv").symlink_to(Path(sys.prefix))
    hook = [b.tool("pre-commit"), "run", "pressroom-content", "--files", hook_file]
    b.times(hook, b.repo, repeat=1)  # pre-commit's first run sets itself up: no figure
    hooks = b.times(hook, b.repo, before=edit)
    config = b.repo / ".pre-commit-config.yaml"
    kept = config.read_text()
    config.write_text("repos:\n  - repo: local\n    hooks:\n      - id: noop\n        name: noop\n"
                      "        entry: 'true'\n        language: system\n")
    floor = b.times([b.tool("pre-commit"), "run", "noop", "--files", hook_file], b.repo)
    config.write_text(kept)
    edited.write_text(original, encoding="utf-8")
    _judged(b.run, n, TARGET_POSTS, "check-cold", "pressroom check, every post (cold)", n,
            "posts", cold, cold=True, how="every cache cleared, OS page cache dropped, each run",
            target="≤ 5 s", judge=lambda t, m, base: t <= 5)
    b.run.row("check-edit", "pressroom check, after one edited post", n, "posts", after_edit,
              cold=False, how="results of the other posts cached; the post has new words")
    b.run.row("hook", "pre-commit run pressroom-content --files <one edited post>", n, "posts",
              hooks, cold=False, how="the post has new words each run")
    b.run.row("hook-floor", "… of which pre-commit itself (the same run, a no-op hook)", n,
              "posts", floor, cold=False, how="a hook that runs `true`")


def verifies(b: Bench) -> None:
    """The first ``pressroom verify`` of a long history, and with its prefix cached."""
    m, history = b.args.merges, b.tmp / "history"
    generate_history(history, m, progress=None)
    verify = [b.tool("pressroom"), "verify", "--repo", str(history)]
    first = b.times(verify, before=lambda _: b.cold(history))
    cached = b.times(verify)
    _judged(b.run, m, TARGET_MERGES, "verify-first", "pressroom verify, first run", m, "merges",
            first, cold=True, how="every cache cleared, OS page cache dropped, each run",
            target="≤ 5 s", judge=lambda t, mem, base: t <= 5)
    b.run.row("verify-cached", "pressroom verify, verified prefix cached", m, "merges", cached,
              cold=False, how="after a verify of the same history")


def publishes(b: Bench, posts: list[Path]) -> None:
    """From the end of the push of a signed merge to the switch of the published site."""
    n, central, publisher = b.args.posts, b.tmp / "central.git", b.tmp / "publisher"
    dept.make_central(b.repo, central, publisher, b.bin / "pressroom")
    publish = [b.tool("pressroom"), "publish", "--repo", str(publisher), "--target",
               str(b.www), "--now", dept.NOW_TEXT, "-q"]
    public = dept.public_pages(posts)
    first = b.times(publish, before=lambda _: b.cold(publisher), switch=b.www, repeat=1,
                    after=lambda _: dept.site_has_pages(b.www, public, "{page}/index.html"))
    pushes: list[Measurement] = []
    live: dict[str, list[Measurement]] = {"publish-alert": [], "publish-update": []}
    searched: list[Measurement] = []  # from each switch to its index's switch
    for index in range(b.args.repeat):
        incident, alert = f"2026-1101-live{index}", f"Gas leak {index} near Citrus Avenue"
        for row_id, slug, text, effect in (
                ("publish-alert", f"live-alert-{index}",
                 dept.post_text(alert, 12 + 2 * index, incident),
                 lambda slug, a=alert: dept.site_has_banner(b.www, a)),
                ("publish-update", f"live-update-{index}",
                 dept.post_text(f"Update {index}: Citrus Avenue still closed", 13 + 2 * index,
                                incident),
                 lambda slug, i=incident: dept.site_has_update(b.www, i, slug))):
            dept.approve(b.repo, b.keys, slug, text)
            pushes += b.times(["git", "push", "-q", "origin", "main"], b.repo, repeat=1)
            pull = measure(["git", "pull", "--ff-only", "-q"], publisher, b.env)
            done = measure(publish, None, b.env, switch=b.www)
            effect(slug)
            counts = dept.site_search_current(b.www, slug)
            # publish indexes after the switch and exits when the new index is switched in
            searched.append(Measurement(
                live_s=done.exit_s - done.live_s,
                background_s=max(0.0, done.live_s + done.background_s - done.exit_s),
                peak_mb=done.peak_mb, exit_s=done.exit_s))
            live[row_id].append(Measurement(
                live_s=pull.live_s + pull.background_s + done.live_s,
                background_s=done.background_s, peak_mb=max(pull.peak_mb, done.peak_mb),
                exit_s=pull.exit_s + done.exit_s))
    sizes = [p.stat().st_size for p in (b.www / "pagefind").rglob("*") if p.is_file()]
    b.run.results["search_index"] = {
        "posts": n, "pages": sum(counts.values()), "languages": counts, "files": len(sizes),
        "bytes": sum(sizes), "bytes_per_10000_posts": round(sum(sizes) * TARGET_POSTS / n),
        "largest_file_bytes": max(sizes)}
    b.run.row("publish-first", "pressroom publish, a fresh publishing clone's first (full)", n,
              "posts", first, cold=True, compare=True,
              how="fresh clone, no site, caches cleared, OS page cache dropped; time to switch")
    b.run.row("push", "git push of a signed merge (the server hook verifies it)", n, "posts",
              pushes, cold=False, how="the incident commander's push to the central repository")
    how = "end of the push to the site's switch: git pull --ff-only, pressroom publish"
    _judged(b.run, n, TARGET_POSTS, "publish-alert",
            "approved new alert live, banner on every page", n, "posts", live["publish-alert"],
            cold=False, compare=True, how=how, target="≤ 5 s", judge=lambda t, m, base: t <= 5)
    _judged(b.run, n, TARGET_POSTS, "publish-update",
            "approved incident update live (page, banner, feeds, CAP)", n, "posts",
            live["publish-update"], cold=False, compare=True, how=how, target="≤ 3 s",
            judge=lambda t, m, base: t <= 3)
    b.run.row("search-current", "… then search current: the index of the new release "
              "switched in", n, "posts", searched, cold=False,
              how="from the site's switch to the end of the same publish, which indexes the "
                  "live release with Pagefind and switches its index in; both rows above, "
                  "each repetition")


def report(run: Run) -> None:
    print(f"\n{'measure':<62}{'median':>9}{'min':>8}{'max':>8}{'bg':>7}{'peak MB':>9}"
          f"{'x matched':>10}")
    for row in run.results["rows"]:
        t = row["time_s"]
        ratio = f"{row['ratio_matched']:.2f}x" if "ratio_matched" in row else ""
        print(f"{row['measure'][:61]:<62}{t['median']:>8.2f}s{t['min']:>7.2f}s{t['max']:>7.2f}s"
              f"{row['background_s']['median']:>6.2f}s{row['peak_mb']['median']:>9.0f}"
              f"{ratio:>10}  {'' if 'met' not in row else 'met' if row['met'] else 'MISSED'}")
    if not run.results["os_caches_dropped"]:
        print("note: the OS page cache was NOT dropped before the cold rows")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Example: .venv/bin/python scripts/bench.py --posts 300 --merges 40 "
               "--repeat 1 --results /tmp/x.json")
    parser.add_argument("--posts", type=int, default=TARGET_POSTS,
                        help=f"posts in the generated department (default {TARGET_POSTS:,})")
    parser.add_argument("--merges", type=int, default=TARGET_MERGES,
                        help=f"signed merges in the verified history (default {TARGET_MERGES:,})")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each row")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="the results file this run writes (default docs/bench-results.json)")
    parser.add_argument("--keep-os-caches", action="store_true",
                        help="do not drop the OS page cache before cold rows (recorded as such)")
    parser.add_argument("--bin", type=Path, default=Path(sys.executable).parent,
                        help="the folder of the pressroom, pelican and pre-commit to measure")
    args = parser.parse_args(argv)
    if args.posts < 50 or args.merges < 1 or args.repeat < 1:
        parser.error("--posts must be at least 50, --merges and --repeat at least 1")
    run = Run(sys.argv[1:] if argv is None else argv)
    run.results["baselines"] = {
        STOCK: "stock Pelican: its default settings and theme (notmyidea), the same content/",
        MATCHED: "matched Pelican: stock Pelican with MATCHED_SETTINGS of scripts/bench.py — "
                 "pressroom's URLs, home-page pagination of 10, category, tag and year pages, "
                 "no author pages, site-wide and per-category RSS and Atom feeds of at most 50 "
                 "items, the stock 'simple' theme; the ratios are against it",
    }
    run.results["notes"] = [
        "Search is on for the publish rows: every publish indexes the live release after its "
        "switch (Pagefind, pressroom.publishing.search_index); their time ends at the switch, "
        "their background and memory include the indexing. The build rows run `pressroom "
        "build --no-search`, as Pelican makes no index.",
        "Pelican writes no incident pages and no CAP files: pressroom's builds write both, "
        "the matched baseline neither.",
        "Memory: the peak of the summed PSS of every process of the command's session, "
        f"sampled every {INTERVAL * 1000:.0f} ms; the publish rows' time ends when the site's "
        "link changed (sampled as often).",
        "A fresh publishing clone's first publish is measured once per run (its row says 1 "
        "run); every other row is repeated as the command line says.",
    ]
    try:
        with tempfile.TemporaryDirectory(prefix="pressroom-bench-") as folder:
            b = Bench(args, Path(folder), run)
            print(f"generating {args.posts:,} posts …", flush=True)
            posts = dept.make_department(b.repo, b.keys, args.posts,
                                         (PROJECT / ".pre-commit-config.yaml").read_text())
            for name, step in (("builds", lambda: builds(b, posts)),
                               ("checks", lambda: checks(b, posts)),
                               ("verify", lambda: verifies(b)),
                               ("publish", lambda: publishes(b, posts))):
                print(f"{name} …", flush=True)
                step()
    except BenchFailure as failure:
        print(f"bench: FAILED, nothing written: {failure}", file=sys.stderr)
        return 1
    run.finish()
    report(run)
    run.write(args.results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
