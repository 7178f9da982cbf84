"""The README's daily commands for the three people, run exactly as written (issue #13).

Each ``sh`` block of "The three people's day" runs in bash, in the clone of the person it
belongs to (the paragraph before the block names them; a comment line such as
``# the incident commander:`` hands over mid-block), against a bare central repository
with pressroom's hook installed by ``install-hooks``, with real SSH keys set up by
``pressroom setup-signing``. ``$EDITOR`` is a script that fills in what the template
leaves empty, as the person at the keyboard would. If the README's commands stop
working, this test fails: the README cannot drift from the tool.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from conftest import PROJECT
from gitdept import Department, bare_server

README = PROJECT / "README.md"
SECTION = "## The three people's day"
PEOPLE = {"pio": "pio1", "supervisor": "sup1", "incident commander": "ic1"}
# "**The PIO ...**", "**The supervisor**", "# the incident commander:" name who runs what.
OPENER = re.compile(r"^\*\*The (PIO|supervisor|incident commander)\b", re.I | re.M)
HANDOVER = re.compile(r"^#\s*the (PIO|supervisor|incident commander)\b[^\n]*:\s*$", re.I)
BLOCK = re.compile(r"```(sh|cron)\n(.*?)```", re.S)
# The README's example of the id `pressroom new` gives an alert (its date and first word).
EXAMPLE_INCIDENT = re.compile(r"\b\d{4}-\d{4}-gas\b")

# What the person types into the template's empty fields, and the body they write.
FILL = textwrap.dedent('''\
    import sys
    from pathlib import Path
    VALUES = {"Summary": "Drivers and residents should plan another route today.",
              "Area": "Citrus Avenue between 1st and 3rd Streets",
              "Instruction": "Avoid the area and follow officers' directions.",
              "Response": "Avoid", "Event": "Gas leak"}
    path = Path(sys.argv[-1])
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition(":")
        if sep and not value.strip() and key in VALUES:
            line = f"{key}: {VALUES[key]}"
        lines.append(line)
    lines.append("Officers are on scene. We will post an update when the street reopens.")
    path.write_text("\\n".join(lines) + "\\n", encoding="utf-8")
''')


def incident_on_main(bare: Path, slug: str) -> str:
    """The ``Incident:`` id of post ``slug`` on the central main."""
    listed = subprocess.run(["git", "ls-tree", "-r", "--name-only", "main", "content"], cwd=bare,
                            capture_output=True, text=True, check=True).stdout.split()
    path = next(p for p in listed if p.endswith(f"/{slug}.md"))
    text = subprocess.run(["git", "show", f"main:{path}"], cwd=bare, capture_output=True,
                          text=True, check=True).stdout
    return re.search(r"(?m)^Incident:\s*(\S+)", text).group(1)


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start:end if end >= 0 else None]


def readme_steps() -> list[tuple[str, str]]:
    """(member id, a bash script) in README order; the cron line becomes its command."""
    section, steps = _section(), []
    for match in BLOCK.finditer(section):
        openers = OPENER.findall(section[:match.start()])
        assert openers, "a command block before any '**The <person>' paragraph"
        who = PEOPLE[openers[-1].lower()]
        lines: list[str] = []
        for line in match.group(2).splitlines():
            handover = HANDOVER.match(line.strip())
            if handover:
                if lines:
                    steps.append((who, "\n".join(lines)))
                who, lines = PEOPLE[handover.group(1).lower()], []
            elif match.group(1) == "cron":
                lines.append(line.split(None, 5)[5])  # the five time fields, then the command
            else:
                lines.append(line)
        if lines:
            steps.append((who, "\n".join(lines)))
    return steps


def test_the_readme_names_a_person_for_every_block():
    steps = readme_steps()
    assert {who for who, _ in steps} == set(PEOPLE.values())
    assert any("pressroom new" in script for _, script in steps)
    assert any("pressroom approve" in script for _, script in steps)
    assert any("pressroom publish" in script for _, script in steps)


@pytest.fixture
def central(tmp_path, keys_dir):
    """The department's central repository, adopted roster on main, hook installed."""
    dept = Department(tmp_path / "founding", keys_dir)
    bare = bare_server(tmp_path / "pd-site.git")
    dept.git("remote", "add", "origin", f"file://{bare}")
    assert dept.git("push", "-q", "origin", "main", check=False).returncode == 0
    return dept, bare


def test_the_readmes_daily_commands_work_as_written(central, tmp_path):
    dept, bare = central
    bin_dir = Path(sys.executable).parent
    editor = tmp_path / "editor.py"
    editor.write_text(FILL, encoding="utf-8")
    www, server = tmp_path / "www" / "pd", tmp_path / "srv" / "pd-site"
    www.parent.mkdir()
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "EDITOR": f"{sys.executable} {editor}", "GIT_TERMINAL_PROMPT": "0"}
    clones: dict[str, Path] = {}

    def clone_of(member: str) -> Path:
        if member not in clones:
            clone = tmp_path / member
            subprocess.run(["git", "clone", "-q", f"file://{bare}", str(clone)], check=True)
            subprocess.run([bin_dir / "pressroom", "setup-signing", "--repo", str(clone),
                            "--member", member, "--key", str(dept.keys[member].private)],
                           check=True, capture_output=True)
            clones[member] = clone
        return clones[member]

    # Whoever runs publishing has a clone at /srv/pd-site with pressroom in its .venv.
    subprocess.run(["git", "clone", "-q", f"file://{bare}", str(server)], check=True)
    (server / ".venv").symlink_to(bin_dir.parent)
    for who, script in readme_steps():
        script = (script.replace("/var/www/pd", str(www)).replace("/srv/pd-site", str(server))
                  .replace("/tmp/review", str(tmp_path / "review"))
                  .replace("content/2026/", f"content/{date.today():%Y}/"))
        if EXAMPLE_INCIDENT.search(script):  # the id the first alert got, as main holds it
            script = EXAMPLE_INCIDENT.sub(incident_on_main(bare, "gas-leak-1"), script)
        ran = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=clone_of(who),
                             env=env, capture_output=True, text=True, timeout=300)
        assert ran.returncode == 0, f"{who} ran:\n{script}\n---\n{ran.stdout}\n{ran.stderr}"
    live = www.resolve()
    assert (live / "index.html").is_file()
    published = {p.stem for p in (live).glob("2*/*/index.html")} | {
        p.parent.name for p in live.glob("2*/*/index.html")}
    for slug in ("road-closure-on-elm-street", "gas-leak-1"):
        assert slug in published, sorted(published)
    merges = subprocess.run(["git", "log", "--merges", "--format=%s", "main"], cwd=bare,
                            capture_output=True, text=True, check=True).stdout
    for slug in ("road-closure-on-elm-street", "gas-leak-1", "gas-leak-2"):
        assert slug in merges, merges
    # The supervisor's review sheet listed the new post as added, the home page as changed.
    sheet = json.loads((tmp_path / "review" / "review.json").read_text(encoding="utf-8"))
    changes = {c["url"]: c["change"] for c in sheet["changed"]}
    assert any(url.endswith("/road-closure-on-elm-street/") and change == "added"
               for url, change in changes.items()), changes
    assert "changed" in {changes.get("/"), changes.get("/index.html")}, changes
    # The update carried the incident forward and follows the first alert in its thread.
    update = (server / "content" / f"{date.today():%Y}" / "gas-leak-2.md").read_text()
    assert "Sequence: 2" in update and "Area: Citrus Avenue" in update
