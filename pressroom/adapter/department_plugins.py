"""Running a department's own Pelican plugins, after pressroom's, for one build.

Which plugins may run was decided before (``pressroom.repo.overrides``: listed in
``policy/site.toml``, and either the verified commit's tree under ``publish`` or a
``plugins/`` folder identical to main's). Here each one is imported from its file under
a module name of its own (``pressroom_department_<digest>_<name>``), never its bare
name, so a plugin called ``markdown`` or ``pelican`` cannot stand in for an installed
package and no installed package can stand in for it. Nothing is imported from
anywhere else: the folder is not put on ``sys.path``, and no bytecode is written
beside the approved source.

A plugin connects to Pelican's signals, which are global; after the build
(``unloaded``) every receiver a department module connected is disconnected and the
modules are forgotten, so the next build in the same process (tests, a server) starts
from pressroom's plugins alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from pelican.plugins import signals

from pressroom.model.violations import InputError

PREFIX = "pressroom_department_"


def _load(name: str, path: Path) -> ModuleType:
    tag = hashlib.sha256(f"{path}\0".encode() + path.read_bytes()).hexdigest()[:12]
    module_name = f"{PREFIX}{tag}_{name}"
    package = [str(path.parent)] if path.name == "__init__.py" else None
    spec = importlib.util.spec_from_file_location(module_name, path,
                                                  submodule_search_locations=package)
    if spec is None or spec.loader is None:
        raise InputError(f"{path}: cannot load plugin {name!r}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # a package's relative imports look for it there
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise InputError(f"plugin {name!r} ({path.name}) failed to load: "
                         f"{type(exc).__name__}: {exc}") from exc
    if not callable(getattr(module, "register", None)):
        raise InputError(f"plugin {name!r} ({path.name}) has no register() function")
    return module


def _forget() -> None:
    """Disconnect every receiver of a department module; drop the modules."""
    for signal in vars(signals).values():
        if not isinstance(getattr(signal, "receivers", None), dict):
            continue
        for receiver in _receivers(signal):
            if getattr(receiver, "__module__", "").startswith(PREFIX):
                signal.disconnect(receiver)
    for module_name in [n for n in sys.modules if n.startswith(PREFIX)]:
        del sys.modules[module_name]


def _receivers(signal) -> list:
    """A signal's receivers (blinker keeps weak references to most of them)."""
    found = []
    for ref in list(signal.receivers.values()):
        receiver = ref() if isinstance(ref, weakref.ref) else ref
        if receiver is not None:
            found.append(receiver)
    return found


@contextlib.contextmanager
def loaded(plugins: tuple[tuple[str, Path], ...]) -> Iterator[list[ModuleType]]:
    """The department's plugin modules, imported for the length of one build."""
    writing = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        yield [_load(name, path) for name, path in plugins]
    finally:
        sys.dont_write_bytecode = writing
        _forget()
