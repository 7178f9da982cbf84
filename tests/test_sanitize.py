"""392.5.1: raw HTML in posts is sanitized: no script, handler, embed or form reaches a page."""

from __future__ import annotations

import re

import pytest
from conftest import NOW, post_text

from pressroom.build.run import build_site
from pressroom.render.sanitize import sanitize_html

SITE_HOST = "police.example-city.gov"

# (name, raw HTML a post might contain, a pattern that must not survive)
VECTORS = [
    ("script tag", "<script>alert(1)</script>", r"<script|alert"),
    ("script src", '<script src="https://evil.example/x.js"></script>', r"<script|evil"),
    ("img onerror", '<img src="/x.png" onerror="alert(1)" alt="x">', r"onerror"),
    ("body onload", '<body onload="alert(1)">hi</body>', r"onload|<body"),
    ("svg onload", "<svg onload=alert(1)><circle r=1 /></svg>", r"<svg|onload"),
    ("javascript link", '<a href="javascript:alert(1)">click</a>', r"javascript:"),
    ("javascript link, mixed case and entity", '<a href="JaVa&#115;cript:alert(1)">x</a>',
     r"(?i)java\s*script|&#115;"),
    ("data: link", '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', r"data:"),
    ("iframe embed", '<iframe src="https://www.youtube.com/embed/x"></iframe>', r"<iframe|youtube"),
    ("object embed", '<object data="x.swf"></object><embed src="x.swf">', r"<object|<embed"),
    ("form that posts", '<form action="/comment" method="post"><input name="c">'
     '<button>Send</button></form>', r"<form|<input|<button"),
    ("disqus widget", '<div id="disqus_thread"></div><script>var disqus_config = 1;</script>'
     '<script src="https://example.disqus.com/embed.js"></script>', r"disqus|<script"),
    ("facebook comments", '<div class="fb-comments" data-href="x"></div>'
     '<script src="https://connect.facebook.net/en_US/sdk.js"></script>',
     r"fb-comments|facebook|data-href"),
    ("style tag", "<style>body{background:url(https://evil.example/t)}</style>", r"<style|evil"),
    ("style attribute", '<p style="background:url(https://evil.example/t)">x</p>',
     r"style=|evil"),
    ("tracking pixel", '<img src="https://tracker.example/p.gif" alt="">', r"tracker"),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example">',
     r"<meta|evil"),
    ("base tag", '<base href="https://evil.example/">', r"<base|evil"),
    ("link stylesheet", '<link rel="stylesheet" href="https://evil.example/x.css">',
     r"<link|evil"),
    ("textarea", "<textarea name=comment></textarea>", r"<textarea"),
    ("math with handler", '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
     r"javascript|<math"),
    ("unclosed attribute trick", '<img src=x alt="a" onerror=alert(1)//>', r"onerror"),
    ("image from another host via backslash", '<img src="/\\evil.example/x.png" alt="x">',
     r"evil"),
    ("image from another host via entity tab", '<img src="/&#x09;/evil.example/x.png" alt="x">',
     r"evil"),
    ("javascript in a quotation's cite", '<q cite="java&#x09;script:alert(1)">q</q>',
     r"(?i)java\s*script|&#x09;"),
]


@pytest.mark.parametrize(("name", "raw", "forbidden"), VECTORS, ids=[v[0] for v in VECTORS])
def test_vector_is_neutralised(name, raw, forbidden):
    cleaned = sanitize_html(raw, SITE_HOST)
    assert not re.search(forbidden, cleaned), cleaned


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ('<a href="https://www.ca.gov/">state</a>', 'href="https://www.ca.gov/"'),
        ('<a href="tel:5550104400">call</a>', 'href="tel:5550104400"'),
        ('<a href="mailto:info@pd.example">mail</a>', 'href="mailto:info@pd.example"'),
        ('<img src="/images/map.png" alt="Map of the closure">', 'alt="Map of the closure"'),
        ('<img src="https://police.example-city.gov/images/a.png" alt="a">',
         'src="https://police.example-city.gov/images/a.png"'),
        ("<table><tr><th>Year</th></tr><tr><td>2026</td></tr></table>", "<th>Year</th>"),
        ("<blockquote><p>Quoted</p></blockquote>", "<blockquote>"),
    ],
)
def test_ordinary_post_html_survives(raw, kept):
    assert kept in sanitize_html(raw, SITE_HOST)


def test_every_vector_is_gone_from_a_real_build(repo, tmp_path, without_rules):
    """Defense in depth: even if the content rules missed every vector (here they are
    switched off for this one build), the build's sanitizer removes them all."""
    without_rules()
    body = "\n\n".join(raw for _, raw, _ in VECTORS)
    body += '\n\n[markdown js link](javascript:alert(1)) and ![pixel](https://tracker.example/p.gif)'
    repo.post("2026/pasted-embed.md", post_text(
        body=body, summary='Summary with <script>alert("s")</script> inside.'))
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert result.ok, result.problems
    page = (tmp_path / "out/2026/pasted-embed/index.html").read_text()
    article = page.split('<article class="post"')[1]
    for name, _, forbidden in VECTORS:
        assert not re.search(forbidden, article), name
    assert "javascript:" not in page and "tracker.example" not in page
    feed = (tmp_path / "out/feeds/all.atom.xml").read_text()
    assert "&lt;script" not in feed and "onerror" not in feed and "tracker.example" not in feed
