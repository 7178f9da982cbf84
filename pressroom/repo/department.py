"""A department's settings, read as data: ``policy/site.toml`` and ``pelicanconf.py``.

Checking or reviewing a branch must never run code from it (a ``sys.exit(3)`` or
worse in a settings file would otherwise run on the supervisor's machine and on the
server). So this one loader reads both files without executing them:

* ``policy/site.toml`` holds what the content rules and every command need — the
  site's name, public address, time zone, language and contact details. It sits
  under ``policy/`` because these are the department's settings, approved like the
  roster and the rules.
* ``pelicanconf.py`` may still tune Pelican (pagination, date formats, ...), but only
  as plain ``NAME = value`` lines whose values are literals: it is parsed with
  ``ast``, never imported or run. Anything else in it is refused with its line.
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pressroom.model.alerts import DEFAULT_EVENT_CODE
from pressroom.model.branding import MAX_SEAL_BYTES, Branding
from pressroom.model.languages import Languages
from pressroom.model.violations import InputError, Violation
from pressroom.model.wording import did_you_mean
from pressroom.repo.files import NotRegularFile, read_optional, regular_size
from pressroom.repo.overrides import plugin_file
from pressroom.repo.site_sections import (
    SECTIONS,
    SITE_PATH,
    _alerts,
    _branding,
    _deploy,
    _feeds,
    _key_line,
    _languages,
    _plugins,
    _problem,
    _section_key_line,
    _toml_line,
)
from pressroom.rules.characters import forbidden_character

PELICAN_PATH = "pelicanconf.py"

CONTACT_KEYS = ("emergency", "non_emergency", "address", "hours", "email", "records")
# [site] key -> (the Pelican setting it becomes, its default)
SITE_KEYS: dict[str, tuple[str, str]] = {
    "name": ("SITENAME", "Police Department"),
    "url": ("SITEURL", "https://police.example"),
    "description": ("SITE_DESCRIPTION",
                    "News, safety alerts and announcements from the police department."),
    "author": ("AUTHOR", "Public Information Office"),
    "timezone": ("TIMEZONE", "America/Los_Angeles"),
    "language": ("DEFAULT_LANG", "en"),
}
# Settings that only policy/site.toml decides: pelicanconf.py may not set them.
DEPARTMENT_SETTINGS = {setting: key for key, (setting, _) in SITE_KEYS.items()}
DEPARTMENT_SETTINGS["PRESSROOM_CONTACT"] = "[contact]"
DEPARTMENT_SETTINGS["PRESSROOM_ALERTS"] = "[alerts]"
DEPARTMENT_SETTINGS["PRESSROOM_WEBSUB_HUB"] = "[feeds] websub_hub"
DEPARTMENT_SETTINGS["PRESSROOM_LANGUAGES"] = "[languages]"
DEPARTMENT_SETTINGS["PRESSROOM_BRANDING"] = "[branding]"
DEPARTMENT_SETTINGS["PRESSROOM_SITE_URL"] = "[site] url"


@dataclass(frozen=True)
class Department:
    """The department's site settings (``policy/site.toml``, defaults where absent)."""

    name: str = SITE_KEYS["name"][1]
    url: str = SITE_KEYS["url"][1]
    description: str = SITE_KEYS["description"][1]
    author: str = SITE_KEYS["author"][1]
    timezone: str = SITE_KEYS["timezone"][1]
    language: str = SITE_KEYS["language"][1]
    contact: tuple[tuple[str, str], ...] = field(
        default=(("emergency", "911"),) + tuple((k, "") for k in CONTACT_KEYS[1:]))
    # [build] plugins: the department's own Pelican plugins, run after pressroom's by
    # ``build`` and ``publish`` only (``pressroom.overrides``).
    plugins: tuple[str, ...] = ()
    # [deploy]: where ``pressroom deploy`` copies the published site (bucket, prefix, ...).
    deploy: tuple[tuple[str, str], ...] = ()
    # [alerts]: what the IPAWS profile needs of the department (pressroom.model.alerts):
    # the SAME (FIPS) codes of the area it serves and its default SAME event code.
    same_geocodes: tuple[str, ...] = ()
    event_code: str = DEFAULT_EVENT_CODE
    # [feeds] websub_hub: the WebSub hub ``publish`` notifies when feeds change.
    websub_hub: str = ""
    # [languages]: the site's language first, then those posts are translated into.
    languages: Languages = field(default_factory=Languages)
    # [branding]: seal, its description, colours (checked for WCAG AA contrast).
    branding: Branding = field(default_factory=Branding)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def pelican_settings(self) -> dict[str, Any]:
        """The same values under the names Pelican and the theme read."""
        out: dict[str, Any] = {setting: getattr(self, key)
                               for key, (setting, _) in SITE_KEYS.items()}
        out["PRESSROOM_CONTACT"] = dict(self.contact)
        out["PRESSROOM_ALERTS"] = {"same_geocodes": list(self.same_geocodes),
                                   "event_code": self.event_code}
        out["PRESSROOM_WEBSUB_HUB"] = self.websub_hub
        out["PRESSROOM_LANGUAGES"] = self.languages.settings()
        out["PRESSROOM_BRANDING"] = self.branding.settings()
        # The absolute address canonical links and Open Graph use: SITEURL in a page is
        # relative when RELATIVE_URLS is on (the default).
        out["PRESSROOM_SITE_URL"] = self.url.rstrip("/")
        return out


def _settings(name: str, line: int, message: str) -> InputError:
    return InputError.of(Violation(name, line, "SETTINGS", message))


def parse_department(text: str) -> Department:
    """``policy/site.toml`` text -> ``Department``; an ``InputError`` names the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _problem(_toml_line(text, str(exc)), f"not valid TOML: {exc}") from exc
    for section in data:
        if section not in SECTIONS:
            raise _problem(_key_line(text, section),
                           f"unknown section [{section}]{did_you_mean(section, SECTIONS)} "
                           f"(use {', '.join(f'[{name}]' for name in SECTIONS)})")
    values: dict[str, Any] = {}
    for key, value in data.get("site", {}).items():
        if key not in SITE_KEYS:
            raise _problem(_key_line(text, key), f"unknown key {key!r} in [site]"
                                                 f"{did_you_mean(key, SITE_KEYS)} (known: "
                                                 f"{', '.join(SITE_KEYS)})")
        if not isinstance(value, str) or not value.strip():
            raise _problem(_key_line(text, key), f"[site] {key} must be a non-empty string")
        if forbidden_character(value):
            raise _problem(_key_line(text, key), f"[site] {key} holds control character "
                                                 f"{forbidden_character(value)}; delete it")
        values[key] = value.strip()
    contact = dict(Department().contact)
    for key, value in data.get("contact", {}).items():
        if key not in CONTACT_KEYS:
            raise _problem(_key_line(text, key), f"unknown key {key!r} in [contact]"
                                                 f"{did_you_mean(key, CONTACT_KEYS)} (known: "
                                                 f"{', '.join(CONTACT_KEYS)})")
        if not isinstance(value, str):
            raise _problem(_key_line(text, key), f"[contact] {key} must be a string")
        if forbidden_character(value):
            raise _problem(_key_line(text, key), f"[contact] {key} holds control character "
                                                 f"{forbidden_character(value)}; delete it")
        contact[key] = value
    department = Department(**values, contact=tuple(contact.items()),
                            plugins=_plugins(text, data.get("build", {})),
                            deploy=_deploy(text, data.get("deploy", {})),
                            **_alerts(text, data.get("alerts", {})),
                            websub_hub=_feeds(text, data.get("feeds", {})),
                            languages=_languages(text, data.get("languages", {}),
                                                 values.get("language", "en")),
                            branding=_branding(text, data.get("branding", {})))
    try:
        department.tz  # noqa: B018 - validate now, with the line, not deep in a build
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _problem(_key_line(text, "timezone"),
                       f"timezone {department.timezone!r} is not a time zone "
                       f"(e.g. \"America/Los_Angeles\")") from exc
    return department


def load_department(repo: Path) -> Department:
    """The department at ``repo`` (defaults when it has no ``policy/site.toml``).

    Each plugin ``[build] plugins`` names must be in the repository (``plugins/<name>.py``
    or ``plugins/<name>/__init__.py``); its file is looked at, never imported here.
    """
    data = read_optional(repo, SITE_PATH)
    if data is None:
        return Department()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _problem(0, "not UTF-8 text") from exc
    department = parse_department(text)
    for name in department.plugins:
        try:
            found = plugin_file(repo, name)
        except NotRegularFile as exc:  # a link or special file: refused by name, not missing
            raise exc.input_error() from exc
        if found is None:
            raise _problem(_key_line(text, "plugins"),
                           f"[build] plugins: {name!r} is neither plugins/{name}.py nor "
                           f"plugins/{name}/__init__.py in the repository")
    seal = department.branding.seal
    size = regular_size(repo, seal) if seal else 0
    if size is None:  # the build copies it; a share would show none
        raise _problem(_section_key_line(text, "branding", "seal"),
                       f"[branding] seal {seal!r} is not a file in the repository")
    if size > MAX_SEAL_BYTES:
        raise _problem(_section_key_line(text, "branding", "seal"),
                       f"[branding] seal {seal!r} is {size:,} bytes; every page loads it, so "
                       f"at most {MAX_SEAL_BYTES:,} (1200x630 PNG is plenty)")
    return department


def parse_pelican_settings(text: str, name: str = PELICAN_PATH) -> dict[str, Any]:
    """Plain ``NAME = literal`` lines of a Pelican settings file, read without running it."""
    try:
        tree = ast.parse(text, filename=name)
    except SyntaxError as exc:
        raise _settings(name, exc.lineno or 0, f"cannot read settings: {exc.msg}") from exc
    settings: dict[str, Any] = {}
    for number, node in enumerate(tree.body):
        if number == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            continue  # the module's docstring
        target = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target = node.target
        if not isinstance(target, ast.Name):
            raise _settings(
                name, node.lineno, "cannot read settings: only plain "
                f"`NAME = value` lines are read (pressroom never runs settings code); "
                f"this line is {type(node).__name__.lower()} code")
        try:
            value = ast.literal_eval(node.value)  # type: ignore[arg-type]
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
            raise _settings(
                name, node.lineno, f"cannot read settings: {target.id} must be "
                f"a plain value (text, number, list, dict ...), not an expression") from exc
        control = _control_in(value)
        if control:
            raise _settings(name, node.lineno,
                            f"{target.id} holds control character {control}; delete it")
        if target.id in DEPARTMENT_SETTINGS:
            raise _settings(
                name, node.lineno, f"{target.id} is a department setting: set "
                f"it in {SITE_PATH} ({DEPARTMENT_SETTINGS[target.id]})")
        if target.id not in PELICAN_ALLOWED:
            raise _settings(
                name, node.lineno, f"{target.id} cannot be set here; a "
                f"department may tune only {', '.join(sorted(PELICAN_ALLOWED))} (the theme, "
                f"plugins, paths and readers are pressroom's, so no setting can reach "
                f"outside the site or run code)")
        problem = PELICAN_ALLOWED[target.id](value)
        if problem:
            raise _settings(name, node.lineno, f"{target.id} must be {problem}")
        settings[target.id] = value
    return settings


def _count(minimum: int, *, off: bool = False) -> Any:
    def judge(value: Any) -> str | None:
        if off and value in (False, None):
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            return f"a whole number of at least {minimum}" + (" (or False)" if off else "")
        return None
    return judge


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "True or False"


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else "text in quotes"


def _date_formats(value: Any) -> str | None:
    ok = isinstance(value, dict) and all(
        isinstance(k, str) and (isinstance(v, str) or (
            isinstance(v, tuple) and len(v) == 2 and all(isinstance(x, str) for x in v)))
        for k, v in value.items())
    return None if ok else 'a dict of language -> format, e.g. {"en": "%-d %b %Y"}'


def _substitutions(value: Any) -> str | None:
    ok = isinstance(value, (list, tuple)) and all(
        isinstance(pair, (list, tuple)) and len(pair) == 2
        and all(isinstance(x, str) for x in pair) for pair in value)
    if ok:
        try:
            for pattern, _ in value:
                re.compile(pattern)
        except re.error:
            ok = False
    return None if ok else "a list of (regular expression, replacement) pairs"


# The Pelican settings a department may tune in pelicanconf.py, each with its check. The
# rest (theme, plugins, paths, readers, output names, metadata) are pressroom's: one of
# them once copied ~/.ssh into the site or ran a template from anywhere.
PELICAN_ALLOWED: dict[str, Any] = {
    "DEFAULT_PAGINATION": _count(1, off=True),
    "DEFAULT_ORPHANS": _count(0),
    "RELATIVE_URLS": _flag,
    "NEWEST_FIRST_ARCHIVES": _flag,
    "DEFAULT_DATE_FORMAT": _text,
    "DATE_FORMATS": _date_formats,
    "SUMMARY_MAX_LENGTH": _count(0, off=True),
    "SLUG_REGEX_SUBSTITUTIONS": _substitutions,
    "TAG_REGEX_SUBSTITUTIONS": _substitutions,
    "CATEGORY_REGEX_SUBSTITUTIONS": _substitutions,
    "PRESSROOM_FEED_MAX_ITEMS": _count(1),
    "PRESSROOM_PARALLEL_FROM": _count(1),  # tuning: when pages render on several cores
    "PRESSROOM_RENDER_BATCH": _count(1),
}


def _control_in(value: Any) -> str | None:
    """A character no page or feed can carry, anywhere inside a literal setting value."""
    if isinstance(value, str):
        return forbidden_character(value)
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return next(filter(None, map(_control_in, value)), None)
    return None


def load_pelican_settings(root: Path, rel: str) -> dict[str, Any]:
    """A Pelican settings file read as data (see ``parse_pelican_settings``); {} if absent."""
    name = rel
    data = read_optional(root, rel)
    if data is None:
        return {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _settings(name, 0, "cannot read settings: not UTF-8 text") from exc
    return parse_pelican_settings(text, name)


def _languages_alone(repo: Path) -> Languages:
    """``[languages]`` (and ``[site] language``) of a site.toml that failed elsewhere, or
    the defaults when they do not read either."""
    try:
        text = (read_optional(repo, SITE_PATH) or b"").decode("utf-8")
        data = tomllib.loads(text)
        site = data.get("site", {})
        default = site.get("language", "en") if isinstance(site, dict) else "en"
        return _languages(text, data.get("languages", {}), default)
    except (InputError, UnicodeDecodeError, tomllib.TOMLDecodeError, NotRegularFile):
        return Languages()


def read_settings_files(repo: Path) -> tuple[Department, list[Violation]]:
    """The department's settings files as ``check`` sees them: the department (defaults
    when ``policy/site.toml`` is unusable) and each problem as a violation.

    ``check`` (and so the hook and ``approve``) must refuse a settings file that would
    stop every later build — not only ``build`` and ``publish`` when it is too late."""
    department, problems = Department(), []
    try:
        department = load_department(repo)
    except InputError as exc:
        problems.append(exc.violation or Violation(SITE_PATH, 0, "SITE-CONFIG", str(exc)))
        # One bad value elsewhere (a colour) must not make every translation "a language
        # this site does not publish in": keep the languages when they themselves read.
        department = Department(languages=_languages_alone(repo))
    try:
        load_pelican_settings(repo, PELICAN_PATH)
    except InputError as exc:
        problems.append(exc.violation or Violation(PELICAN_PATH, 0, "SETTINGS", str(exc)))
    return department, problems
