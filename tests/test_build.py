"""``pressroom build``: real Pelican builds into temp folders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import NOW, post_text

from pressroom.build.run import build_site
from pressroom.model.categories import CATEGORIES
from pressroom.model.violations import InputError


def html_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def all_text(root: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(root.rglob("*"))
                     if p.is_file() and p.suffix != ".png")  # the theme's seal


def assert_only_releases(parent: Path, out: Path, live: int) -> None:
    """Beside the site: its lock and its releases folder, holding ``live`` complete releases
    and nothing half-built; ``out`` is a link to the newest."""
    assert sorted(p.name for p in parent.iterdir()) == [
        f".{out.name}.pressroom-lock", f".{out.name}.releases", "dept", out.name]
    kept = sorted((parent / f".{out.name}.releases").iterdir())
    assert len(kept) == live and all(re.fullmatch(r"\d{8}T\d{6}Z-\d+", p.name) for p in kept)
    assert out.is_symlink() and out.resolve() == kept[-1]


@pytest.fixture
def built_sample(sample_repo, tmp_path):
    out = tmp_path / "site"
    result = build_site(sample_repo, out, now=NOW)
    assert result.ok, result.problems
    return out, result


def test_sample_site_has_every_kind_of_page(built_sample):
    out, result = built_sample
    assert result.public >= 12
    assert (out / "index.html").is_file()
    assert (out / "contact/index.html").is_file()
    assert (out / "archives/index.html").is_file()
    assert (out / "2026/index.html").is_file()
    assert (out / "category/index.html").is_file()
    for category in CATEGORIES:
        page = (out / f"category/{category.slug}/index.html").read_text()
        assert f"<h1>{category.name}</h1>" in page
        assert (out / f"feeds/{category.slug}.atom.xml").is_file()
        assert (out / f"feeds/{category.slug}.rss.xml").is_file()


def test_post_page_shows_date_category_author_name_summary_and_body(built_sample):
    out, _ = built_sample
    page = (out / "2026/catalytic-converter-arrests/index.html").read_text()
    assert "<h1>Two arrested in string of catalytic converter thefts</h1>" in page
    assert '<time datetime="2026-11-05T13:00:00-08:00">November 5, 2026, 1:00 PM</time>' in page
    assert ">Press Releases</a>" in page
    assert "By Pat Rivera" in page
    assert "Detectives arrested two men suspected" in page  # summary
    assert "battery-powered saws" in page  # body


def test_member_emails_and_ids_are_never_published(built_sample):
    out, _ = built_sample
    text = all_text(out)
    for email in ("pio1@pd.example", "slee@pd.example", "dokafor@pd.example"):
        assert email not in text
    assert "By pio1" not in text and "<name>pio1</name>" not in text


def test_empty_categories_still_have_a_page_and_feed(repo, tmp_path):
    repo.post("2026/closure.md")
    out = tmp_path / "out"
    assert build_site(repo.root, out, now=NOW).ok
    page = (out / "category/recruitment/index.html").read_text()
    assert "Nothing has been published in this category yet." in page
    assert "<entry>" not in (out / "feeds/recruitment.atom.xml").read_text()


def test_contact_page_is_built_from_settings(sample_repo, tmp_path):
    out = tmp_path / "out"
    assert build_site(sample_repo, out, now=NOW).ok
    page = (out / "contact/index.html").read_text()
    assert "call 911" in page
    assert '<a href="tel:5550104400">(555) 010-4400</a>' in page
    assert "100 Civic Center Plaza" in page
    assert "Public Records Act" in page
    assert "does not publish anything the public sends" in page


def test_drafts_and_future_posts_are_written_nowhere(repo, tmp_path):
    repo.post("2026/public.md", title="Public notice")
    repo.post("2026/secret-draft.md", title="Unfinished draft xyzzy", status="draft")
    repo.post("2026/embargoed.md", title="Embargoed release plugh", date="2026-12-01 09:00")
    out = tmp_path / "out"
    result = build_site(repo.root, out, now=NOW)
    assert result.ok and (result.public, result.drafts, result.scheduled) == (1, 1, 1)
    text = all_text(out)
    for marker in ("xyzzy", "plugh", "secret-draft", "embargoed"):
        assert marker not in text, marker
    assert not (out / "drafts").exists()
    assert (out / "2026/public/index.html").is_file()


def test_a_future_post_appears_once_its_time_comes(repo, tmp_path):
    repo.post("2026/embargoed.md", title="Embargoed release plugh", date="2026-12-01 09:00")
    later = NOW.replace(month=12, day=1, hour=9)
    out = tmp_path / "out"
    assert build_site(repo.root, out, now=later).ok
    assert "plugh" in (out / "2026/embargoed/index.html").read_text()
    assert "plugh" in (out / "feeds/all.atom.xml").read_text()


def test_rebuild_is_byte_identical(sample_repo, tmp_path, digest):
    first, second = tmp_path / "one", tmp_path / "two"
    assert build_site(sample_repo, first, now=NOW).ok
    assert build_site(sample_repo, second, now=NOW.replace(hour=13)).ok
    assert digest(first) == digest(second)


def test_failed_build_leaves_previous_site_untouched(repo, tmp_path, digest):
    repo.post("2026/closure.md")
    out = tmp_path / "out"
    assert build_site(repo.root, out, now=NOW).ok
    before = digest(out)
    repo.post("2026/bad.md", post_text(date="not a date", title="Broken"))
    result = build_site(repo.root, out, now=NOW)
    assert not result.ok
    assert [(p.path, p.line, p.rule_id) for p in result.problems] == [
        ("content/2026/bad.md", 2, "FRONT-DATE")]
    assert digest(out) == before
    assert_only_releases(tmp_path, out, live=1)  # no staging left


def test_failure_inside_pelican_discards_the_half_written_site(repo, tmp_path, digest,
                                                              monkeypatch):
    import pressroom.adapter.feeds

    repo.post("2026/closure.md")
    out = tmp_path / "out"
    assert build_site(repo.root, out, now=NOW).ok
    before = digest(out)
    # Feeds are written last, after every page: an error there leaves a nearly complete site.
    # (Settings are validated before a build, so the failure is injected: a bug, say.)
    def failing(meta, items):
        raise RuntimeError("too many feeds")

    monkeypatch.setattr(pressroom.adapter.feeds, "render_feeds", failing)
    repo.post("2026/second.md", title="Second post")
    result = build_site(repo.root, out, now=NOW)
    assert not result.ok
    assert result.problems[0].rule_id == "BUILD-ERROR"
    assert "many" in result.problems[0].message
    assert digest(out) == before
    assert_only_releases(tmp_path, out, live=1)  # no staging left


def test_unknown_author_refuses_the_build(repo, tmp_path):
    repo.post("2026/closure.md", author="intern7")
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert [(p.rule_id, p.line) for p in result.problems] == [("FRONT-AUTHOR", 4)]
    assert not (tmp_path / "out").exists()


def test_missing_roster_refuses_the_build(repo, tmp_path):
    repo.post("2026/closure.md")
    (repo.root / "policy/roster.toml").unlink()
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert "ROSTER-MISSING" in [p.rule_id for p in result.problems]
    assert not (tmp_path / "out").exists()


def test_duplicate_slugs_refuse_the_build(repo, tmp_path):
    repo.post("2025/closure.md", date="2025-11-20")
    repo.post("2026/closure.md")
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert [p.rule_id for p in result.problems] == ["FRONT-SLUG-DUPLICATE"]


def test_no_content_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no content/ folder"):
        build_site(tmp_path, tmp_path / "out", now=NOW)


def test_output_inside_content_is_refused(repo):
    repo.post("2026/closure.md")
    with pytest.raises(InputError, match="must not contain or be inside the content"):
        build_site(repo.root, repo.root / "content" / "out", now=NOW)
    with pytest.raises(InputError):
        build_site(repo.root, repo.root, now=NOW)


def test_no_comment_system_form_iframe_or_third_party_request(built_sample):
    out, _ = built_sample
    searches = 0
    for page in html_files(out):
        html = page.read_text()
        if page.parent.name == "search":  # search/, es/search/: the one exception (issue #14)
            html, allowed = SEARCH_ONLY.subn("", html)
            assert allowed == 2, page  # its search box, and the site's own search script
            searches += 1
        assert not re.search(r"<(form|iframe|script|embed|object)\b", html, re.I), page
        assert "disqus" not in html.lower() and "comment-form" not in html
        # Only links (<a>) and feed autodiscovery may name another host; nothing is loaded from one.
        for tag in re.findall(r"<(?:img|link|source|video|audio)\b[^>]*>", html):
            if 'rel="alternate"' in tag or 'rel="canonical"' in tag:  # named, never loaded
                continue
            assert not re.search(r'(?:src|href)="(?:https?:)?//', tag), (page, tag)
    assert searches >= 1


# On a search page only: a form that submits nowhere (no action, no method: search.js keeps
# it from submitting, and without JavaScript it is hidden), and the theme's search script.
SEARCH_ONLY = re.compile(
    r'<form role="search" class="search-form" hidden>.*?</form>'
    r'|<script type="module" src="(?:\.\./)+theme/js/search\.[0-9a-f]{12}\.js"></script>',
    re.S)


def test_every_page_links_the_site_feeds_for_autodiscovery(built_sample):
    out, _ = built_sample
    for page in html_files(out):
        html = page.read_text()
        assert 'rel="alternate" type="application/atom+xml"' in html, page
        assert 'rel="alternate" type="application/rss+xml"' in html, page
    category = (out / "category/traffic/index.html").read_text()
    assert 'href="../../feeds/traffic.atom.xml"' in category


def test_archives_list_each_year(repo, tmp_path):
    repo.post("2025/old.md", title="Last year", date="2025-06-01")
    repo.post("2026/new.md", title="This year")
    out = tmp_path / "out"
    assert build_site(repo.root, out, now=NOW).ok
    archives = (out / "archives/index.html").read_text()
    assert 'href="../2025/"' in archives and 'href="../2026/"' in archives
    assert "Last year" in (out / "2025/index.html").read_text()
    assert "Last year" not in (out / "2026/index.html").read_text()


def test_titles_are_escaped(repo, tmp_path):
    repo.post("2026/x.md", title="Fish & chips <b>night</b>")
    out = tmp_path / "out"
    assert build_site(repo.root, out, now=NOW).ok
    page = (out / "2026/x/index.html").read_text()
    assert "<h1>Fish &amp; chips &lt;b&gt;night&lt;/b&gt;</h1>" in page


def test_rebuild_replaces_removed_posts(repo, tmp_path):
    path = repo.post("2026/closure.md")
    out = tmp_path / "out"
    assert build_site(repo.root, out, now=NOW).ok
    assert (out / "2026/closure/index.html").exists()
    path.unlink()
    repo.post("2026/other.md", title="Other")
    assert build_site(repo.root, out, now=NOW).ok
    assert not (out / "2026/closure").exists()


def test_pagination_links_work(repo, tmp_path):
    for n in range(12):
        repo.post(f"2026/post-{n:02d}.md", title=f"Post {n}", date=f"2026-10-{n + 1:02d}")
    out = tmp_path / "out"
    assert build_site(repo.root, out, now=NOW).ok
    home = (out / "index.html").read_text()
    assert 'href="./page/2/"' in home
    page2 = (out / "page/2/index.html").read_text()
    assert "Post 0" in page2 and "Page 2 of 2" in page2


def test_links_between_posts_resolve_after_sanitizing(repo, tmp_path):
    repo.post("2026/first.md", title="First", body="See [the update]({filename}/2026/second.md).")
    repo.post("2026/second.md", title="Second", date="2026-11-21 09:00")
    out = tmp_path / "out"
    assert build_site(repo.root, out, now=NOW).ok
    page = (out / "2026/first/index.html").read_text()
    assert 'href="../../2026/second/"' in page


def test_markdown_cache_reuses_unchanged_posts_and_changes_nothing(repo, tmp_path, digest):
    for n in range(5):
        repo.post(f"2026/p{n}.md", title=f"Post {n}")
    first = build_site(repo.root, tmp_path / "one", now=NOW)
    assert (first.markdown.rendered, first.markdown.reused) == (5, 0)
    again = build_site(repo.root, tmp_path / "two", now=NOW)
    assert (again.markdown.rendered, again.markdown.reused) == (0, 5)
    assert digest(tmp_path / "one") == digest(tmp_path / "two")
    repo.post("2026/p1.md", title="Post 1, edited")
    edited = build_site(repo.root, tmp_path / "three", now=NOW)
    assert (edited.markdown.rendered, edited.markdown.reused) == (1, 4)
    assert "Post 1, edited" in (tmp_path / "three/2026/p1/index.html").read_text()
    # A setting that changes rendering (the sanitizer's host) invalidates every entry.
    repo.site('[site]\nurl = "https://pd.example.org"\n')
    moved = build_site(repo.root, tmp_path / "four", now=NOW)
    assert (moved.markdown.rendered, moved.markdown.reused) == (5, 0)


def test_a_corrupt_markdown_cache_is_rebuilt(repo, tmp_path, digest):
    repo.post("2026/closure.md")
    assert build_site(repo.root, tmp_path / "one", now=NOW).ok
    from pressroom.build.run import cache_folder

    (cache_folder(repo.root) / "markdown.pickle").write_bytes(b"not a pickle")
    result = build_site(repo.root, tmp_path / "two", now=NOW)
    assert result.ok and result.markdown.rendered == 1
    assert digest(tmp_path / "one") == digest(tmp_path / "two")
