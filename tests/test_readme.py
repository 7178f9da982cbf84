"""The README and docs/ document the contracts, and stay in step with the code.

Every front-matter field, category, roster key, setting, rule id, command option and
module is documented; docs/rules.md is exactly what scripts/gen_docs.py generates from
the rule catalog; every internal link points at a file and heading that exist; the
dates the docs show are the dates the pages show; the README stays short.
"""

from __future__ import annotations

import html
import importlib.util
import re
import unicodedata
from pathlib import Path

import click
import pytest
from conftest import NOW, PROJECT, post_text

from pressroom.build.run import build_site
from pressroom.model.categories import CATEGORIES
from pressroom.model.content import KNOWN
from pressroom.model.roster import ROLES

README_PATH = PROJECT / "README.md"
DOC_PATHS = sorted((PROJECT / "docs").glob("*.md"))
README = README_PATH.read_text(encoding="utf-8")
DOCS = {path.name: path.read_text(encoding="utf-8") for path in DOC_PATHS}
EVERYTHING = "\n".join([README, *DOCS.values()])
README_MAX_LINES = 220


def _gen_docs():
    spec = importlib.util.spec_from_file_location("gen_docs", PROJECT / "scripts/gen_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("field", KNOWN)
def test_every_front_matter_field_is_documented(field):
    assert re.search(rf"^\| `{field.title()}` \| (yes|no) \|", DOCS["posts.md"],
                     re.M | re.I), field


@pytest.mark.parametrize("category", CATEGORIES, ids=lambda c: c.slug)
def test_every_category_is_documented(category):
    row = f"| `{category.slug}` | {category.name} | 392.4 ({category.clause}) |"
    assert row in DOCS["posts.md"]


def test_roster_format_and_roles_are_documented():
    for key in ("name", "email", "roles", "signing_key", "trained", "github"):
        assert re.search(rf"^{key} = ", DOCS["posts.md"], re.M), key
    for role in ROLES:
        assert role in DOCS["posts.md"]


def test_the_two_setup_commands_are_in_the_makefile():
    makefile = (PROJECT / "Makefile").read_text()
    assert "make site" in README and "make test" in README
    assert re.search(r"^site:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (PROJECT / ".ci/run").read_text()


def test_the_readme_is_short():
    lines = README.count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines: move detail into docs/"


def test_publish_builds_absolute_links_from_the_department_settings(sample_repo, tmp_path):
    from pressroom.publishing.publish import PUBLIC_SETTINGS

    out = tmp_path / "out"
    result = build_site(sample_repo, out, now=NOW, overrides=PUBLIC_SETTINGS)
    assert result.ok, result.problems
    page = (out / "2026/traffic-safety-grant/index.html").read_text()
    # the stylesheet by the hash of its bytes (pressroom.adapter.assets): cached a year
    assert re.search(r'href="https://police\.example-city\.gov/theme/css/site\.[0-9a-f]{12}\.css"',
                     page)


def test_every_department_setting_is_documented():
    from pressroom.repo.department import CONTACT_KEYS, SITE_KEYS

    for key in (*SITE_KEYS, *CONTACT_KEYS):
        assert re.search(rf"^{key} = ", DOCS["posts.md"], re.M), key


def test_every_pelican_setting_a_department_may_tune_is_documented():
    from pressroom.repo.department import PELICAN_ALLOWED

    for name in PELICAN_ALLOWED:
        assert re.search(rf"^\|[^\n]*`{name}`[^\n]*\|", DOCS["posts.md"], re.M), name


def test_every_rule_id_is_documented():
    from pressroom.rules.catalog import RULES

    for rule_id in RULES:
        assert re.search(rf"^\| `{rule_id}` \|", DOCS["rules.md"], re.M), rule_id


def test_docs_rules_is_what_the_generator_makes_from_the_catalog():
    assert DOCS["rules.md"] == _gen_docs().generate(), (
        "docs/rules.md is out of date: edit docs/src/rules.md.in, then run `make docs`")


def test_performance_page_is_the_table_the_results_file_makes():
    assert DOCS["performance.md"] == _gen_docs().generate_performance(), (
        "docs/performance.md and docs/bench-results.json disagree: run `make docs`")


def test_performance_table_follows_the_one_results_file():
    import json

    gen = _gen_docs()
    results = json.loads(gen.BENCH_RESULTS.read_text(encoding="utf-8"))
    page = DOCS["performance.md"]
    assert results["schema"] == 2
    assert f"`{results['command']}`" in page and f"commit `{results['commit']}`" in page
    assert results["machine"]["cpu"] in page
    for row in results["rows"]:
        assert f"| {row['size']:,} {row['unit']} |" in page
    for baseline in ("stock", "matched"):
        assert any(row["id"] == baseline for row in results["rows"])
    # A figure changed in the results file changes the page: the two cannot disagree silently.
    row = next(row for row in results["rows"] if row["id"] == "build-full")
    row["time_s"]["median"], row["met"], row["target"] = 123.4, False, "≤ 0.6× matched"
    changed = gen.performance_page(page, results)
    assert changed != page and "| 123.4 s (" in changed
    assert "**Targets missed in this run**" in changed and "against ≤ 0.6× matched" in changed
    results["os_caches_dropped"] = False
    assert "**The OS page cache was not dropped**" in gen.performance_page(page, results)
    with pytest.raises(gen.ResultsMismatch, match="generated:bench"):
        gen.performance_page(page.replace(gen.BENCH_START, ""), results)
    with pytest.raises(gen.ResultsMismatch, match="schema 2"):
        gen.performance_page(page, {"schema": 1, "sections": {}})


def test_performance_prose_quotes_no_figure_of_its_own():
    """Outside the generated table a measured figure has no run behind it; targets may stay."""
    gen = _gen_docs()
    page = DOCS["performance.md"]
    prose = page[:page.index(gen.BENCH_START)] + page[page.index(gen.BENCH_END):]
    figures = re.findall(
        r"(?<![\w.,])(?<![<≤≥>] )\d[\d,.]*\s?(?:s|ms|MB|GB|×|x|posts/s)(?![\w/])", prose)
    assert figures == [], f"figures outside the generated table: {figures}"


def test_the_generator_refuses_a_rule_with_no_place_in_the_docs():
    from pressroom.rules.catalog import RULES, Rule

    gen = _gen_docs()
    template = gen.TEMPLATE.read_text(encoding="utf-8")
    with pytest.raises(gen.CatalogMismatch, match="NEWRULE-X"):
        gen.render(template, {**RULES, "NEWRULE-X": Rule("NEWRULE-X", "392.4", "new")})
    with pytest.raises(gen.CatalogMismatch, match="LANG-PROFANITY"):
        gen.render(template + "\n<!-- catalog: LANG-PROFANITY -->\n"
                   "<!-- catalog: LANG-PROFANITY -->\n", RULES)


def _commands(group: click.Group, prefix: str = "pressroom"):
    for name, command in sorted(group.commands.items()):
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")


def _all_commands():
    from pressroom.cli import cli

    return list(_commands(cli))


@pytest.mark.parametrize("name,command", _all_commands(), ids=lambda v: getattr(v, "name", v))
def test_every_command_and_option_is_documented(name, command):
    """Each command has a synopsis in the docs (a line `pressroom CMD [...`) naming every
    long option; the README's `pressroom build` synopsis moved to docs/publishing.md."""
    words = name.split()
    pattern = re.compile(r"^\s*" + r" (?:\[--repo PATH\] )?".join(map(re.escape, words))
                         + r"(?: |$)", re.M)
    synopses = [line for line in EVERYTHING.splitlines() if pattern.match(line)
                and ("[" in line or "--" in line)]
    assert synopses, f"no synopsis line for {name!r} in README.md or docs/"
    text = "\n".join(synopses)
    for param in command.params:
        for option in (o for o in param.opts if o.startswith("--")):
            if option == "--help":
                continue
            assert option in text, f"{name}: {option} is not in its synopsis"


def test_every_module_is_in_the_architecture_page():
    page = DOCS["architecture.md"]
    missing = [path.relative_to(PROJECT).as_posix()
               for path in sorted((PROJECT / "pressroom").rglob("*.py"))
               if f"`{path.relative_to(PROJECT).as_posix()}`" not in page]
    assert not missing, f"docs/architecture.md does not list {missing}"


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"`|\*\*|\*|\[|\]\([^)]*\)", "", heading).strip().lower()
    text = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return text.replace(" ", "-")


def _prose_lines(text: str):
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            yield line


def _anchors(text: str) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for line in _prose_lines(text):
        match = re.match(r"^#{1,6} (.+)$", line)
        if match:
            base = _anchor(match[1])
            count = seen.get(base, 0)
            seen[base] = count + 1
            out.add(base if count == 0 else f"{base}-{count}")
    return out


def _links():
    for path in [README_PATH, *DOC_PATHS]:
        for line in _prose_lines(path.read_text(encoding="utf-8")):
            for target in re.findall(r"\]\(([^)\s]+)\)", re.sub(r"`[^`]*`", "", line)):
                if not re.match(r"^[a-z]+:", target):
                    yield path, target


def test_anchor_slugs_follow_github():
    assert _anchor("Categories (392.4, kinds of authorized content)") == \
        "categories-3924-kinds-of-authorized-content"
    assert _anchor("`policy/rules.toml`") == "policyrulestoml"
    assert _anchor("Records, training and the annual review (392.6–392.8)") == \
        "records-training-and-the-annual-review-39263928"


@pytest.mark.parametrize("source,target", list(_links()),
                         ids=lambda v: v.name if isinstance(v, Path) else v)
def test_every_internal_link_points_somewhere(source, target):
    file_part, _, anchor = target.partition("#")
    dest = (source.parent / file_part).resolve() if file_part else source
    assert dest.exists(), f"{source.name}: {target}: no such file"
    if anchor:
        assert dest.suffix == ".md", f"{source.name}: {target}: anchor into a non-Markdown file"
        assert anchor in _anchors(dest.read_text(encoding="utf-8")), \
            f"{source.name}: {target}: no such heading"


def test_every_doc_page_is_linked_from_the_readme():
    for name in DOCS:
        assert f"](docs/{name})" in README, name


def test_every_test_the_guarantees_name_exists():
    named = re.findall(r"`(test_[a-z_]+\.py)(?:::([A-Za-z0-9_*]+))?`",
                       DOCS["guarantees.md"] + README)
    assert len(named) > 20
    for filename, test in named:
        source = (PROJECT / "tests" / filename).read_text(encoding="utf-8")
        if test:
            prefix = test.rstrip("*")
            pattern = rf"^def {re.escape(prefix)}" + ("" if test.endswith("*") else r"\(")
            assert re.search(pattern, source, re.M), f"{filename}::{test}"


def _page_text(path: Path) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", path.read_text())))


def test_dates_in_the_docs_are_the_dates_pages_show(repo, tmp_path):
    """The docs quote a withdrawal notice and a correction as a page shows them."""
    repo.post("2026/checkpoint.md", post_text(
        title="DUI checkpoint on Friday", retraction="withdraw", retracted="2026-11-21 08:00",
        **{"retraction-reason": "Outdated: the checkpoint has taken place.",
           "reported-by": "pio1"}))
    repo.post("2026/closure.md", post_text(modified="2026-11-21 09:30",
                                           correction="corrected the time"))
    out = tmp_path / "out"
    assert build_site(repo.root, out, now=NOW).ok
    withdrawn = "Withdrawn on November 21, 2026: Outdated: the checkpoint has taken place."
    corrected = "Updated November 21, 2026: corrected the time"
    assert withdrawn in _page_text(out / "2026/checkpoint/index.html")
    assert corrected in _page_text(out / "2026/closure/index.html")
    flat = re.sub(r"\s+", " ", EVERYTHING)
    assert withdrawn in flat and corrected in flat
    # No other way of writing a date a page shows ("21 November 2026", "21 Nov 2026").
    assert not re.search(r"\b\d{1,2} (January|February|March|April|May|June|July|August|"
                         r"September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|"
                         r"Sep|Oct|Nov|Dec) 20\d\d", flat)
