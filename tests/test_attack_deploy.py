"""Attacks on what serves the published site: `pressroom deploy` to S3 and the nginx file.

Each test is an attack that once worked (or a promise checked against one): the bucket may
hold only the bytes of the verified release under their own hash; a corrupt pointer is one
line, never a traceback; every changed URL can be handed to a CDN as it is; nginx serves
the release and nothing beside or outside it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import test_deploy_s3
import test_nginx
from click.testing import CliRunner
from test_deploy_s3 import client

from pressroom.cli import cli
from pressroom.deploy.run import deploy
from pressroom.deploy.store import OBJECTS, POINTER, Target
from pressroom.model.violations import InputError
from pressroom.publishing.headers import url_paths

RELEASE = "20261201T120000Z-1"
# The fixtures of the deploy and nginx tests: a moto server, a bucket each, nginx on a port.
endpoint, bucket = test_deploy_s3.endpoint, test_deploy_s3.bucket
_credentials = test_deploy_s3._credentials
nginx_for = test_nginx.nginx_for


def fake_published(root: Path, files: dict[str, bytes], release: str = RELEASE) -> Path:
    """What `pressroom publish --target root/pd` leaves (a link to a release folder and the
    record of its commit), without building a site: the deploy reads only these."""
    folder = root / ".pd.releases" / release
    for name, body in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(body)
    site = root / "pd"
    if site.is_symlink():
        site.unlink()
    site.symlink_to(f".pd.releases/{release}")
    (root / ".pd.published").write_text(json.dumps({"commit": "0" * 40,
                                                    "releases": {release: "0" * 40}}))
    return site


def cli_deploy(target: Target, site: Path, *more: str):
    return CliRunner().invoke(cli, ["deploy", "--bucket", target.bucket, "--prefix",
                                    target.prefix, "--endpoint-url", target.endpoint_url or "",
                                    "--region", "us-east-1", "--site", str(site), "-q", *more])


def stored(target: Target) -> dict[str, bytes]:
    """Every object under the prefix, pressroom's state included."""
    return test_deploy_s3.served(target, state=True)


def put_pointer(target: Target, data: object) -> None:
    client(target.endpoint_url).put_object(Bucket=target.bucket,
                                           Key=f"{target.prefix}{POINTER}",
                                           Body=json.dumps(data).encode())


# --- the bucket holds only the release's bytes, each under its own hash ------------------


def test_a_file_swapped_for_a_link_while_deploying_never_enters_the_store(tmp_path, bucket):
    """Between hashing the release and uploading it, a file of the release is replaced by a
    link to a secret outside it: the secret must not be stored (under the old file's hash,
    where every later deploy would trust it) nor served."""
    secret = tmp_path / "secret"
    secret.write_bytes(b"root:x:0:0:secret\n")
    site = fake_published(tmp_path, {"index.html": b"<p>home</p>", "a.png": b"png"})
    page = site.resolve() / "a.png"

    def swap(message: str) -> None:
        if message.startswith("Uploading"):
            page.unlink()
            page.symlink_to(secret)

    with pytest.raises(InputError, match="changed while deploying"):
        deploy(bucket, site, progress=swap)
    for name, body in stored(bucket).items():
        assert b"secret" not in body, name
        if name.startswith(OBJECTS):
            assert hashlib.sha256(body).hexdigest() == name.removeprefix(OBJECTS)


@pytest.mark.parametrize("link", ["file", "folder"])
def test_a_link_inside_the_release_is_refused_and_nothing_is_sent(tmp_path, bucket, link):
    """A link in the release to /etc/passwd or to a folder outside it: refused, nothing sent."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_bytes(b"root:x:0:0:secret\n")
    site = fake_published(tmp_path / "www", {"index.html": b"home"})
    name = site.resolve() / "passwd.txt" if link == "file" else site.resolve() / "docs"
    name.symlink_to(outside / "passwd" if link == "file" else outside)
    result = cli_deploy(bucket, site)
    assert result.exit_code == 2 and "refusing to deploy" in result.output, result.output
    assert stored(bucket) == {}


def test_a_release_that_would_write_pressrooms_own_state_is_refused(tmp_path, bucket):
    """A release file at .pressroom/... would be copied over the pointer or the object store."""
    site = fake_published(tmp_path, {"index.html": b"home",
                                     ".pressroom/manifest.json": b"{}"})
    result = cli_deploy(bucket, site)
    assert result.exit_code == 2, result.output
    assert ".pressroom" in result.output and "Traceback" not in result.output
    assert stored(bucket) == {}


# --- a corrupt or tampered pointer: one line, nothing changed ------------------------------


@pytest.mark.parametrize("pending", [{"old.html": "yesterday"},
                                     {"old.html": "2026-01-01T00:00:00"},
                                     {"old.html": 5}, ["old.html"],
                                     {".pressroom/releases/x.json": "1970-01-01T00:00:00+00:00"}])
def test_a_tampered_pointer_is_one_line_and_deletes_nothing(tmp_path, bucket, pending):
    site = fake_published(tmp_path, {"index.html": b"home"})
    assert cli_deploy(bucket, site).exit_code == 0
    pointer = json.loads(stored(bucket)[POINTER])
    pointer["pending_deletion"] = pending
    put_pointer(bucket, pointer)
    before = stored(bucket)
    site = fake_published(tmp_path, {"index.html": b"home 2"}, "20261201T130000Z-2")
    result = cli_deploy(bucket, site)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "manifest" in result.output
    assert stored(bucket) == before


@pytest.mark.parametrize("prefix", ["../", "a/../", "a//b/", "./", ".pressroom/", "a?b/",
                                    "50%/", "a\\b/"])
def test_a_prefix_no_url_reaches_is_refused_before_any_request(tmp_path, prefix):
    """`../www/index.html` is a key of its own that no CDN serves (URLs are normalised
    first): the deploy would succeed and the site stay unreachable."""
    site = fake_published(tmp_path, {"index.html": b"home"})
    result = cli_deploy(Target("b", prefix, "http://127.0.0.1:9"), site)
    assert result.exit_code == 2 and "--prefix" in result.output, result.output


@pytest.mark.parametrize("prefix, normal", [("", ""), ("/", ""), ("www", "www/"),
                                            ("/www/en/", "www/en/")])
def test_usual_prefixes_are_kept(prefix, normal):
    from pressroom.deploy.store import normal_prefix
    assert normal_prefix(prefix) == normal


@pytest.mark.parametrize("body", [b"", b"{truncated", b"\xff\xfe", b"[]", b"null",
                                  b'{"format": 1, "files": {"a": {"sha256": "../../x", "size": 1}}'
                                  b', "release": "r", "commit": "c"}'])
def test_a_corrupt_pointer_is_one_line_for_deploy_and_rollback(tmp_path, bucket, body):
    site = fake_published(tmp_path, {"index.html": b"home"})
    assert cli_deploy(bucket, site).exit_code == 0
    client(bucket.endpoint_url).put_object(Bucket=bucket.bucket,
                                           Key=f"{bucket.prefix}{POINTER}", Body=body)
    before = stored(bucket)
    for more in ([], ["--rollback"]):
        result = cli_deploy(bucket, site, *more)
        assert result.exit_code == 2, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert POINTER in result.output, result.output
    assert stored(bucket) == before


# --- names: every file reaches its own key, every changed URL is one a CDN takes ----------

ODD = ["a b.html", "caf\u00e9.html", "100%.html", "q?x.html", "h#1.html", "plus+.html",
       "star*.html", "folder with space/index.html"]


def test_odd_file_names_reach_their_own_keys_and_urls_are_percent_encoded(tmp_path, bucket):
    files = {name: name.encode() for name in ODD}
    site = fake_published(tmp_path, files)
    result = cli_deploy(bucket, site, "--json", "--site-url", "https://pd.example")
    assert result.exit_code == 0, result.output
    public = {k: v for k, v in stored(bucket).items() if not k.startswith(".pressroom/")}
    assert public == files
    urls = json.loads(result.output)["paths"]
    for url in urls:  # what CloudFront and Fastly take: RFC 3986, * (a wildcard) escaped
        assert all(c.isascii() and (c.isalnum() or c in "/-._~%") for c in url), url
    assert "/folder%20with%20space/" in urls and "/100%25.html" in urls
    assert url_paths("q?x.html") == ["/q%3Fx.html"]


# --- nginx serves the release, nothing beside it or outside it ---------------------------


def test_nginx_serves_nothing_outside_the_release(tmp_path, nginx_for):
    """A link inside a release (to a secret file or folder outside it) is not followed, though
    the root itself is the release link publish switches; the release folders beside the
    link, and paths that climb out of the root, are not served."""
    secret = tmp_path / "secret"
    (secret / "dir").mkdir(parents=True)
    (secret / "passwd").write_bytes(b"root:x:0:0:secret\n")
    (secret / "dir" / "index.html").write_bytes(b"secret page")
    site = fake_published(tmp_path / "www", {"index.html": b"home", "news/index.html": b"n",
                                             "404.html": b"not here"})
    release = site.resolve()
    (release / "passwd.txt").symlink_to(secret / "passwd")
    (release / "outside").symlink_to(secret / "dir")
    server = nginx_for(site)
    assert server.get("/")[2] == b"home" and server.get("/news/")[2] == b"n"
    for path in ["/passwd.txt", "/outside/", "/outside/index.html", f"/../.pd.releases/{RELEASE}/",
                 f"/..%2f.pd.releases/{RELEASE}/index.html", f"/%2e%2e/.pd.releases/{RELEASE}/",
                 "/../secret/passwd", "/../.pd.published", "/.pd.releases/"]:
        status, found, body = server.get(path)
        assert status in (400, 403, 404), (path, status)
        assert b"secret" not in body and RELEASE.encode() not in body, path
        assert "content-security-policy" in found and "x-content-type-options" in found, path


# --- only a release publish made is deployed -------------------------------------------


def test_a_working_folder_build_over_a_published_site_is_refused_and_not_deployed(tmp_path, bucket,
                                                                       keys_dir):
    """`pressroom build --output` of a publish target made the link name a build of the
    working folder (unapproved text, public at once under nginx) while the record of the last
    publish stayed beside it, and deploy sent that build as the verified commit. Now the
    command refuses, and deploy refuses a release publish did not make. A release publish made, and
    one `pressroom rollback` made live again, are deployed."""
    from datetime import UTC, datetime

    from gitdept import Department

    from pressroom.build.run import build_site
    from pressroom.publishing import releases

    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("closure", title="Road closure on Elm Street")
    dept.merge_as("sup1", "post/closure")
    site = tmp_path / "www" / "pd"
    site.parent.mkdir()
    now = "2026-12-01T12:00-08:00"
    result = CliRunner().invoke(cli, ["publish", "--repo", str(dept.root), "--target",
                                      str(site), "--now", now, "-q"])
    assert result.exit_code == 0, result.output
    published = releases.live_release(site).id
    secret = dept.root / "content" / "2026" / "closure.md"
    secret.write_text(secret.read_text() + "\nUNAPPROVED working-folder text\n")
    result = CliRunner().invoke(cli, ["build", "--repo", str(dept.root), "--output",
                                      str(site), "--now", now, "-q"])
    assert result.exit_code == 2 and "pressroom publish serves" in result.output, result.output
    assert releases.live_release(site).id == published
    # The build function does not ask (publish calls it): a script that calls it directly.
    assert build_site(dept.root, site, now=datetime(2026, 12, 1, 20, tzinfo=UTC)).ok
    assert releases.live_release(site).id != published
    refused = cli_deploy(bucket, site)
    assert refused.exit_code == 2 and "pressroom publish" in refused.output, refused.output
    assert not any(b"UNAPPROVED" in body for body in stored(bucket).values())
    releases.rollback(site, published)  # the published release live again: deployed
    assert cli_deploy(bucket, site).exit_code == 0
    assert not any(b"UNAPPROVED" in body for body in stored(bucket).values())



# --- an interrupted deploy, then a rollback ---------------------------------------------


class Cut(Exception):
    """The network, the machine or the person at the console stopped the deploy."""


def test_a_rollback_after_an_interrupted_deploy_serves_the_old_release_exactly(tmp_path,
                                                                              bucket):
    from pressroom.deploy.run import rollback

    old = {"index.html": b"home 1", "a.html": b"a 1", "img.png": b"png 1"}
    new = {"index.html": b"home 2", "a.html": b"a 2", "b.html": b"b new", "img2.png": b"2"}
    site = fake_published(tmp_path, old)
    deploy(bucket, site, grace=0)
    site = fake_published(tmp_path, new, "20261201T130000Z-2")
    written: list[str] = []

    def cut_after_two(path: str) -> None:
        written.append(path)
        if len(written) == 2:
            raise Cut

    with pytest.raises(Cut):
        deploy(bucket, site, grace=0, step=cut_after_two)
    public = {k: v for k, v in stored(bucket).items() if not k.startswith(".pressroom/")}
    assert public != old  # a mix: the cut deploy wrote some files
    with pytest.raises(InputError, match="no release older"):
        rollback(bucket, grace=0)  # the pointer still names the old release: nothing before
    rollback(bucket, RELEASE, grace=0)
    public = {k: v for k, v in stored(bucket).items() if not k.startswith(".pressroom/")}
    assert public == old
    assert json.loads(stored(bucket)[POINTER])["interrupted"] is None
