"""The nginx configuration that serves a published site: the shipped file, filled in.

``pressroom publish --target /var/www/pd`` leaves ``/var/www/pd`` a symbolic link to the
live release, switched with one rename. A department's own nginx (Debian's, 1.22) serves
that link as its root. The configuration is package data (``pressroom/defaults/nginx.conf``)
with ``@NAME@`` placeholders; this module fills them in from the command's options and from
``pressroom.publishing.headers``, the one header policy (the S3 deploy uses it too): the
``types`` block, the charset and gzip lists and the Cache-Control values are written from
it, so nginx cannot drift from what the tests and the other server send.

Values go into a configuration file, so each is checked to be one plain token: a value
with a space, ``;``, a brace or a quote would end nginx's directive and start another.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import PurePosixPath

from pressroom.model.violations import InputError
from pressroom.publishing import headers

TEMPLATE = "nginx.conf"
DEFAULT_LISTEN = "80"

# Nothing a page loads comes from another host (the sanitizer and the content rules keep
# posts to the site's own resources) and the theme has no inline style or script. The search
# pages run the site's own scripts (search.js, pagefind/pagefind.js and its worker), compile
# Pagefind's WebAssembly ('wasm-unsafe-eval': WebAssembly only, never eval of JavaScript)
# and fetch the index from the site itself (connect-src).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; manifest-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
_LISTEN = re.compile(r"^(?:(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:]+\]|localhost):)?"
                     r"(\d{1,5})$")
_PATH = re.compile(r"^/[A-Za-z0-9._/@+-]*$")


def nginx_config(target: str, server_name: str, listen: str = DEFAULT_LISTEN) -> str:
    """The site file for nginx serving the release link ``target`` as ``server_name`` on
    ``listen`` (a port, or address:port); an ``InputError`` names a value it cannot take."""
    _check(target, server_name, listen)
    values = {
        "TARGET": str(PurePosixPath(target)),
        "SERVER_NAME": server_name,
        "LISTEN": listen,
        "ID": "pressroom_" + re.sub(r"[^A-Za-z0-9]", "_", server_name),
        "FINGERPRINTED": "/" + headers.FINGERPRINTED.pattern.removeprefix("^"),
        "SHORT": headers.SHORT,
        "SHORT_EXTENSIONS": "|".join(headers.SHORT_EXTENSIONS),
        "MEDIUM": headers.MEDIUM,
        "IMMUTABLE": headers.IMMUTABLE,
        "TYPES": _types_block(),
        "FALLBACK_TYPE": headers.FALLBACK_TYPE,
        "CHARSET_TYPES": " ".join(_charset_types()),
        "GZIP_TYPES": " ".join(_gzip_types()),
        "CSP": CONTENT_SECURITY_POLICY,
    }
    text = resources.files("pressroom.defaults").joinpath(TEMPLATE).read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = re.search(r"@[A-Z_]+@", text)
    if left:  # a placeholder the shipped file has and this module does not fill: a bug
        raise RuntimeError(f"{TEMPLATE}: {left.group(0)} is not filled in")
    return text


def _check(target: str, server_name: str, listen: str) -> None:
    if not _PATH.match(target) or "/../" in f"{target}/" or "//" in target:
        raise InputError(f"--target {target!r}: give the absolute path publish deploys to "
                         f"(letters, digits and . _ - / @ + only), e.g. /var/www/pd")
    if not _HOSTNAME.match(server_name):
        raise InputError(f"--server-name {server_name!r}: give the site's host name, "
                         f"e.g. pd.example.gov")
    port = _LISTEN.match(listen)
    if not port or not 0 < int(port.group(1)) < 65536:
        raise InputError(f"--listen {listen!r}: give a port (80) or address:port "
                         f"(127.0.0.1:8080)")


def _bare(kind: str) -> str:
    return kind.split(";", 1)[0].strip()


def _types_block() -> str:
    """nginx's ``types`` lines: each MIME type with its extensions, from headers.TYPES."""
    by_type: dict[str, list[str]] = {}
    for extension, kind in headers.TYPES.items():
        by_type.setdefault(_bare(kind), []).append(extension)
    return "\n".join(f"        {kind} {' '.join(extensions)};"
                     for kind, extensions in by_type.items())


def _charset_types() -> list[str]:
    """The types headers.py sends with ``; charset=utf-8``: nginx adds it to these only
    (and to text/html, always; naming it again is a warning)."""
    found = ["text/html"]
    for kind in headers.TYPES.values():
        if ";" in kind:
            if kind.split(";", 1)[1].strip().lower() != "charset=utf-8":
                raise RuntimeError(f"headers.TYPES: {kind}: nginx sends only charset=utf-8")
            if _bare(kind) not in found:
                found.append(_bare(kind))
    return found[1:]


def _gzip_types() -> list[str]:
    """Text the site serves, worth compressing (nginx always compresses text/html)."""
    kinds = [_bare(kind) for kind in headers.TYPES.values()]
    kinds += [kind for _, kind in headers.XML_TYPES] + [headers.CAP_TYPE]
    text = [kind for kind in dict.fromkeys(kinds) if kind != "text/html" and (
        kind.startswith("text/") or kind.endswith(("xml", "json")))]
    return text
