"""A department's own templates, static files and plugins, read as data and gated.

A department may override pressroom's templates (``theme/templates/<name>.html``), add
static files (``theme/static/...``, copied over pressroom's) and add Pelican plugins
(``plugins/<name>.py`` or ``plugins/<name>/__init__.py``, listed in ``policy/site.toml``
``[build] plugins``). All three are code, so two principles decide how they are used:

* "Reviewing never runs the branch's code": ``check`` reads ``theme/`` only as files (links,
  special files, encodings: ``read_theme``), and nothing here is imported or rendered by
  ``check``, the hooks, ``approve`` or ``verify``; only ``build`` and ``publish`` use these
  folders. Templates are read here as text (through ``pressroom.repo.files``: no link, no
  special file, UTF-8 only) and rendered by the adapter in Jinja's sandbox; plugins are not
  even imported here.
* "Only the verified commit is published": ``publish`` builds the verified commit's tree
  (``pressroom.publishing.published_tree`` exports ``theme/`` and ``plugins/`` too). A build of a
  working folder runs plugins only when ``plugins/`` is byte for byte what ``main`` holds
  (``unapproved_plugins``): otherwise it refuses with PLUGIN-UNAPPROVED, one line a file.

No Pelican and no Jinja here: the adapter (``pressroom.adapter.templates``,
``pressroom.adapter.department_plugins``) turns these values into a build.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pressroom.model.violations import Violation
from pressroom.repo.files import NAME_RULE, NotRegularFile, read_regular, walk
from pressroom.repo.gitio import GitError, git

TEMPLATES = "theme/templates"
STATIC = "theme/static"
PLUGINS = "plugins"
# A department template under this name would hide the way back to pressroom's own
# templates (``{% extends "pressroom/base.html" %}``): the prefix is reserved.
OWN_PREFIX = "pressroom"
UNAPPROVED_RULE = "PLUGIN-UNAPPROVED"
APPROVED_BRANCH = "refs/heads/main"


@dataclass(frozen=True)
class Overrides:
    """What a department adds to pressroom's theme and plugins, for one build."""

    templates: dict[str, str] = field(default_factory=dict)  # template name -> source
    static: dict[str, bytes] = field(default_factory=dict)  # path under theme/static -> bytes
    plugins: tuple[tuple[str, Path], ...] = ()  # (name, its module file), in listed order

    @property
    def empty(self) -> bool:
        return not (self.templates or self.static or self.plugins)


def _files(repo: Path, top: str) -> tuple[dict[str, bytes], list[Violation]]:
    """The regular files under ``repo/top`` (keys relative to it) and a problem for each
    link, special file or unreadable file — the same refusals as for ``content/``."""
    found: dict[str, bytes] = {}
    problems: list[Violation] = []
    for rel, problem in walk(repo, top):
        if problem is None:
            try:
                found[rel[len(top) + 1:]] = read_regular(repo, rel)
            except NotRegularFile as exc:  # swapped for a link since the walk
                problem = exc
            except OSError as exc:
                problems.append(Violation(rel, 0, "FILE-READ", str(exc.strerror or exc)))
        if problem is not None:
            problems.append(problem.violation())
    return found, problems


def read_theme(repo: Path) -> tuple[dict[str, str], dict[str, bytes], list[Violation]]:
    """The department's templates (name -> text) and static files (path -> bytes)."""
    raw, problems = _files(repo, TEMPLATES)
    templates: dict[str, str] = {}
    for name, data in raw.items():
        rel = f"{TEMPLATES}/{name}"
        if name.split("/")[0] == OWN_PREFIX:
            problems.append(Violation(rel, 0, NAME_RULE, f"{TEMPLATES}/{OWN_PREFIX}/ is "
                                                         f"reserved: it names pressroom's own "
                                                         f"templates; rename the folder"))
            continue
        try:
            templates[name] = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Violation(rel, 0, "FILE-ENCODING",
                                      f"not UTF-8 (byte 0x{data[exc.start]:02x}); a template "
                                      f"must be saved as UTF-8"))
    static, static_problems = _files(repo, STATIC)
    return templates, static, sorted(problems + static_problems)


def plugin_file(repo: Path, name: str) -> str | None:
    """``plugins/<name>.py`` or ``plugins/<name>/__init__.py`` (repo-relative), if either is a
    regular file reached without links; None when the plugin is not there. A link or special
    file there raises ``NotRegularFile`` (``FILE-LINK``...): it is refused, not missing."""
    for rel in (f"{PLUGINS}/{name}.py", f"{PLUGINS}/{name}/__init__.py"):
        try:
            read_regular(repo, rel)
        except NotRegularFile:
            raise
        except OSError:
            continue
        return rel
    return None


def _blob_id(data: bytes, like: str) -> str:
    """git's object id of a blob holding ``data`` (SHA-1, or SHA-256 repositories)."""
    h = hashlib.sha1() if len(like) == 40 else hashlib.sha256()  # noqa: S324 - git's id
    h.update(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def unapproved_plugins(repo: Path) -> list[Violation]:
    """Every file of ``repo/plugins/`` that is not exactly as ``main`` holds it.

    Any difference counts — an edit, a file main does not have (a ``__pycache__`` too:
    Python could load its bytecode instead of the approved source), a file missing, a
    link — because running plugins is running the department's code, and only main's
    was approved.
    """
    try:
        listed = git(repo, "ls-tree", "-r", "-z", "--full-tree", APPROVED_BRANCH, "--",
                     f"{PLUGINS}/")
    except (GitError, OSError) as exc:
        return [Violation(PLUGINS, 0, UNAPPROVED_RULE,
                          f"cannot compare with main ({exc}); plugins run only as approved "
                          f"on main")]
    approved: dict[str, tuple[str, str]] = {}
    for record in listed.split(b"\0"):
        if record:
            meta, _, raw_path = record.partition(b"\t")
            mode, _kind, sha = meta.decode().split()
            approved[raw_path.decode("utf-8", errors="surrogateescape")] = (mode, sha)
    working, problems = _files(repo, PLUGINS)
    problems = list(problems)
    for name, data in sorted(working.items()):
        rel = f"{PLUGINS}/{name}"
        mode, sha = approved.get(rel, ("", ""))
        if not sha:
            problems.append(Violation(rel, 0, UNAPPROVED_RULE,
                                      "is not on main; plugins run only as approved"))
        elif mode not in ("100644", "100755") or _blob_id(data, sha) != sha:
            problems.append(Violation(rel, 0, UNAPPROVED_RULE,
                                      "differs from main; plugins run only as approved"))
    for rel in sorted(set(approved) - {f"{PLUGINS}/{name}" for name in working}):
        if not any(p.path == rel for p in problems):
            problems.append(Violation(rel, 0, UNAPPROVED_RULE,
                                      "is on main but not in this folder; plugins run only "
                                      "as approved"))
    return sorted(problems)


# Files Python would import instead of (or beside) a plugin's source: bytecode, extension
# modules, path files. A reviewer sees "binary file" in a diff; only source is approved.
COMPILED_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd", ".pth", ".egg", ".whl", ".zip")


def compiled_plugin_files(repo: Path) -> list[Violation]:
    """Every file under ``plugins/`` that is not source: an unchecked-hash ``.pyc`` in
    ``__pycache__`` runs instead of the ``.py`` beside it, whatever the source says."""
    problems = []
    for rel, _problem in walk(repo, PLUGINS):
        name = rel.rsplit("/", 1)[-1].lower()
        if "/__pycache__/" in f"/{rel}/" or name.endswith(COMPILED_SUFFIXES):
            problems.append(Violation(rel, 0, UNAPPROVED_RULE,
                                      "compiled or packaged code; plugins run only from "
                                      "their reviewed source (.py): remove it"))
    return problems


def read_overrides(repo: Path, plugin_names: tuple[str, ...],
                   plugins_approved: bool) -> tuple[Overrides, list[Violation]]:
    """The department's overrides for a build of ``repo``, or the problems refusing it.

    ``plugins_approved`` says ``repo`` is a verified commit's exported tree (``publish``);
    otherwise listed plugins run only when ``plugins/`` is what main holds.
    """
    templates, static, problems = read_theme(repo)
    plugins: list[tuple[str, Path]] = []
    if plugin_names:
        problems += compiled_plugin_files(repo)  # in publish too: main may carry them
        if not plugins_approved:
            problems += unapproved_plugins(repo)
        for name in plugin_names:
            try:
                rel = plugin_file(repo, name)
            except NotRegularFile as exc:
                problems.append(exc.violation())
                continue
            if rel is None:  # policy/site.toml was validated; the folder changed since
                problems.append(Violation(PLUGINS, 0, "SITE-CONFIG",
                                          f"plugin {name!r} is not in {PLUGINS}/"))
            else:
                plugins.append((name, repo / rel))
    return Overrides(templates, static, tuple(plugins)), sorted(problems)
