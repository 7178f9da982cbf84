"""The package's shape: who imports whom, and the command line's one list of commands.

The import graph is read from the source with ``ast``, not by importing: an import inside
a function counts as much as one at the top of a module (a lazy import hides a cycle, it
does not remove it). Only imports under ``if TYPE_CHECKING:`` are left out, since they never
run.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import click
import pytest
from conftest import PROJECT

from pressroom.cli import COMMANDS, cli

PACKAGE = PROJECT / "pressroom"

# Import cycles in the package outside pressroom.cli, as the sets of modules that import
# each other (strongly connected components). None today (#12): a new cycle fails the test
# below; when one of these is broken, remove it here so it cannot come back.
KNOWN_CYCLES: tuple[frozenset[str], ...] = ()

CLI_COMMAND_MODULES = ("approvals", "building", "deploying", "desk", "init", "previewing",
                       "publishing", "records", "serving", "translating")

MAX_LINES = 400
# Modules allowed over MAX_LINES, each with its reason (none since issue #12 split the build).
# The test fails when a module here is no longer too long, so the set cannot go stale.
STILL_TOO_LONG: set[str] = set()

ENGINE = "pressroom.checking.engine"  # the rules engine over one file: pure
ENGINE_MUST_NOT_REACH = {"pressroom.checking.repo", "pressroom.checking.results",
                         "pressroom.repo.sources", "pressroom.repo.department",
                         "pressroom.checking.slug_index", "pressroom.repo.gitio"}
ENGINE_MUST_NOT_IMPORT = ENGINE_MUST_NOT_REACH | {"pressroom.cache", "pressroom.repo.files"}
FILE_SYSTEM_MODULES = {"os", "pathlib", "shutil", "tempfile", "glob", "subprocess", "io"}


# --- the import graph -------------------------------------------------------------------

def module_names(package: Path) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its __init__.py)."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


class _Imports(ast.NodeVisitor):
    """The dotted names one module imports, at any depth, except under TYPE_CHECKING."""

    def __init__(self, package: str) -> None:
        self.package = package  # the package relative imports start from
        self.found: list[str | tuple[str, str]] = []  # a tuple: the first that is a module

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
        if name != "TYPE_CHECKING":
            self.visit(node.test)
            for child in node.body:
                self.visit(child)
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        self.found += [alias.name for alias in node.names]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.package.split(".")
            parts = parts[:len(parts) - node.level + 1]
            base = ".".join([*parts, *([node.module] if node.module else [])])
        # `from a import b` imports the module a.b when there is one, else a name from a
        self.found += [(f"{base}.{alias.name}", base) for alias in node.names]


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports."""
    modules = module_names(package)

    def owner(found: str | tuple[str, str]) -> str | None:
        if isinstance(found, tuple):
            submodule, found = found
            if submodule in modules:
                return submodule
        while found and found not in modules:
            found = found.rpartition(".")[0]
        return found or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        visitor = _Imports(name if is_package else name.rpartition(".")[0])
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        targets = {owner(found) for found in visitor.found}
        graph[name] = {target for target in targets if target and target != name}
    return graph


def import_cycles(graph: Mapping[str, set[str]]) -> list[frozenset[str]]:
    """The sets of modules that import each other, directly or round a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found, key=sorted)


def one_loop(graph: Mapping[str, set[str]], cycle: frozenset[str]) -> list[str]:
    """A concrete loop through a cycle, a -> b -> ... -> a, to name in a failure."""
    start = min(cycle)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & cycle):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    raise AssertionError(f"no loop through {sorted(cycle)}")


def describe(graph: Mapping[str, set[str]], cycles: list[frozenset[str]]) -> str:
    return "\n".join(" -> ".join(one_loop(graph, cycle)) for cycle in cycles)


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(PACKAGE)


# --- the graph reader, on a package made for it -------------------------------------------

def test_the_graph_sees_lazy_and_relative_imports_and_finds_their_cycle(tmp_path):
    pkg = tmp_path / "demo"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub/__init__.py").write_text("")
    (pkg / "a.py").write_text("from demo.sub import b\n")
    (pkg / "sub/b.py").write_text("def later():\n    from .. import c\n")
    (pkg / "c.py").write_text("import demo.a as again\nimport os\n")
    (pkg / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                              "    from demo import a\nelse:\n    import demo.c\n")

    found = import_graph(pkg)

    assert found == {"demo": set(), "demo.sub": set(), "demo.a": {"demo.sub.b"},
                     "demo.sub.b": {"demo.c"}, "demo.c": {"demo.a"},
                     "demo.d": {"demo.c"}}
    cycles = import_cycles(found)
    assert cycles == [frozenset({"demo.a", "demo.sub.b", "demo.c"})]
    assert one_loop(found, cycles[0]) == ["demo.a", "demo.sub.b", "demo.c", "demo.a"]


def test_the_graph_reads_the_real_package(graph):
    assert {"pressroom", "pressroom.cli.building"} <= graph["pressroom.cli"]
    assert "pressroom.cli.common" in graph["pressroom.cli.building"]
    # an import inside a command's function still counts
    assert "pressroom.checking.repo" in graph["pressroom.cli.building"]
    assert "pressroom.rules.catalog" in graph


# --- the rules ----------------------------------------------------------------------------

def test_no_import_cycle_touches_the_command_line(graph):
    cycles = [cycle for cycle in import_cycles(graph)
              if any(name == "pressroom.cli" or name.startswith("pressroom.cli.")
                     for name in cycle)]
    assert not cycles, describe(graph, cycles)


def test_the_import_cycles_of_the_package_do_not_grow(graph):
    """Every cycle must lie inside one already known; a known one may shrink or vanish."""
    new = [cycle for cycle in import_cycles(graph)
           if not any(cycle <= known for known in KNOWN_CYCLES)]
    assert not new, "new import cycle(s):\n" + describe(graph, new)


def test_commands_import_only_common_from_the_command_line(graph):
    """group -> command modules -> common: a command module never imports the group."""
    assert not {name for name in graph["pressroom.cli.common"] if name.startswith("pressroom.cli")}
    for module in CLI_COMMAND_MODULES:
        cli_imports = {name for name in graph[f"pressroom.cli.{module}"]
                       if name == "pressroom.cli" or name.startswith("pressroom.cli.")}
        assert cli_imports <= {"pressroom.cli.common"}, (module, cli_imports)
    on_disk = {path.stem for path in (PACKAGE / "cli").glob("*.py")}
    assert on_disk == {"__init__", "common", *CLI_COMMAND_MODULES}, (
        "a new module under pressroom/cli/: add it to CLI_COMMAND_MODULES")


def _module_lengths() -> dict[str, int]:
    return {path.relative_to(PROJECT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
            for path in sorted(PACKAGE.rglob("*.py"))}


def test_no_module_is_over_400_lines():
    """Issue #12: "no module over ~400 lines" — split a long one by what its parts hold."""
    too_long = {path: lines for path, lines in _module_lengths().items() if lines > MAX_LINES}
    new = {path: lines for path, lines in too_long.items() if path not in STILL_TOO_LONG}
    assert not new, f"over {MAX_LINES} lines: {new}; split by what the parts hold"
    stale = STILL_TOO_LONG - set(too_long)
    assert not stale, f"{sorted(stale)}: no longer over {MAX_LINES} lines; remove from " \
        "STILL_TOO_LONG so it cannot grow back"


def _stdlib_imports(module: str) -> set[str]:
    """The top-level names a module imports from outside the package (``os``, ``pathlib``)."""
    visitor = _Imports(module.rpartition(".")[0])
    visitor.visit(ast.parse(module_names(PACKAGE)[module].read_text(encoding="utf-8")))
    names = {found if isinstance(found, str) else found[1] for found in visitor.found}
    return {name.partition(".")[0] for name in names} - {"pressroom", "__future__"}


def test_the_rules_engine_does_no_repository_io_and_keeps_no_cache(graph):
    """Issue #12: rules and checking, the engine separate from repository I/O and its cache.

    The engine (``check_engine``) imports no file-system module and none of pressroom's
    file, repository or cache modules; nothing it reaches reads a repository or the check
    cache. (It does reach ``pressroom.cache`` through ``rules.html`` -> ``markdown_render``,
    which also holds the build's Markdown cache; ``render_for_check`` itself uses none.)
    """
    direct = graph[ENGINE]
    assert not direct & ENGINE_MUST_NOT_IMPORT, sorted(direct & ENGINE_MUST_NOT_IMPORT)
    assert not _stdlib_imports(ENGINE) & FILE_SYSTEM_MODULES, _stdlib_imports(ENGINE)
    reached, todo = set(), [ENGINE]
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo += graph.get(name, ())
    assert not reached & ENGINE_MUST_NOT_REACH, sorted(reached & ENGINE_MUST_NOT_REACH)
    assert {"pressroom.checking.repo", "pressroom.checking.results"} <= set(graph) - reached
    assert ENGINE in graph["pressroom.checking.results"]
    assert ENGINE in graph["pressroom.checking.repo"]


def _registered(group: click.Group, prefix: tuple[str, ...] = ()
                ) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _registered(command, (*prefix, name))


def test_every_command_defined_is_registered_in_the_one_list():
    """A command written but left out of COMMANDS would silently not exist."""
    defined = set()
    for module in CLI_COMMAND_MODULES:
        namespace = vars(importlib.import_module(f"pressroom.cli.{module}"))
        defined |= {id(value) for value in namespace.values()
                    if isinstance(value, click.Command)}
    registered = {id(command) for _, command in _registered(cli)}
    assert defined == registered
    assert len(COMMANDS) == len(cli.commands)
    assert [cli.commands[command.name] for command in COMMANDS] == list(COMMANDS)


def _documentation() -> str:
    pages = [PROJECT / "README.md", *sorted((PROJECT / "docs").rglob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages if page.is_file())


def test_every_command_is_in_the_documentation():
    text = _documentation()
    missing = [" ".join(path) for path, _ in _registered(cli)
               if not re.search(rf"\bpressroom {re.escape(' '.join(path))}(?![\w-])", text)]
    assert not missing, f"not in README.md or docs/: {missing}"


def test_the_documentation_names_no_command_that_does_not_exist():
    """`pressroom WORD` in a code span or block must be a command (a renamed one is caught)."""
    text = _documentation()
    code = [re.sub(r"(^|\s)#.*", "", span, flags=re.M)  # a shell comment is prose
            for span in re.findall(r"```.*?```|`[^`\n]+`", text, re.S)]
    named = {word for span in code
             for word in re.findall(r"(?<![\w/.-])pressroom ([a-z][a-z-]*)(?![\w-])", span)}
    assert named, "no command found in the documentation's code"
    assert named <= set(cli.commands), sorted(named - set(cli.commands))


# --- one adapter: the only code that knows Pelican, Jinja and feedgen ----------------------

RENDERING_LIBRARIES = ("pelican", "jinja2", "feedgen")
ADAPTER = "pressroom.adapter"
# The pure model: values and decisions about posts, the roster, incidents, categories and
# dates. No I/O, no rendering library: only the standard library's pure parts and itself.
MODEL = tuple(f"pressroom.model.{name}" for name in (
    "alerts", "categories", "content", "dates", "drafts", "frontmatter", "header_fields",
    "incidents", "languages", "lifecycle", "translations",
    "roster", "violations", "wording"))
MODEL_MAY_IMPORT = {"__future__", "collections", "dataclasses", "datetime", "difflib", "re",
                    "tomllib", "typing", "unicodedata", "pressroom.rules.characters",
                    "pressroom.rules.slugs",
                    *MODEL}


def external_imports(path: Path) -> set[str]:
    """Every absolute module name ``path`` imports, at any depth (lazy imports count)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module" \
                and node.args and isinstance(node.args[0], ast.Constant):
            names.add(str(node.args[0].value))
    return names


def test_only_the_adapter_imports_pelican_jinja_or_feedgen():
    offenders = []
    for name, path in module_names(PACKAGE).items():
        if name == ADAPTER or name.startswith(ADAPTER + "."):
            continue
        for imported in external_imports(path):
            if imported.split(".")[0] in RENDERING_LIBRARIES:
                offenders.append(f"{name} imports {imported}")
    assert not offenders, "\n".join(offenders)


WEB_LIBRARIES = ("flask", "werkzeug")
DESK = "pressroom.desk"


def test_only_the_desk_imports_flask_and_the_desk_imports_no_rendering_library():
    """Issue #13: the review desk is a Flask app. Flask may be imported only by
    pressroom/desk/ (Jinja comes with it, but the desk reaches it only through Flask's
    ``render_template``: importing jinja2, Pelican or feedgen stays the adapter's alone)."""
    offenders = []
    for name, path in module_names(PACKAGE).items():
        in_desk = name == DESK or name.startswith(DESK + ".")
        for imported in external_imports(path):
            if imported.split(".")[0] in WEB_LIBRARIES and not in_desk:
                offenders.append(f"{name} imports {imported}")
    assert not offenders, "\n".join(offenders)
    desk_imports = {imported for name, path in module_names(PACKAGE).items()
                    if name.startswith(DESK + ".") for imported in external_imports(path)}
    assert "flask" in desk_imports  # (the scan reads the desk's real sources)


def test_the_adapter_is_found_by_the_check(tmp_path):
    """The check above sees a lazy import and an import_module call (it cannot pass blind)."""
    module = tmp_path / "m.py"
    module.write_text("def later():\n    from pelican.utils import x\n"
                      "import importlib\nimportlib.import_module('jinja2.meta')\n")
    assert {"pelican.utils", "jinja2.meta", "importlib"} <= external_imports(module)
    assert "pelican" in {n.split(".")[0] for n in external_imports(PACKAGE / "adapter/engine.py")}


def test_the_model_is_pure():
    """Posts, roster, incidents, categories and dates: no I/O, no library, no other layer."""
    for name in MODEL:
        path = module_names(PACKAGE)[name]
        extra = {imported for imported in external_imports(path)
                 if imported not in MODEL_MAY_IMPORT
                 and imported.split(".")[0] not in {"collections", "datetime"}}
        assert not extra, f"{name} imports {sorted(extra)}"


# The only pressroom names in Pelican's settings: the department's own settings (data from
# policy/site.toml and pelicanconf.py, read by templates). Not even the build session: every
# template can read the settings (tests/test_attack_overrides.py).
SETTINGS_NAMES = {"PRESSROOM_CONTACT", "PRESSROOM_FEED_MAX_ITEMS", "PRESSROOM_ALERTS",
                  "PRESSROOM_WEBSUB_HUB", "PRESSROOM_LANGUAGES", "PRESSROOM_BRANDING",
                  "PRESSROOM_SITE_URL",
                  "PRESSROOM_CATEGORIES", "PRESSROOM_CATEGORY_NAMES", "PRESSROOM_PARALLEL_FROM",
                  "PRESSROOM_RENDER_BATCH"}


def test_build_steps_talk_through_the_session_not_the_settings_dict():
    """A plugin leaving a result under a new PRESSROOM_* settings key fails here: results
    belong in ``BuildSession`` fields (named, typed, owned by the build)."""
    found = {}
    for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.html")]:
        for name in re.findall(r"\bPRESSROOM_[A-Z_]+\b", path.read_text(encoding="utf-8")):
            found.setdefault(name, path.relative_to(PROJECT).as_posix())
    unknown = {name: where for name, where in found.items() if name not in SETTINGS_NAMES}
    assert not unknown, unknown
    assert "PRESSROOM_CONTACT" in found  # (the scan reads the real sources)
