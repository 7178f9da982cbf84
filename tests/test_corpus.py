"""Precision matters as much as recall: a realistic corpus through every rule.

``corpus/bad/<RULE-ID>--<name>.md`` each break exactly that one rule;
``corpus/clean/*.md`` are ordinary police posts (adult arrests with ages,
block addresses, intersections, crime names, quotes from the Chief...) that
must pass untouched.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from conftest import ROSTER
from PIL import Image

from pressroom.checking import check_repo

CORPUS = Path(__file__).parent / "corpus"
BAD = sorted((CORPUS / "bad").glob("*.md"))
CLEAN = sorted((CORPUS / "clean").glob("*.md"))
RULES_TOML = """\
[allow]
phones = ["(555) 010-4400"]
email_domains = ["pd.example", ".gov"]
addresses = ["100 Civic Center Plaza"]
"""
LAPSED = '\n[members.lapsed1]\nname = "Officer Lapsed"\nroles = ["author"]\ntrained = 2024-01-01\n'


def repo_name(path: Path) -> str:
    """Corpus file names carry the expected rule; in the repo they must be valid slugs."""
    return path.name.lower().replace("--", "-")


@pytest.fixture(scope="module")
def corpus_repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    (root / "policy").mkdir()
    (root / "policy/roster.toml").write_text(ROSTER + LAPSED)
    (root / "policy/rules.toml").write_text(RULES_TOML)
    posts = root / "content/2026"
    posts.mkdir(parents=True)
    for path in BAD + CLEAN:
        shutil.copy(path, posts / repo_name(path))
    images = root / "content/images"
    images.mkdir()
    for name in ("suspect-vehicle.jpg", "found-bicycle.jpg"):
        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), (30, 60, 90)).save(buffer, "JPEG")
        (images / name).write_bytes(buffer.getvalue())
    return root


def test_corpus_is_large_enough():
    assert len(BAD) >= 30 and len(CLEAN) >= 20
    assert len({p.name.split("--")[0] for p in BAD}) >= 30  # thirty different rules


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_post_is_refused_for_the_right_rule(corpus_repo, path):
    expected = path.stem.split("--")[0]
    report = check_repo(corpus_repo, [f"content/2026/{repo_name(path)}"])
    assert not report.ok
    assert {v.rule_id for v in report.errors} == {expected}, [str(v) for v in report.violations]


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.stem)
def test_clean_post_passes(corpus_repo, path):
    report = check_repo(corpus_repo, [f"content/2026/{repo_name(path)}"])
    assert report.violations == [], [str(v) for v in report.violations]
