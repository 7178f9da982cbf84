"""The README documents the contracts: every field, category and roster key it promises."""

from __future__ import annotations

import re

import pytest
from conftest import NOW, PROJECT

from pressroom.build import build_site
from pressroom.categories import CATEGORIES
from pressroom.content import KNOWN
from pressroom.roster import ROLES

README = (PROJECT / "README.md").read_text()


@pytest.mark.parametrize("field", KNOWN)
def test_every_front_matter_field_is_documented(field):
    assert re.search(rf"^\| `{field.title()}` \| (yes|no) \|", README, re.M), field


@pytest.mark.parametrize("category", CATEGORIES, ids=lambda c: c.slug)
def test_every_category_is_documented(category):
    row = f"| `{category.slug}` | {category.name} | 392.4 ({category.clause}) |"
    assert row in README


def test_roster_format_and_roles_are_documented():
    for key in ("name", "email", "roles", "signing_key", "trained"):
        assert re.search(rf"^{key} = ", README, re.M), key
    for role in ROLES:
        assert role in README


def test_the_two_setup_commands_are_in_the_makefile():
    makefile = (PROJECT / "Makefile").read_text()
    assert "make site" in README and "make test" in README
    assert re.search(r"^site:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (PROJECT / ".ci/run").read_text()


def test_publish_builds_absolute_links_from_the_department_settings(sample_repo, tmp_path):
    from pressroom.publishing import PUBLIC_SETTINGS

    out = tmp_path / "out"
    result = build_site(sample_repo, out, now=NOW, overrides=PUBLIC_SETTINGS)
    assert result.ok, result.problems
    page = (out / "2026/traffic-safety-grant/index.html").read_text()
    assert 'href="https://police.example-city.gov/theme/css/site.css"' in page


def test_every_department_setting_is_documented():
    from pressroom.department import CONTACT_KEYS, SITE_KEYS

    for key in (*SITE_KEYS, *CONTACT_KEYS):
        assert re.search(rf"^{key} = ", README, re.M), key


def test_every_rule_id_is_documented():
    from pressroom.rules.catalog import RULES

    for rule_id in RULES:
        if rule_id == "BUILD-ERROR":
            continue
        assert f"`{rule_id}`" in README, rule_id


def test_every_build_option_is_documented():
    from pressroom.cli import build

    synopsis = next(line for line in README.splitlines() if line.startswith("pressroom build ["))
    for param in build.params:
        long_names = [opt for opt in param.opts if opt.startswith("--")]
        assert any(name in synopsis for name in long_names), long_names
