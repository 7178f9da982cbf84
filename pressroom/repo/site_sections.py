"""The sections of ``policy/site.toml`` beyond [site] and [contact]: each value checked
here, with its line, so ``check`` refuses a typo before a build, deploy or alert uses it.

Split from ``pressroom.repo.department`` (the loader) to keep each module short; the
loader calls these and only these.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from typing import Any

from pressroom.model.alerts import SAME_EVENT_CODES, SAME_GEOCODE
from pressroom.model.branding import HEX, Branding, contrast_problems, normal, seal_problem
from pressroom.model.languages import KNOWN, Languages, language_problem
from pressroom.model.violations import InputError, Violation
from pressroom.model.wording import did_you_mean

SITE_PATH = "policy/site.toml"


def _toml_line(text: str, message: str) -> int:
    found = re.search(r"at line (\d+)", message)
    return int(found.group(1)) if found else 0


def _key_line(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line) or line.strip() == f"[{key}]":
            return number
    return 0


def _problem(line: int, message: str) -> InputError:
    return InputError.of(Violation(SITE_PATH, line, "SITE-CONFIG", message))


SECTIONS = ("site", "contact", "build", "deploy", "alerts", "feeds", "languages", "branding")
# The rule --websub-hub and [feeds] websub_hub follow. The address goes into every public
# feed and is what urllib posts to, so: no user name or password (it would be published),
# no character XML cannot carry (the feeds would not build), no backslash (a browser reads
# it as "/", urllib does not: readers and publish would name different hosts).
_URL_CHAR = "[^\\s<>\"'\\\\\x00-\x1f\x7f-\x9f]"
HUB_URL = re.compile(f"https?://(?:(?![@/?#]){_URL_CHAR})+(?:[/?#]{_URL_CHAR}*)?")
_CREDENTIALS = re.compile(r"https?://[^/?#\\]*@", re.IGNORECASE)


def hub_problem(hub: str, name: str = "--websub-hub") -> str:
    """Why ``hub`` cannot be a WebSub hub's address, or "" (http or https, no spaces, no
    credentials, no control characters or backslashes). ``name`` is where it was given.
    A refused address with credentials is not repeated (the line may reach a CI log)."""
    if HUB_URL.fullmatch(hub):
        return ""
    if _CREDENTIALS.match(hub):
        return (f"{name} must not carry a user name or password: every feed shows the hub's "
                f"address to the public; give the hub's plain address, e.g. "
                f"https://pubsubhubbub.appspot.com/")
    shown = ascii(hub) if not hub.isprintable() else repr(hub)
    return (f"{name} {shown} is not an http(s) address without spaces, e.g. "
            f"https://pubsubhubbub.appspot.com/")



def _section(text: str, name: str, data: Any, known: Iterable[str]) -> dict[str, Any]:
    """``[name]`` as a table of known keys only; a stray key names itself and its line."""
    if not isinstance(data, dict):
        raise _problem(_key_line(text, name), f"{name} must be a section: [{name}]")
    known = tuple(known)
    for key in data:
        if key not in known:
            raise _problem(_key_line(text, key), f"unknown key {key!r} in [{name}]"
                                                 f"{did_you_mean(key, known)} (known: "
                                                 f"{', '.join(known)})")
    return data


def _alerts(text: str, alerts: Any) -> dict[str, Any]:
    """``[alerts]``: ``same_geocodes`` (six-digit SAME/FIPS codes of the area served, e.g.
    ["006037"]) and ``event_code`` (the default SAME event code, e.g. "LEW")."""
    alerts = _section(text, "alerts", alerts, ("same_geocodes", "event_code"))
    out: dict[str, Any] = {}
    if "same_geocodes" in alerts:
        codes = alerts["same_geocodes"]
        if not isinstance(codes, list) or not codes or not all(
                isinstance(c, str) and SAME_GEOCODE.match(c) for c in codes):
            raise _problem(_key_line(text, "same_geocodes"),
                           '[alerts] same_geocodes must be a list of six-digit SAME codes '
                           '(0 + FIPS state + county), e.g. ["006037"]')
        out["same_geocodes"] = tuple(codes)
    if "event_code" in alerts:
        code = alerts["event_code"]
        if not isinstance(code, str) or code not in SAME_EVENT_CODES:
            raise _problem(_key_line(text, "event_code"),
                           f"[alerts] event_code must be a SAME event code (one of: "
                           f"{', '.join(SAME_EVENT_CODES)})")
        out["event_code"] = code
    return out


def _languages(text: str, languages: Any, default: str) -> Languages:
    """``[languages]``: ``translations`` (the languages besides ``[site] language`` posts are
    translated into, e.g. ["es"]) and ``required`` (those every safety alert and incident
    update needs a translation into: TRANSLATION-MISSING)."""
    if language_problem(default):
        raise _problem(_key_line(text, "language"), f"[site] language {language_problem(default)}")
    languages = _section(text, "languages", languages, ("translations", "required"))
    lists: dict[str, list[str]] = {}
    for key in ("translations", "required"):
        value = languages.get(key, [])
        if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
            raise _problem(_key_line(text, key),
                           f'[languages] {key} must be a list of language codes, e.g. ["es"]')
        for code in value:
            if language_problem(code):
                raise _problem(_key_line(text, key), f"[languages] {key}: "
                                                     f"{language_problem(code)}")
        if len(set(value)) != len(value) or default in value:
            raise _problem(_key_line(text, key),
                           f"[languages] {key} names a language twice (the site's own "
                           f"language, {default!r}, is never listed)")
        lists[key] = value
    for code in lists["required"]:
        if code not in lists["translations"]:
            raise _problem(_key_line(text, "required"),
                           f"[languages] required: {code!r} is not in translations")
    return Languages(KNOWN[default], tuple(KNOWN[code] for code in lists["translations"]),
                     tuple(lists["required"]))


def _feeds(text: str, feeds: Any) -> str:
    """``[feeds] websub_hub``: the WebSub hub's http(s) address, or nothing."""
    feeds = _section(text, "feeds", feeds, ("websub_hub",))
    hub = feeds.get("websub_hub", "")
    if not isinstance(hub, str) or (hub and hub_problem(hub)):
        raise _problem(_key_line(text, "websub_hub"),
                       hub_problem(hub, "[feeds] websub_hub") if isinstance(hub, str) else
                       "[feeds] websub_hub must be an http(s) address, e.g. "
                       "https://pubsubhubbub.appspot.com/")
    return hub


# [deploy] key -> what its value must look like (all text; credentials are never here).
DEPLOY_KEYS: dict[str, tuple[str, str]] = {
    "bucket": (r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", "a bucket name (3-63 of a-z 0-9 . -)"),
    "prefix": (r"([A-Za-z0-9._-]+/)*", 'a folder in the bucket ending in "/", e.g. "www/"'),
    "endpoint_url": (r"https?://[^\s]+", "an http(s) address, e.g. https://s3.example.net"),
    "region": (r"[a-z0-9-]+", "a region name, e.g. us-west-2"),
    "site_url": (r"https?://[^\s]+", "the public address, e.g. https://www.pd.example"),
    "site": (r"/[^\x00-\x1f]*", "the absolute path publish --target serves"),
}


def _deploy(text: str, deploy: Any) -> tuple[tuple[str, str], ...]:
    """``[deploy]``: where ``pressroom deploy`` copies the site; each value checked here,
    with its line, so ``check`` refuses a typo before a deploy is attempted."""
    deploy = _section(text, "deploy", deploy, DEPLOY_KEYS)
    for key, value in deploy.items():
        pattern, what = DEPLOY_KEYS[key]
        if not isinstance(value, str) or not re.fullmatch(pattern, value):
            raise _problem(_key_line(text, key), f"[deploy] {key} must be {what}")
    return tuple(sorted(deploy.items()))


def _plugins(text: str, build: Any) -> tuple[str, ...]:
    """``[build] plugins``: a list of distinct module names (identifiers), in run order."""
    build = _section(text, "build", build, ("plugins",))
    names = build.get("plugins", [])
    line = _key_line(text, "plugins")
    if not isinstance(names, list):
        raise _problem(line, '[build] plugins must be a list of names, e.g. ["footer_links"]')
    for name in names:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) \
                or not name.isascii():
            raise _problem(line, f"[build] plugins: {name!r} is not a plugin name (a Python "
                                 f"module name such as footer_links)")
    if len(set(names)) != len(names):
        raise _problem(line, "[build] plugins names a plugin twice")
    return tuple(names)


BRANDING_KEYS = ("seal", "logo_alt", "primary", "primary_text", "accent", "background",
                 "text", "link")


def _section_key_line(text: str, section: str, key: str) -> int:
    """The line of ``key = ...`` inside ``[section]`` (keys such as ``text`` are common
    words: the first match in the file may be another section's)."""
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            inside = header.group(1).strip() == section
        elif inside and re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return _key_line(text, section)


def _branding(text: str, branding: Any) -> Branding:
    """``[branding]``: ``seal`` (an image in the repository), ``logo_alt`` (what the seal
    shows, for people who cannot see it) and the colours (``#rrggbb``), each pair a
    resident reads checked for WCAG AA contrast (``pressroom.model.branding``)."""
    branding = _section(text, "branding", branding, BRANDING_KEYS)
    values: dict[str, str] = {}
    for key, value in branding.items():
        line = _section_key_line(text, "branding", key)
        if not isinstance(value, str):
            raise _problem(line, f"[branding] {key} must be text in quotes")
        if key == "seal":
            if seal_problem(value):
                raise _problem(line, f"[branding] {seal_problem(value)}")
        elif key == "logo_alt":
            if not value.strip() or not value.isprintable():
                raise _problem(line, "[branding] logo_alt must say in words what the seal "
                                     "shows, e.g. \"Seal of the Example City Police\"")
            value = value.strip()
        elif not HEX.fullmatch(value):
            raise _problem(line, f"[branding] {key} {value!r} is not a colour: write it as "
                                 f"#rrggbb, e.g. \"#0b2a4a\"")
        else:
            value = normal(value)
        values[key] = value
    out = Branding(**values)
    failing = contrast_problems(out)
    if failing:  # every failing pair in one line, at the line of the first colour set
        fore, back, _ = failing[0]
        key = fore if fore in branding else back if back in branding else "branding"
        raise _problem(_section_key_line(text, "branding", key),
                       "[branding] " + "; ".join(message for _, _, message in failing))
    return out
