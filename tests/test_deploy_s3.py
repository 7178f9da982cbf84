"""`pressroom deploy`: real published releases to a real S3 server (moto's, over HTTP).

boto3 is the real client and every request goes over a socket to moto's server, started
here on a free port of 127.0.0.1. Three releases are published once for the module
(a first post; a second post added; the first post removed) and each test makes one of
them live with `pressroom rollback --to` before deploying it to a bucket of its own.
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import PROJECT
from gitdept import Department

from pressroom.cli import cli
from pressroom.deploy.run import GRACE, Target, deploy, rollback
from pressroom.deploy.store import POINTER, StoreError
from pressroom.model.violations import InputError
from pressroom.publishing import releases
from pressroom.publishing.headers import IMMUTABLE, SHORT, cache_control, content_type, url_paths

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server: one line a request
SITE_URL = "https://police.example"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}


@pytest.fixture(autouse=True)
def _credentials(monkeypatch):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")


def start_server() -> tuple[moto_server.ThreadedMotoServer, str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


@pytest.fixture(scope="module")
def endpoint():
    server, url = start_server()
    yield url
    server.stop()


def client(url: str):
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


_BUCKETS = iter(range(1000))


@pytest.fixture
def bucket(endpoint, monkeypatch) -> Target:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    name = f"pd-site-{next(_BUCKETS)}"
    client(endpoint).create_bucket(Bucket=name)
    return Target(name, "www/", endpoint, "us-east-1")


class Published:
    """One department, three releases published to one folder: ids in order."""

    def __init__(self, dept: Department, site: Path, ids: list[str]) -> None:
        self.dept, self.site, self.ids = dept, site, ids

    def live(self, index: int) -> str:
        """Make release ``index`` (0, 1, 2) the live one, as `pressroom rollback` does."""
        releases.rollback(self.site, self.ids[index])
        return self.ids[index]

    def files(self, index: int) -> dict[str, bytes]:
        folder = releases.releases_folder(self.site) / self.ids[index]
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}


def _publish(dept: Department, site: Path) -> str:
    result = CliRunner().invoke(cli, ["publish", "--repo", str(dept.root), "--target",
                                      str(site), "--now", "2026-12-01T12:00-08:00", "-q"])
    assert result.exit_code == 0, result.output
    live = releases.live_release(site)
    assert live is not None
    return live.id


@pytest.fixture(scope="module")
def published(tmp_path_factory, keys_dir) -> Published:
    root = tmp_path_factory.mktemp("deploy")
    dept = Department(root / "dept", keys_dir)
    site = root / "www" / "pd"
    site.parent.mkdir()
    dept.branch("settings")
    dept.commit_as("pio1", "Deploy settings", {"policy/site.toml": (
        '[site]\nurl = "https://police.example"\n\n[deploy]\nbucket = "pd-from-config"\n'
        f'prefix = "www/"\nsite = "{site}"\n')})
    dept.merge_as("chief1", "settings")
    dept.post_branch("closure", title="Road closure on Elm Street")
    dept.merge_as("sup1", "post/closure")
    ids = [_publish(dept, site)]
    dept.post_branch("parade", title="Holiday parade route", date="2026-11-21 10:00")
    dept.merge_as("sup1", "post/parade")
    ids.append(_publish(dept, site))
    dept.branch("remove-closure")
    dept.git("rm", "-q", "content/2026/closure.md")
    dept.commit_as("pio1", "Remove the closure post")
    dept.merge_as("sup1", "remove-closure")
    ids.append(_publish(dept, site))
    return Published(dept, site, ids)


def served(target: Target, state: bool = False) -> dict[str, bytes]:
    """Every public object under the prefix (with ``state``, pressroom's own too)."""
    s3 = client(target.endpoint_url)
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=target.bucket,
                                                             Prefix=target.prefix):
        for item in page.get("Contents", []):
            path = item["Key"][len(target.prefix):]
            if state or not path.startswith(".pressroom/"):
                found[path] = s3.get_object(Bucket=target.bucket, Key=item["Key"])["Body"].read()
    return found


def served_state(target: Target) -> list[str]:
    """The keys of pressroom's state in the bucket (pointer, releases, object store)."""
    s3 = client(target.endpoint_url)
    return sorted(item["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=target.bucket, Prefix=f"{target.prefix}.pressroom/")
        for item in page.get("Contents", []))


def pointer(target: Target) -> dict:
    body = client(target.endpoint_url).get_object(Bucket=target.bucket,
                                                  Key=f"{target.prefix}{POINTER}")["Body"]
    return json.loads(body.read())


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["deploy", *args], env=env)


def cli_args(published: Published, target: Target, *more: str) -> list[str]:
    return ["--repo", str(published.dept.root), "--bucket", target.bucket, "--endpoint-url",
            target.endpoint_url or "", "--region", "us-east-1", *more]


# --- deploys -----------------------------------------------------------------------------

def test_first_deploy_uploads_every_file_with_its_headers_then_nothing_again(published,
                                                                             bucket):
    published.live(0)
    first = run(*cli_args(published, bucket, "--json"))
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    files = published.files(0)
    assert served(bucket) == files
    assert report["release"] == published.ids[0] and report["previous"] is None
    assert report["uploaded"] == len({hashlib.sha256(b).hexdigest() for b in files.values()})
    assert "/" in report["paths"] and f"{SITE_URL}/" in report["urls"]
    assert pointer(bucket)["release"] == published.ids[0]
    s3 = client(bucket.endpoint_url)
    for path in files:
        head = s3.head_object(Bucket=bucket.bucket, Key=f"www/{path}")
        assert (head["ContentType"], head["CacheControl"]) == (content_type(path),
                                                               cache_control(path)), path
    home = s3.head_object(Bucket=bucket.bucket, Key="www/index.html")
    assert home["ContentType"] == "text/html; charset=utf-8" and home["CacheControl"] == SHORT
    assert any(p.endswith(".atom.xml") for p in files)
    assert IMMUTABLE not in {cache_control(p) for p in files if p.endswith(".html")}

    # The same release again sends nothing: a file changed behind pressroom's back stays
    # as it is, and the object store holds no more objects than before.
    s3.put_object(Bucket=bucket.bucket, Key="www/contact/index.html", Body=b"sentinel")
    blobs = served_state(bucket)
    again = run(*cli_args(published, bucket, "--json"))
    assert again.exit_code == 0, again.output
    repeat = json.loads(again.stdout)
    assert (repeat["uploaded"], repeat["written"], repeat["paths"]) == (0, [], [])
    assert served(bucket)["contact/index.html"] == b"sentinel"
    assert served_state(bucket) == blobs


def test_a_new_post_sends_only_what_changed_and_lists_its_urls(published, bucket):
    published.live(0)
    deploy(bucket, published.site)
    published.live(1)
    before, after = published.files(0), published.files(1)
    changed = sorted(p for p in after if before.get(p) != after[p])
    result = run(*cli_args(published, bucket, "--site", str(published.site)))
    assert result.exit_code == 0, result.output
    assert f"Serving release {published.ids[1]}" in result.stdout
    assert "/2026/parade/" in result.stdout.split("for the CDN:")[1].split()
    report = json.loads(run(*cli_args(published, bucket, "--dry-run", "--json")).stdout)
    assert report["written"] == [] and report["uploaded"] == 0
    assert served(bucket) == after
    rewritten = pointer(bucket)
    assert rewritten["release"] == published.ids[1]
    assert sorted(rewritten["files"]) == sorted(after)
    assert 0 < len(changed) < len(after)


def test_only_changed_objects_are_written(published, bucket):
    published.live(0)
    deploy(bucket, published.site)
    published.live(1)
    before, after = published.files(0), published.files(1)
    unchanged = sorted(p for p in after if before.get(p) == after[p])
    s3 = client(bucket.endpoint_url)
    for path in unchanged:  # marked behind pressroom's back: a rewrite would undo the mark
        s3.put_object(Bucket=bucket.bucket, Key=f"www/{path}", Body=b"mark " + path.encode())
    done = deploy(bucket, published.site)
    now = served(bucket)
    assert [p for p in unchanged if now[p] != b"mark " + p.encode()] == []
    assert {p: now[p] for p in done.plan.writes} == {p: after[p] for p in done.plan.writes}
    assert sorted(done.plan.writes) == sorted(p for p in after if before.get(p) != after[p])
    assert done.uploaded == len({hashlib.sha256(after[p]).hexdigest()
                                 for p in done.plan.writes} - {
        hashlib.sha256(b).hexdigest() for b in before.values()})
    assert "/2026/parade/" in done.changed_urls and "/" in done.changed_urls


def test_rollback_restores_the_previous_bytes_and_lists_the_urls(published, bucket):
    published.live(0)
    deploy(bucket, published.site)
    published.live(1)
    forward = deploy(bucket, published.site)
    result = run(*cli_args(published, bucket, "--rollback", "--json"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["release"], report["previous"]) == (published.ids[0], published.ids[1])
    assert report["uploaded"] == 0
    old, new = published.files(0), published.files(1)
    assert served(bucket) == {**old, **{p: new[p] for p in report["pending_deletion"]}}
    assert set(report["written"]) == {p for p in old if new.get(p) != old[p]}
    assert report["paths"] == [url for p in report["written"] for url in url_paths(p)]
    assert set(report["paths"]) < set(forward.changed_urls)
    assert pointer(bucket)["release"] == published.ids[0]
    assert "2026/parade/index.html" in pointer(bucket)["pending_deletion"]


def test_a_removed_page_is_deleted_only_after_the_grace_period(published, bucket):
    published.live(1)
    deploy(bucket, published.site)
    published.live(2)
    kept = deploy(bucket, published.site)  # default grace: CDNs may still hold pages
    assert "2026/closure/index.html" in kept.plan.pending
    assert "2026/closure/index.html" in served(bucket)
    assert not any(url.startswith("/2026/closure/") for url in kept.changed_urls)
    later = deploy(bucket, published.site, grace=0)  # a later deploy, past the grace
    assert later.plan.deletions and "2026/closure/index.html" in later.plan.deletions
    assert "/2026/closure/" in later.changed_urls
    assert served(bucket) == published.files(2)
    assert pointer(bucket)["pending_deletion"] == {}
    assert GRACE == 60


# --- a reader during a deploy, and a deploy cut off ---------------------------------------

LINK = re.compile(r'(?:href|src)="([^"#?]+)')
_BODIES: dict[tuple[str, str], bytes] = {}


def broken_links(target: Target, pages: set[str]) -> list[str]:
    """Pages (those given, and every page reachable from the home page) whose same-site
    links name an object that is not in the bucket, read over HTTP as a reader would."""
    s3 = client(target.endpoint_url)
    present = {item["Key"][len(target.prefix):]: item["ETag"] for page in
               s3.get_paginator("list_objects_v2").paginate(Bucket=target.bucket,
                                                            Prefix=target.prefix)
               for item in page.get("Contents", [])}
    todo, seen, broken = ["index.html", *sorted(pages)], set(), []
    while todo:
        page = todo.pop()
        if page in seen or page not in present:
            continue
        seen.add(page)
        tag = present[page]
        if (page, tag) not in _BODIES:  # an unchanged page is read once per test run
            _BODIES[(page, tag)] = s3.get_object(
                Bucket=target.bucket, Key=f"{target.prefix}{page}")["Body"].read()
        body = _BODIES[(page, tag)]
        for link in LINK.findall(body.decode()):
            if not link.startswith((SITE_URL, "/")):
                continue
            path = link.removeprefix(SITE_URL).lstrip("/")
            path = path + "index.html" if path.endswith("/") or not path else path
            if path not in present:
                broken.append(f"{page} -> {link}")
            elif path.endswith(".html"):
                todo.append(path)
    return broken


def test_a_reader_never_finds_a_page_linking_to_a_missing_object(published, bucket):
    published.live(0)
    deploy(bucket, published.site)
    old_pages = {p for p in published.files(0) if p.endswith(".html")}
    seen: list[list[str]] = []
    published.live(1)
    deploy(bucket, published.site, step=lambda path: seen.append(broken_links(bucket,
                                                                               old_pages)))
    published.live(2)
    deploy(bucket, published.site, grace=0,
           step=lambda path: seen.append(broken_links(bucket, old_pages)))
    assert len(seen) > 10
    assert [found for found in seen if found] == []
    # the check can fail: a page written before the new page it links
    client(bucket.endpoint_url).delete_object(Bucket=bucket.bucket,
                                              Key="www/2026/parade/index.html")
    assert broken_links(bucket, set())


def test_a_deploy_cut_off_leaves_the_old_pointer_and_the_next_one_finishes(published,
                                                                           monkeypatch):
    server, url = start_server()
    target = Target("pd-cut-off", "", url, "us-east-1")
    client(url).create_bucket(Bucket="pd-cut-off")
    published.live(0)
    deploy(target, published.site)
    published.live(1)
    writes: list[str] = []

    def stop_after_three(path: str) -> None:
        writes.append(path)
        if len(writes) == 3:
            server.stop()

    with pytest.raises(StoreError) as failed:
        deploy(target, published.site, step=stop_after_three)
    assert "cannot reach the object storage endpoint" in str(failed.value)
    assert "\n" not in str(failed.value)
    again, url2 = start_server()  # moto keeps its buckets in the process
    try:
        target = Target("pd-cut-off", "", url2, "us-east-1")
        state = pointer(target)
        assert state["release"] == published.ids[0]  # still names what it served
        assert state["interrupted"]["release"] == published.ids[1]
        assert set(writes) <= set(state["interrupted"]["paths"])
        old, new = published.files(0), published.files(1)
        now = served(target)
        for path, body in now.items():
            assert body in (old.get(path), new.get(path)), path
        assert broken_links(target, {p for p in old if p.endswith(".html")}) == []
        finished = deploy(target, published.site)
        assert served(target) == {**new, **{p: old[p] for p in finished.plan.pending}}
        assert pointer(target)["interrupted"] is None
    finally:
        again.stop()


# --- refusals ------------------------------------------------------------------------------

def test_a_folder_publish_did_not_make_is_refused(published, bucket, tmp_path):
    plain = tmp_path / "built"
    (plain / "index.html").parent.mkdir()
    (plain / "index.html").write_text("<p>hello</p>")
    result = run(*cli_args(published, bucket, "--site", str(plain)))
    assert result.exit_code == 2
    assert "not a site pressroom publish made" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert served(bucket) == {}


def test_missing_credentials_bucket_or_endpoint_are_one_line_and_change_nothing(
        published, bucket, monkeypatch):
    published.live(0)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    result = run(*cli_args(published, bucket, "--site", str(published.site)))
    assert result.exit_code == 2
    assert "no credentials for object storage" in result.output
    assert len(result.output.strip().splitlines()) == 1
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    missing = run(*cli_args(published, Target("pd-no-such-bucket", "", bucket.endpoint_url),
                            "--site", str(published.site)))
    assert missing.exit_code == 2 and "no such bucket" in missing.output, missing.output
    unreachable = run(*cli_args(published, Target(bucket.bucket, "", "http://127.0.0.1:9"),
                                "--site", str(published.site)))
    assert unreachable.exit_code == 2, unreachable.output
    assert "cannot reach the object storage endpoint" in unreachable.output
    assert len(unreachable.output.strip().splitlines()) == 1
    # Found by the #16 newcomer: these three were tracebacks (exit 1).
    for endpoint, region in (("127.0.0.1:5055", "us-east-1"), ("http://[::1", "us-east-1"),
                             (bucket.endpoint_url, "bad region")):
        args = ["--repo", str(published.dept.root), "--bucket", bucket.bucket,
                "--endpoint-url", endpoint, "--region", region, "--site", str(published.site)]
        bad = run(*args)
        assert bad.exit_code == 2 and "cannot use --endpoint-url" in bad.output, bad.output
        assert len(bad.output.strip().splitlines()) == 1, bad.output
    assert served(bucket) == {}


def test_settings_come_from_deploy_in_site_toml_on_main(published, endpoint):
    client(endpoint).create_bucket(Bucket="pd-from-config")
    published.live(0)
    result = run("--repo", str(published.dept.root), "--endpoint-url", endpoint, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["bucket"], report["prefix"]) == ("pd-from-config", "www/")
    assert served(Target("pd-from-config", "www/", endpoint)) == published.files(0)
    # Found by the #16 newcomer: the settings were read from the local main, verified or
    # not. A commit on main nobody approved now cannot send the site to another bucket.
    dept = published.dept
    text = (dept.root / "policy/site.toml").read_text().replace("pd-from-config", "pd-other")
    assert "pd-other" in text
    (dept.root / "policy/site.toml").write_text(text)
    dept.git("commit", "-qam", "Send the site elsewhere, unapproved")
    client(endpoint).create_bucket(Bucket="pd-other")
    again = run("--repo", str(dept.root), "--endpoint-url", endpoint, "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["bucket"] == "pd-from-config"
    assert served(Target("pd-other", "www/", endpoint)) == {}
    dept.git("reset", "-q", "--hard", "HEAD~1")


def test_old_releases_and_the_bytes_only_they_used_leave_the_bucket(published, bucket):
    stored = {}
    for index in range(3):
        published.live(index)
        deploy(bucket, published.site, keep=1)
        stored[index] = {key.rsplit("/", 1)[1] for key in served_state(bucket)
                         if "/objects/" in key}
    sha = {index: {hashlib.sha256(b).hexdigest() for b in published.files(index).values()}
           for index in range(3)}
    assert stored[2] == sha[1] | sha[2]  # release 0's own bytes are gone
    assert sha[0] - sha[1] - sha[2] and not (sha[0] - sha[1] - sha[2]) & stored[2]
    assert [key.rsplit("/", 1)[1] for key in served_state(bucket) if "/releases/" in key] == [
        f"{published.ids[1]}.json", f"{published.ids[2]}.json"]
    with pytest.raises(InputError, match="is not kept in the bucket"):
        rollback(bucket, published.ids[0])
    back = rollback(bucket, keep=1)
    assert back.release == published.ids[1]
    assert {p: b for p, b in served(bucket).items() if p not in back.plan.pending} == \
        published.files(1)


def test_rollback_with_nothing_before_is_refused(published, bucket):
    published.live(0)
    deploy(bucket, published.site)
    result = run(*cli_args(published, bucket, "--rollback"))
    assert result.exit_code == 2 and "no release older than" in result.output
    with pytest.raises(InputError, match="is not kept in the bucket"):
        rollback(bucket, "20990101T000000Z-99")


def test_only_the_store_module_imports_boto3():
    importers = []
    for path in (PROJECT / "pressroom").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n.split(".")[0] in ("boto3", "botocore") for n in names):
                importers.append(path.relative_to(PROJECT).as_posix())
    assert sorted(set(importers)) == ["pressroom/deploy/store.py"]


def test_a_bad_deploy_table_is_refused_with_its_line():
    from pressroom.repo.department import parse_department

    text = '[site]\nurl = "https://police.example"\n\n[deploy]\nbuckett = "pd-site"\n'
    with pytest.raises(InputError, match=r"site.toml:5: SITE-CONFIG: unknown key 'buckett' "
                                         r"in \[deploy\]; did you mean 'bucket'"):
        parse_department(text)
    with pytest.raises(InputError, match=r"prefix must be a folder"):
        parse_department('[deploy]\nprefix = "/www"\n')
    assert dict(parse_department('[deploy]\nbucket = "pd-site"\n').deploy) == {
        "bucket": "pd-site"}
