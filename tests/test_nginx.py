"""The published site behind a real nginx (Debian's), configured by ``pressroom nginx-config``.

nginx runs on 127.0.0.1 on a free port, with its pid file, logs and temporary files in the
test's folder, and serves exactly the site file a department would install (the command's
output, included in a minimal ``http`` block). Every file of a real site must come back as
it is on disk with the headers ``pressroom.publishing.headers`` gives it; then readers keep
reading while real publishes (signed merges, ``pressroom publish``) switch the release link,
and every answer must be complete and belong to exactly one release.

The load runs ``LOAD_PUBLISHES`` publishes by default (a few seconds);
``PRESSROOM_LOAD_LONG=1`` runs 20 (``make load``). Without nginx the tests skip on a
developer machine and fail in CI (``.ci/run`` installs it).
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from conftest import NOW, PROJECT, copy_sample, require_tool
from gitdept import Department

from pressroom.build.run import build_site
from pressroom.cli import cli
from pressroom.publishing import headers, search_index
from pressroom.publishing.nginx import CONTENT_SECURITY_POLICY

LA = ZoneInfo("America/Los_Angeles")
READERS = 20
LOAD_PUBLISHES = 3
LONG_PUBLISHES = 20
SERVER_NAME = "pd.example.gov"
FINGERPRINTED_CSS = r"/theme/css/site\.[0-9a-f]{12}\.css"


def _nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    require_tool(found is not None, "nginx (apt-get install nginx)")
    assert found is not None
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_file(target: Path, listen: str) -> str:
    """What the department installs: the command's own output."""
    result = CliRunner().invoke(cli, ["nginx-config", "--target", str(target),
                                      "--server-name", SERVER_NAME, "--listen", listen])
    assert result.exit_code == 0, result.output
    return result.output


class Nginx:
    """nginx serving ``target`` on 127.0.0.1, everything it writes under ``folder``."""

    def __init__(self, folder: Path, target: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        folder.mkdir(parents=True)
        (folder / "temp").mkdir()
        (folder / "site.conf").write_text(site_file(target, f"127.0.0.1:{self.port}"))
        temp = folder / "temp"
        # Workers read pytest's private temporary folders: as root, they must stay root.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            f"{user}worker_processes 2;\npid {folder}/nginx.pid;\n"
            f"error_log {folder}/error.log;\nevents {{ worker_connections 512; }}\n"
            f"http {{\n  access_log off;\n"
            + "".join(f"  {kind}_temp_path {temp};\n"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            + f"  include {folder}/site.conf;\n}}\n")
        self.process = subprocess.Popen(
            [_nginx(), "-p", str(folder), "-e", str(folder / "error.log"),
             "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    log = (folder / "error.log").read_text(errors="replace") \
                        if (folder / "error.log").exists() else ""
                    pytest.fail(f"nginx did not start: {log}")
                time.sleep(0.05)

    def get(self, path: str, connection: http.client.HTTPConnection | None = None
            ) -> tuple[int, dict[str, str], bytes]:
        own = connection is None
        connection = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers={"Host": SERVER_NAME})
            response = connection.getresponse()
            body = response.read()
            found = {name.lower(): value for name, value in response.getheaders()}
            return response.status, found, body
        finally:
            if own:
                connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def nginx_for(tmp_path) -> Iterator:
    started: list[Nginx] = []

    def start(target: Path) -> Nginx:
        server = Nginx(tmp_path / f"nginx{len(started)}", target)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


# --- every file of a real site, with the one header policy -----------------------------


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> Path:
    """The sample department built into a release link, as publish leaves /var/www/pd."""
    root = tmp_path_factory.mktemp("nginx-sample")
    sample = root / "sample"
    copy_sample(sample)
    target = root / "www" / "pd"
    target.parent.mkdir()
    # While the sample's Elm Street alert is active: incident pages, CAP files, the banner.
    assert build_site(sample, target, now=datetime(2026, 11, 24, 17, 0, tzinfo=LA)).ok
    assert search_index.follow(target).ok  # the search index, as publish makes it next
    assert target.is_symlink()
    return target


def test_every_file_is_served_with_the_headers_of_the_one_policy(sample_site, nginx_for):
    server = nginx_for(sample_site)
    files = site_files(sample_site)
    assert any(rel.startswith("cap/") for rel in files) and "index.html" in files
    for rel, data in files.items():
        for url in headers.url_paths(rel):  # news/index.html also as /news/
            status, found, body = server.get(url)
            assert status == 200, url
            assert body == data, url
            assert found["content-type"] == headers.content_type(rel), url
            assert found["cache-control"] == headers.cache_control(rel), url
            assert found["x-content-type-options"] == "nosniff"
            assert found["content-security-policy"] == CONTENT_SECURITY_POLICY
            assert found["referrer-policy"] == "strict-origin-when-cross-origin"


def test_the_stylesheet_is_fingerprinted_and_cached_a_year(sample_site, nginx_for):
    server = nginx_for(sample_site)
    _, _, page = server.get("/")
    linked = re.search(FINGERPRINTED_CSS, page.decode())
    assert linked, "the home page does not link a fingerprinted stylesheet"
    status, found, body = server.get(linked.group(0))
    assert status == 200 and found["cache-control"] == headers.IMMUTABLE
    assert found["content-type"] == "text/css; charset=utf-8"
    assert body == (sample_site / linked.group(0).lstrip("/")).read_bytes()


def test_folders_redirect_list_nothing_and_missing_files_are_404(sample_site, nginx_for):
    server = nginx_for(sample_site)
    status, found, _ = server.get("/contact")
    assert status == 301 and found["location"] == "/contact/"  # relative: any host or port
    status, _, body = server.get("/theme/")  # a folder without index.html: no listing
    assert status in (403, 404) and b"site." not in body
    status, found, _ = server.get("/no-such-page/")
    assert status == 404 and found["x-content-type-options"] == "nosniff"
    assert "nginx/" not in found.get("server", "")  # no version told


def test_types_and_lifetimes_of_every_kind_of_name(tmp_path, nginx_for):
    """Names the sample site may lack: every extension headers.py knows, feeds, CAP files,
    upper case, no extension, fingerprinted and look-alike names."""
    names = [f"files/a.{ext}" for ext in headers.TYPES] + [
        "files/UPPER.HTML", "files/no-extension", "files/x.unknown", "feeds/all.atom.xml",
        "feeds/traffic.rss.xml", "cap/2026-1124-elm.xml", "cap/index.xml", "cap/a.json",
        "theme/css/site.0123456789abcdef.css", "theme/x.0123456.css", "img/a.deadbeef.png",
        "theme/css/site.0123456789ABCDEF.css", "a.b.c/readme.txt", "404.html",
        "theme/css/site.css"]
    release = tmp_path / "release"
    for name in names:
        (release / name).parent.mkdir(parents=True, exist_ok=True)
        (release / name).write_bytes(name.encode())
    link = tmp_path / "live"
    link.symlink_to(release)
    server = nginx_for(link)
    for name in names:
        status, found, body = server.get(f"/{name}")
        assert status == 200 and body == name.encode(), name
        assert found["content-type"] == headers.content_type(name), name
        assert found["cache-control"] == headers.cache_control(name), name
    # A page of the last release links its stylesheet's old name: the current one, for an hour.
    status, found, body = server.get("/theme/css/site.fedcba9876543210.css")
    assert status == 200 and body == b"theme/css/site.css"
    assert found["cache-control"] == headers.MEDIUM
    assert found["content-type"] == "text/css; charset=utf-8"
    assert server.get("/theme/css/gone.fedcba9876543210.css")[0] == 404
    status, found, body = server.get("/missing/page/")  # the site's own 404 page
    assert status == 404 and body == b"404.html"
    assert found["content-type"] == "text/html; charset=utf-8"


# --- the pages work under the Content-Security-Policy ----------------------------------


@pytest.mark.browser
def test_every_page_works_under_the_content_security_policy(sample_site, nginx_for):
    """Every HTML file of the sample site (home, posts, archives, categories, tags, pages,
    incident pages, the 404 page, removed-post pages) loads under nginx's CSP with no
    violation and no failed request, its fingerprinted stylesheet applied; so does a feed,
    turned into a page by its XSLT (issue #14) with the site's stylesheets."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    require_tool(chromium is not None, "Debian's chromium")
    from playwright.sync_api import sync_playwright

    files = sorted(p.relative_to(sample_site).as_posix() for p in sample_site.rglob("*")
                   if p.suffix == ".html" and p.is_file())
    assert len(files) > 10 and "incidents/2026-1124-elm/index.html" in files
    server = nginx_for(sample_site)
    base = f"http://127.0.0.1:{server.port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.add_init_script(
                "window.__csp = []; document.addEventListener('securitypolicyviolation',"
                " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
            failed: list[str] = []
            violations: list[str] = []
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.on("console", lambda message: violations.append(message.text)
                    if "Content Security Policy" in message.text else None)
            for name in files:
                response = page.goto(f"{base}/{name}")
                assert response is not None and response.status == 200, name
                assert page.evaluate("window.__csp") == [], name
                rules = page.evaluate(
                    "[...document.styleSheets].map(s => [s.href, s.cssRules.length])")
                assert len(rules) == 2 and rules[0][1] > 0, (name, rules)  # styled
                assert "/theme/css/site." in rules[0][0], name
                assert "/theme/css/brand." in rules[1][0] and rules[1][1] > 0, name
            assert failed == [] and violations == [], (failed, violations)
            for feed in ("feeds/all.atom.xml", "feeds/traffic.rss.xml"):
                response = page.goto(f"{base}/{feed}")
                assert response is not None and response.status == 200, feed
                assert page.locator("h1").count() == 1, feed  # the XSLT made a page
                assert page.locator("li.post-card a").count() > 0, feed
                rules = page.evaluate(
                    "[...document.styleSheets].map(s => [s.href, s.cssRules.length])")
                assert [href.rsplit("/", 1)[-1] for href, _ in rules] == [
                    "site.css", "brand.css", "feed.css"] and all(n > 0 for _, n in rules), feed
                # Chromium's own "XSLT is being removed" bar is the only element with an
                # inline style or handler (CSP blocks them); the feed's page has none.
                inline = page.evaluate(
                    "[...document.querySelectorAll('[style], [onclick], [onchange]')]"
                    ".filter(e => !e.closest('xslt-warning-banner')).length")
                assert inline == 0, feed
            violations[:] = [text for text in violations if not text.startswith((
                "Applying inline style", "Executing inline event handler"))]
            # The feed's own document loads both stylesheets its instructions name; the page
            # the XSLT made replaces it, and Chromium may cancel the load still under way.
            failed[:] = [url for url in failed if not url.endswith(("/theme/feed.xsl",
                                                                     "/theme/feed.css"))]
            assert failed == [] and violations == [], (failed, violations)
        finally:
            browser.close()


# --- readers during publishes ----------------------------------------------------------


def _publishes() -> int:
    return LONG_PUBLISHES if os.environ.get("PRESSROOM_LOAD_LONG") == "1" else LOAD_PUBLISHES


def _publish(dept: Department, target: Path) -> None:
    """``pressroom publish`` as the department's timer runs it: its own process."""
    result = subprocess.run(
        [sys.executable, "-m", "pressroom", "publish", "--repo", str(dept.root),
         "--target", str(target), "--now", NOW.isoformat(), "--keep-releases", "100", "-q"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(PROJECT)})
    assert result.returncode == 0, result.stdout + result.stderr


def _approved_post(dept: Department, number: int) -> None:
    """A new post on its own branch, merged into main by a supervisor's signed merge."""
    name = f"update-{number:02d}"
    dept.post_branch(name, title=f"Traffic update number {number}",
                     date=f"2026-11-{1 + number:02d} 09:00")
    dept.merge_as("sup1", f"post/{name}")


PAGES = ["/", "/feeds/all.atom.xml", "/category/traffic/", "/archives/", "/contact/"]


def test_readers_during_publishes_get_every_page_whole_from_one_release(
        tmp_path, keys_dir, nginx_for):
    dept = Department(tmp_path / "dept", keys_dir)
    _approved_post(dept, 0)
    target = tmp_path / "www" / "pd"
    target.parent.mkdir()
    _publish(dept, target)
    server = nginx_for(target)
    _, _, page = server.get("/")
    css = re.search(FINGERPRINTED_CSS, page.decode())
    assert css
    pages = [*PAGES, css.group(0)]

    seen: dict[str, set[bytes]] = defaultdict(set)
    errors: list[str] = []
    reads = [0] * READERS
    done = threading.Event()
    lock = threading.Lock()

    def reader(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            while not done.is_set():
                for path in pages:
                    try:
                        status, found, body = server.get(path, connection)
                    except (OSError, http.client.HTTPException) as exc:
                        errors.append(f"{path}: {exc!r}")
                        connection.close()
                        connection = http.client.HTTPConnection(
                            "127.0.0.1", server.port, timeout=10)
                        continue
                    if status != 200 or int(found["content-length"]) != len(body):
                        errors.append(f"{path}: {status}, {len(body)} bytes")
                    with lock:
                        seen[path].add(body)
                    reads[index] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(READERS)]
    for thread in threads:
        thread.start()
    try:
        for number in range(1, _publishes() + 1):
            _approved_post(dept, number)
            _publish(dept, target)
        time.sleep(0.2)  # the last release is read too
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == [], errors[:5]
    assert all(reads), "a reader never got an answer"

    folder = target.resolve().parent
    releases = {path.name: site_files(path) for path in folder.iterdir()
                if path.is_dir() and not path.name.startswith(".")}
    assert len(releases) == _publishes() + 1, sorted(releases)
    changing = set()  # pages whose bytes differ in every release: each answer is one's
    for path in pages:
        rel = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
        versions = [files[rel] for files in releases.values()]
        if len(set(versions)) == len(versions):
            changing.add(path)
        for body in seen[path]:
            owners = [name for name, files in releases.items() if files.get(rel) == body]
            assert owners, f"{path}: an answer that is no release's file"
            assert path not in changing or len(owners) == 1, (path, owners)
    assert {"/", "/feeds/all.atom.xml"} <= changing, "each publish must change these"
    assert len(seen["/"]) >= 2, "the readers never saw a switch"


# --- the command -------------------------------------------------------------------------


@pytest.mark.parametrize("args, named", [
    (["--target", "var/www/pd"], "--target"),
    (["--target", "/var/www/pd; include /etc/passwd"], "--target"),
    (["--target", "/var/www/../etc"], "--target"),
    (["--server-name", "pd.example.gov;"], "--server-name"),
    (["--server-name", "pd..example.gov"], "--server-name"),
    (["--listen", "80 default_server"], "--listen"),
    (["--listen", "70000"], "--listen"),
])
def test_a_value_that_would_change_the_file_is_refused_in_one_line(args, named):
    """Each value lands in a directive: a space, ';' or brace would start another one."""
    values = {"--target": "/var/www/pd", "--server-name": SERVER_NAME, "--listen": "80"}
    values[args[0]] = args[1]
    result = CliRunner().invoke(cli, ["nginx-config", *(x for kv in values.items() for x in kv)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and named in result.output


def test_the_file_names_the_target_host_and_port_and_leaves_no_placeholder():
    text = site_file(Path("/var/www/pd"), "8080")
    assert "root /var/www/pd;" in text and "server_name pd.example.gov;" in text
    assert "listen 8080;" in text and not re.search(r"@[A-Z_]+@", text)
    assert "open_file_cache off;" in text and "autoindex off;" in text
