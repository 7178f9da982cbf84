"""The department the benchmark works on, and the checks that a measured command did its job.

``make_department`` writes a generated department (scripts/gen_department.py: fixed seed,
all eight categories, incidents with updates, images) as a git repository whose root commit
the chief signed, with real SSH keys in the roster; ``make_central`` makes the bare central
repository with pressroom's server hook (``pressroom install-hooks``) and a publishing clone
of it, as a department runs them. ``approve`` is the approval loop: the PIO commits on a
branch, the incident commander merges it, both signed with ssh-keygen.

The ``site_has_*`` checks read the output after a measured command: a build that exits 0
without the new post, a banner missing from one page, an update without its CAP file, all
make the benchmark fail (``BenchFailure``) instead of giving a figure.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

from bench_measure import BenchFailure
from gen_department import ROSTER, generate

END = datetime(2026, 11, 1, 9, 0)  # the newest generated post
NOW = END + timedelta(minutes=45)
NOW_TEXT = f"{NOW:%Y-%m-%dT%H:%M}-08:00"  # PST on 1 Nov
EMAILS = {"chief1": "etorres@pd.example", "pio1": "pio1@pd.example", "ic1": "mhale@pd.example"}
BANNER = re.compile(r"<!-- pressroom:banner -->(.*?)<!-- /pressroom:banner -->", re.S)


def run(command: list[str], cwd: Path | None = None) -> None:
    """A setup step (git, ssh-keygen): it must succeed; its time is no figure."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchFailure(f"setup failed: {' '.join(command)}\n{result.stdout[-2000:]}"
                           f"{result.stderr[-2000:]}")


def git(repo: Path, *args: str) -> None:
    run(["git", *args], cwd=repo)


def act_as(repo: Path, keys: Path, member: str) -> None:
    """This clone signs as ``member`` from now on (what `pressroom setup-signing` does)."""
    git(repo, "config", "user.name", member)
    git(repo, "config", "user.email", EMAILS[member])
    git(repo, "config", "user.signingkey", str(keys / member))


def make_department(repo: Path, keys: Path, posts: int, hook_config: str) -> list[Path]:
    """The generated department as the chief's signed root commit; returns its posts.

    ``hook_config``: the project's .pre-commit-config.yaml, committed with the content so
    ``pre-commit run`` works in it as in a department's clone.
    """
    written = generate(repo, posts, end=END, incidents=max(1, posts // 50))
    keys.mkdir()
    roster = ROSTER.format(trained="2026-06-01")
    for member in EMAILS:
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", member, "-f", str(keys / member)])
        public = (keys / f"{member}.pub").read_text().strip()
        roster = roster.replace(f"[members.{member}]\n",
                                f'[members.{member}]\nsigning_key = "{public}"\n', 1)
    (repo / "policy" / "roster.toml").write_text(roster)
    (repo / ".pre-commit-config.yaml").write_text(hook_config)
    git(repo, "init", "-q", "-b", "main")
    (repo / ".git" / "info" / "exclude").write_text(".venv\n")
    git(repo, "config", "gpg.format", "ssh")
    git(repo, "config", "commit.gpgsign", "true")
    act_as(repo, keys, "chief1")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-S", "-m", "Adopt pressroom with the department's archive")
    return written


def make_central(repo: Path, central: Path, publisher: Path, pressroom: Path) -> None:
    """The bare central repository with the server hook, and the publishing clone."""
    run(["git", "clone", "-q", "--bare", str(repo), str(central)])
    run([str(pressroom), "install-hooks", "--bare", str(central)])
    git(repo, "remote", "add", "origin", str(central))
    git(repo, "fetch", "-q", "origin")
    git(repo, "branch", "-q", "--set-upstream-to=origin/main", "main")
    run(["git", "clone", "-q", str(central), str(publisher)])


def approve(repo: Path, keys: Path, slug: str, text: str) -> None:
    """The PIO writes on a branch; the incident commander merges it, signed (not pushed)."""
    git(repo, "checkout", "-q", "-b", f"post/{slug}")
    act_as(repo, keys, "pio1")
    (repo / "content" / "2026" / f"{slug}.md").write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-S", "-m", slug)
    git(repo, "checkout", "-q", "main")
    act_as(repo, keys, "ic1")
    git(repo, "merge", "-q", "--no-ff", "-S", "-m", f"Approve post/{slug}", f"post/{slug}")


def post_text(title: str, minute: int, incident: str = "") -> str:
    """A new announcement, or (``incident``) a safety alert of that incident."""
    when = END + timedelta(minutes=minute)
    head = f"Title: {title}\nDate: {when:%Y-%m-%d %H:%M}\nAuthor: pio1\n"
    if not incident:
        return head + ("Category: announcements\nSummary: The front counter opens early.\n\n"
                       "The front counter opens at 7 a.m. from Monday.\n")
    return (head + "Category: safety-alerts\nSummary: Crews are at the scene; avoid the area.\n"
            f"Expires: {END + timedelta(hours=8):%Y-%m-%d %H:%M}\nArea: Grand Avenue\n"
            f"Incident: {incident}\nResponse: Avoid\n\n"
            "Crews are at the scene. Use Foothill Boulevard instead.\n")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise BenchFailure(f"expected in the output, missing: {path} ({error})") from error


def public_pages(posts: list[Path], now: datetime = NOW) -> list[str]:
    """``YEAR/SLUG`` of every generated post dated at or before ``now`` (the public ones)."""
    pages = []
    for path in posts:
        head = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
        fields = dict(line.split(": ", 1) for line in head.splitlines())
        if datetime.strptime(fields["Date"], "%Y-%m-%d %H:%M") <= now:
            pages.append(f"{fields['Date'][:4]}/{fields['Slug']}")
    return pages


def site_has_pages(site: Path, pages: list[str], pattern: str) -> None:
    """Every page ``pattern`` names (``{page}``, ``{slug}``) is in the output."""
    missing = [page for page in pages
               if not (site / pattern.format(page=page, slug=page.split("/")[1])).is_file()]
    if missing:
        raise BenchFailure(f"{site}: {len(missing)} of {len(pages)} post pages missing "
                           f"(first: {missing[0]})")


def site_has_post(site: Path, slug: str) -> None:
    """The new post's page, linked from the home page."""
    _read(site / "2026" / slug / "index.html")
    if f"2026/{slug}/" not in _read(site / "index.html"):
        raise BenchFailure(f"{site}: the home page does not link the new post {slug}")


def site_has_banner(site: Path, title: str) -> None:
    """The alert's title in the banner of every page of the site."""
    escaped = html.escape(title, quote=False)
    pages = 0
    for page in site.rglob("*.html"):
        found = BANNER.search(_read(page))
        if found is None or escaped not in found.group(1):
            raise BenchFailure(f"{page}: no banner naming the new alert {title!r}")
        pages += 1
    if not pages:
        raise BenchFailure(f"{site}: no pages")


def site_has_update(site: Path, incident: str, slug: str) -> None:
    """The update on its incident's page, in the site's and the category's feeds, as CAP."""
    if slug not in _read(site / "incidents" / incident / "index.html"):
        raise BenchFailure(f"{site}: the incident page of {incident} does not show {slug}")
    _read(site / "cap" / f"{slug}.xml")
    for feed in ("all.atom.xml", "all.rss.xml", "safety-alerts.atom.xml",
                 "safety-alerts.rss.xml"):
        if slug not in _read(site / "feeds" / feed):
            raise BenchFailure(f"{site}: feeds/{feed} does not list {slug}")


def site_search_current(site: Path, slug: str) -> dict[str, int]:
    """The live release's search index was made after its switch and has the new post's page
    (Pagefind's index files are binary: the post is found by its fragment's words).
    Returns pages per language."""
    entry = site / "pagefind" / "pagefind-entry.json"
    try:
        languages = json.loads(entry.read_text(encoding="utf-8"))["languages"]
    except (OSError, ValueError, KeyError) as exc:
        raise BenchFailure(f"{site}: no search index ({exc})") from exc
    if os.lstat(entry).st_mtime < os.lstat(site).st_mtime:
        raise BenchFailure(f"{entry}: older than the switch: the index did not follow")
    counts = {code: int(lang["page_count"]) for code, lang in languages.items()}
    if not sum(counts.values()):
        raise BenchFailure(f"{entry}: an empty index")
    if not any(f"/{slug}/".encode() in gzip.decompress(path.read_bytes())
               for path in (site / "pagefind" / "fragment").iterdir()):
        raise BenchFailure(f"{site}: the search index has no page of {slug}")
    return counts

