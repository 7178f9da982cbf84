"""The pre-commit hooks: thin shells, tested directly and through the real pre-commit framework."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT, ROSTER, post_text, require_tool
from imagefiles import exif_with_location, image_bytes

from pressroom.checking.images import find_metadata
from pressroom.hooks import check_content, strip_image_metadata

RULES = '[allow]\nphones = ["(555) 010-4400"]\nemail_domains = ["pd.example"]\n'


def make_dept(root: Path) -> Path:
    """A department folder: posts and images folders, roster and rules."""
    (root / "content/2026").mkdir(parents=True)
    (root / "content/images").mkdir()
    (root / "policy").mkdir()
    (root / "policy/roster.toml").write_text(ROSTER)
    (root / "policy/rules.toml").write_text(RULES)
    return root


@pytest.fixture
def dept(tmp_path, monkeypatch):
    root = make_dept(tmp_path / "dept")
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize(
    ("text", "expected_exit", "expected_line"),
    [
        (post_text(), 0, None),
        (post_text(body="The victim's SSN, 219-09-9999, was stolen."), 1,
         "content/2026/post.md:7: PRIVACY-SSN:"),
        (post_text(date="yesterday"), 1, "content/2026/post.md:2: FRONT-DATE:"),
        (post_text(author="nobody"), 1, "content/2026/post.md:4: FRONT-AUTHOR:"),
        (post_text(body="<iframe src='https://comments.example/'></iframe>"), 1,
         "content/2026/post.md:7: HTML-EMBED:"),
    ],
)
def test_content_hook(dept, capsys, text, expected_exit, expected_line):
    (dept / "content/2026/post.md").write_text(text)
    assert check_content.main(["content/2026/post.md"]) == expected_exit
    out = capsys.readouterr().out
    if expected_line:
        assert expected_line in out
    assert out.strip().splitlines()[-1].startswith("OK" if expected_exit == 0 else "REFUSED")


def test_content_hook_with_no_files_does_nothing(dept, capsys):
    assert check_content.main([]) == 0


def test_content_hook_outside_a_repository_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.md").write_text(post_text())
    assert check_content.main(["x.md"]) == 2
    assert "no content/ folder" in capsys.readouterr().out


def test_image_hook_fixes_in_place_and_fails_once(dept, capsys):
    path = dept / "content/images/scene.jpg"
    path.write_bytes(image_bytes("JPEG", exif_with_location()))
    assert strip_image_metadata.main([str(path)]) == 1
    assert "IMAGE-METADATA: removed GPS location" in capsys.readouterr().out
    assert find_metadata(path.read_bytes()) == ()
    assert strip_image_metadata.main([str(path)]) == 0  # now clean: nothing to do


def test_image_hook_refuses_svg(dept, capsys):
    path = dept / "content/images/logo.svg"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    assert strip_image_metadata.main([str(path)]) == 1
    assert "IMAGE-FORMAT: SVG images can carry scripts" in capsys.readouterr().out


def test_every_hook_is_declared_for_other_departments_and_documented():
    manifest = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    local = yaml.safe_load((PROJECT / ".pre-commit-config.yaml").read_text())
    readme = (PROJECT / "README.md").read_text()
    ids = {hook["id"] for hook in manifest}
    assert ids == {hook["id"] for hook in local["repos"][0]["hooks"]}
    for hook in manifest:
        assert f"`{hook['id']}`" in readme, hook["id"]
        assert shutil.which(hook["entry"], path=str(Path(sys.executable).parent)), hook["entry"]


# --- through the real pre-commit framework, in a real git repository -------------------------

def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check)


@pytest.fixture
def git_dept(tmp_path):
    require_tool(shutil.which("git") is not None, "git")
    root = make_dept(tmp_path / "dept")
    shutil.copy(PROJECT / ".pre-commit-config.yaml", root)
    (root / ".venv").symlink_to(Path(sys.prefix))  # the config runs .venv/bin/...
    (root / ".gitignore").write_text(".venv\n")
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "GIT_AUTHOR_NAME": "Pat Rivera", "GIT_AUTHOR_EMAIL": "pio1@pd.example",
           "GIT_COMMITTER_NAME": "Pat Rivera", "GIT_COMMITTER_EMAIL": "pio1@pd.example"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Adopt roster and rules")
    pre_commit = Path(sys.executable).parent / "pre-commit"
    subprocess.run([str(pre_commit), "install"], cwd=root, check=True, capture_output=True)
    yield root
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def commits(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD").stdout)


def test_commit_of_a_bad_post_is_refused_then_a_clean_one_accepted(git_dept):
    post = git_dept / "content/2026/burglary.md"
    post.write_text(post_text(title="Burglary on Maple Avenue", category="information-requests",
                              body="A man broke into a home at 1423 Maple Avenue on Tuesday."))
    git(git_dept, "add", "content")
    refused = git(git_dept, "commit", "-m", "Burglary appeal", check=False)
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert "content/2026/burglary.md:7: PRIVACY-ADDRESS: exact address '1423 Maple Avenue'" \
        in output
    assert commits(git_dept) == 1

    post.write_text(post_text(title="Burglary on Maple Avenue", category="information-requests",
                              body="A man broke into a home in the 1400 block of Maple Avenue."))
    git(git_dept, "add", "content")
    accepted = git(git_dept, "commit", "-m", "Burglary appeal", check=False)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert commits(git_dept) == 2


def test_commit_of_an_image_with_gps_is_cleaned_then_accepted(git_dept):
    image = git_dept / "content/images/scene.jpg"
    image.write_bytes(image_bytes("JPEG", exif_with_location()))
    post = git_dept / "content/2026/scene.md"
    post.write_text(post_text(body="![The damaged storefront](/images/scene.jpg)"))
    git(git_dept, "add", "content")
    first = git(git_dept, "commit", "-m", "Scene photo", check=False)
    assert first.returncode != 0
    assert "IMAGE-METADATA: removed GPS location" in first.stdout + first.stderr
    assert commits(git_dept) == 1
    git(git_dept, "add", "content")
    second = git(git_dept, "commit", "-m", "Scene photo", check=False)
    assert second.returncode == 0, second.stdout + second.stderr
    committed = subprocess.run(["git", "show", "HEAD:content/images/scene.jpg"], cwd=git_dept,
                               capture_output=True, check=True).stdout
    assert find_metadata(committed) == ()


def test_commit_reusing_a_published_slug_is_refused(git_dept):
    (git_dept / "content/2025").mkdir()
    old = git_dept / "content/2025/old-notice.md"
    old.write_text(post_text(title="Old notice", date="2025-06-01", slug="street-closure"))
    git(git_dept, "add", "content")
    assert git(git_dept, "commit", "-m", "Old notice", check=False).returncode == 0
    assert (git_dept / ".git/pressroom-cache/slugs.txt").is_file()  # the hook cached the slugs

    new = git_dept / "content/2026/street-closure.md"
    new.write_text(post_text(title="New closure"))
    git(git_dept, "add", "content")
    refused = git(git_dept, "commit", "-m", "New closure", check=False)
    assert refused.returncode != 0
    assert ("content/2026/street-closure.md:1: FRONT-SLUG-DUPLICATE: slug 'street-closure' is "
            "already used by content/2025/old-notice.md") in refused.stdout + refused.stderr


def test_another_department_can_use_this_repository_as_a_hook_repository(tmp_path):
    """`.pre-commit-hooks.yaml` through pre-commit's own installer (language: python)."""
    require_tool(shutil.which("git") is not None, "git")
    root = make_dept(tmp_path / "other-dept")
    (root / "content/2026/leak.md").write_text(
        post_text(body="The victim's SSN, 219-09-9999, was stolen."))
    (root / "content/images/scene.jpg").write_bytes(image_bytes("JPEG", exif_with_location()))
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(command, cwd=root, check=True, env=env)
    pre_commit = Path(sys.executable).parent / "pre-commit"
    result = subprocess.run(
        [str(pre_commit), "try-repo", str(PROJECT), "--files", "content/2026/leak.md",
         "content/images/scene.jpg"], cwd=root, capture_output=True, text=True, env=env,
        timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "content/2026/leak.md:7: PRIVACY-SSN" in output
    assert "IMAGE-METADATA: removed GPS location" in output
    assert find_metadata((root / "content/images/scene.jpg").read_bytes()) == ()
