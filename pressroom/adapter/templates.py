"""The Jinja environment every page is rendered in: sandboxed, department templates first.

Templates are code: a plain Jinja template reaches Python through attributes
(``{{ ''.__class__.__mro__ }}``, ``cycler.__init__.__globals__``). A department may
override pressroom's templates (``pressroom.repo.overrides``), and a working folder's
templates are nobody's approved code, so as soon as a department has one template of its
own, every template of the build — pressroom's and the department's — is rendered in
Jinja's ``SandboxedEnvironment``. An attribute escape fails the page, and the build reports
it once, naming the template and line (``refusal``). With no department template, only
pressroom's own templates (package code) render, with plain Jinja: the sandbox's checks on
every attribute cost a 1,000-page build a few per cent, for nothing to guard against.

Template names resolve in this order:

1. ``pressroom/<name>``: pressroom's own template, so a department ``base.html`` can
   ``{% extends "pressroom/base.html" %}`` and change one block;
2. the department's ``theme/templates/<name>`` (text read by ``pressroom.repo.overrides``,
   never a file opened here: no link or path outside theme/ can be reached);
3. pressroom's theme (``pressroom/adapter/theme/templates``), then Pelican's ``simple``
   theme and its ``!simple``/``!theme`` prefixes, as Pelican's own environment has them.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path, PurePath
from types import ModuleType, TracebackType
from typing import Any

import pelican
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    TemplateNotFound,
)
from jinja2.bccache import FileSystemBytecodeCache
from jinja2.exceptions import TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from pelican import Pelican
from pelican.generators import Generator

from pressroom import cache
from pressroom.adapter import i18n
from pressroom.adapter.cards import ContentStore
from pressroom.adapter.session import BuildSession, current
from pressroom.render.site import THEME_PATH
from pressroom.repo.overrides import OWN_PREFIX, TEMPLATES

SIMPLE_TEMPLATES = Path(pelican.__file__).parent / "themes" / "simple" / "templates"


class DepartmentLoader(BaseLoader):
    """The department's templates, from text already read and refused where unsafe.

    Each template's file name is its repository path (``theme/templates/base.html``), so
    an error in it names the department's file.
    """

    def __init__(self, templates: dict[str, str]) -> None:
        self.templates = dict(templates)

    def get_source(self, environment, template: str):
        source = self.templates.get(template)
        if source is None:
            raise TemplateNotFound(template)
        return source, f"{TEMPLATES}/{template}", lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.templates)


def loader(theme: str, templates: dict[str, str]) -> ChoiceLoader:
    """Names resolve as the module docstring says; ``theme`` is pressroom's theme folder
    (the enforced ``THEME`` setting)."""
    ours = FileSystemLoader(str(Path(theme) / "templates"))
    simple = FileSystemLoader(str(SIMPLE_TEMPLATES))
    loaders: list[BaseLoader] = [PrefixLoader({OWN_PREFIX: ours})]
    if templates:
        loaders.append(DepartmentLoader(templates))
    loaders += [ours, simple, PrefixLoader({"!simple": simple, "!theme": ours})]
    return ChoiceLoader(loaders)


class Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, failing on an unsafe attribute, with its verdict on an attribute
    remembered per type and name.

    Jinja decides from the attribute's name and the kind of object alone (a leading
    underscore; a function's, method's, type's, frame's or generator's internals), so the
    verdict for one (type, name) holds for every object of that type; remembering it keeps
    the sandbox's cost off the thousands of pages a build renders.
    """

    _verdicts: dict[tuple[type, str], bool] = {}

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        """Refuse at once: Jinja would return an undefined value that prints as nothing,
        so ``{{ ''.__class__ }}`` would pass silently; an escape attempt fails the build."""
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} "
                            f"object is unsafe.")

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = not isinstance(obj, HANDLES) and \
                super().is_safe_attribute(obj, attr, value)
        return verdict


# Objects whose public methods act on the world (files, databases, modules, the build): Jinja's
# sandbox allows calling public methods, so a template must not reach into these at all (a
# ``Path`` in a context would read, write and delete files). Defence in depth: none of them is
# meant to be in a template's context (the build session is not in the settings).
HANDLES: tuple[type, ...] = (PurePath, io.IOBase, sqlite3.Connection, sqlite3.Cursor,
                             ModuleType, BuildSession, ContentStore, Pelican, Generator)


def environment(settings: dict[str, Any]) -> Environment:
    """A build's Jinja environment (Pelican adds its filters, globals and tests to it): the
    sandbox whenever the department has templates of its own, else plain Jinja. Either way
    with gettext (``_``) in the page's language (``pressroom.adapter.i18n``), for
    pressroom's templates and the department's alike."""
    session = current()
    templates = session.overrides.templates if session is not None else {}
    kind = Sandbox if templates else Environment
    env = kind(loader=loader(settings["THEME"], templates), **settings["JINJA_ENVIRONMENT"],
               bytecode_cache=_bytecode_cache(session, kind, settings))
    i18n.install(env)
    return env


def _bytecode_cache(session: BuildSession | None, kind: type,
                    settings: dict[str, Any]) -> FileSystemBytecodeCache | None:
    """Compiled templates kept between builds (every warm build compiled all of them
    again: a tenth of a second or more). Jinja keys each by the template's name and source;
    the folder is keyed by pressroom's code, the environment's kind and its options, which
    change the compiled code; it is the repository's cache folder, inside ``.git``, where
    no branch can put a file."""
    if session is None:
        return None
    options = repr(sorted((str(k), repr(v)) for k, v in settings["JINJA_ENVIRONMENT"].items()))
    where = cache.folder(session.repo) / "jinja" / cache.key(kind.__name__, options)
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only repository builds without it
    return FileSystemBytecodeCache(str(where))


class SandboxedTemplates:
    """Mixed into every generator: the environment Pelican makes for it is replaced by
    ``environment()`` the moment Pelican assigns it, before any plugin sees it."""

    settings: dict[str, Any]

    @property
    def env(self) -> Environment:
        return self.__dict__["_pressroom_env"]

    @env.setter
    def env(self, _pelicans: Any) -> None:
        self.__dict__["_pressroom_env"] = environment(self.settings)


_SANDBOXED: dict[type, type] = {}


def sandboxed(cls: type) -> type:
    """``cls`` (a Pelican generator class) rendering in the sandbox."""
    if issubclass(cls, SandboxedTemplates):
        return cls
    if cls not in _SANDBOXED:
        _SANDBOXED[cls] = type(cls.__name__, (SandboxedTemplates, cls), {})
    return _SANDBOXED[cls]


def template_frame(tb: TracebackType | None) -> str:
    """The innermost template file and line of a traceback, or "".

    ``render`` rewrites a template's frames to its own file and line; a block rendered
    directly (the banner region) leaves the compiled code's frames, mapped back here.
    """
    where = ""
    root = str(THEME_PATH.parents[2]) + "/"
    while tb is not None:
        name, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None:
            name, line = template.filename or name, template.get_corresponding_lineno(line)
        if name.startswith(TEMPLATES + "/") or name.endswith(".html"):
            shown = name[len(root):] if name.startswith(root) else name
            where = f"{shown}:{line}"
        tb = tb.tb_next
    return where


def template_error(exc: TemplateError) -> str:
    """One line for a template that could not be found, parsed or rendered: its file and
    line first (a department's by its repository path), as every other error names them."""
    where = ""
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        root = str(THEME_PATH.parents[2]) + "/"
        name = exc.filename[len(root):] if exc.filename.startswith(root) else exc.filename
        where = f"{name}:{exc.lineno}"
    where = where or template_frame(exc.__traceback__) or "a template"
    return f"{where}: {type(exc).__name__}: {exc.message or exc}"


def refusal(exc: BaseException) -> str | None:
    """One line for a template the sandbox stopped (the same for every page it renders),
    or None when ``exc`` is not the sandbox's."""
    if not isinstance(exc, SecurityError):
        return None
    where = template_frame(exc.__traceback__) or "a template"
    return f"{where}: the template sandbox refused it: {exc}"
