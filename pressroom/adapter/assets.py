"""Fingerprinted theme assets: the site's CSS (and any script) under the hash of its bytes.

A page is cached for a minute (``pressroom.publishing.headers``) so that an alert reaches
readers quickly; its stylesheet need not be asked for again on every page, if its name
changes whenever its bytes do. So every ``.css`` and ``.js`` file of the theme's static
files — pressroom's, with the department's ``theme/static`` files over them
(``pressroom.repo.overrides``) — is also written as ``<name>.<hash>.<ext>``
(``css/site.3f2a9c1d5e7b.css``), and templates link that name through the
``THEME_ASSETS`` setting (``{{ SITEURL }}/theme/{{ THEME_ASSETS['css/site.css'] }}``), which
every server may then cache for a year, immutable.

Why a copy and not a rename: a department template that links ``theme/css/site.css`` by name,
or a stylesheet that ``@import``-s another by name, keeps working (served with an hour's
cache). Why the warm build stays exact: the names are computed from bytes before Pelican runs,
a theme change makes the next build a full one (``pressroom.build.incremental``), and every
page's key digests ``THEME_ASSETS`` because the template reads it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from pressroom.model.branding import Branding

FINGERPRINT_LENGTH = 12  # hex digits of SHA-256: headers.FINGERPRINTED accepts 8 to 64
EXTENSIONS = (".css", ".js")  # what a page links from the theme
# The colours of ``[branding]`` as a stylesheet of their own, generated on every build
# (CSP allows no inline style): linked after site.css, fingerprinted like it.
BRAND_CSS = "css/brand.css"


def brand_stylesheet(settings: Mapping[str, Any]) -> bytes:
    """``css/brand.css`` from the ``PRESSROOM_BRANDING`` setting (pressroom's colours when
    a build has none): pressroom's file always, never a department's of that name."""
    known = Branding().settings()
    given = settings.get("PRESSROOM_BRANDING") or {}
    return Branding(**{key: given.get(key, value) for key, value in known.items()
                       if key not in ("seal_url", "mark_url")}).stylesheet()


def fingerprinted(rel: str, data: bytes) -> str:
    """``rel`` (``css/site.css``) with the hash of ``data`` before its extension."""
    path = PurePosixPath(rel)
    token = hashlib.sha256(data).hexdigest()[:FINGERPRINT_LENGTH]
    return str(path.with_name(f"{path.stem}.{token}{path.suffix}"))


def theme_assets(static: Path, department: Mapping[str, bytes]) -> dict[str, str]:
    """Each linkable theme file (path under the theme's static folder) -> its fingerprinted
    path: the bytes the site will serve, the ``department``'s file where it has one."""
    files: dict[str, bytes] = {}
    if static.is_dir():
        for path in sorted(static.rglob("*")):
            if path.is_file() and path.suffix in EXTENSIONS:
                files[path.relative_to(static).as_posix()] = path.read_bytes()
    files.update({rel: data for rel, data in department.items()
                  if PurePosixPath(rel).suffix in EXTENSIONS})
    return {rel: fingerprinted(rel, data) for rel, data in sorted(files.items())}


def write_fingerprinted(folder: Path, assets: Mapping[str, str]) -> None:
    """Beside each asset in ``folder`` (the site's theme folder), its fingerprinted copy,
    whose name is checked against the bytes actually written there."""
    for rel, named in assets.items():
        data = (folder / rel).read_bytes()
        if fingerprinted(rel, data) != named:  # the copy step and the map disagree: a bug
            raise RuntimeError(f"theme/{rel}: its bytes are not the ones the pages link")
        target = folder / named
        target.unlink(missing_ok=True)
        target.write_bytes(data)
