"""The desk's guards against other web pages and other hosts (no HTTP library here: plain values).

- **Loopback only.** The server binds 127.0.0.1 (or ::1 / localhost) and nothing else: the
  desk signs with its user's key, so no other machine may reach it.
- **Host header.** A page from another site that resolves its own name to 127.0.0.1 (DNS
  rebinding) sends its own name as Host: anything but a loopback name is refused.
- **A per-session token in every form.** Made at start from the system's random source and
  kept only in the server; every form carries it in a hidden field (no cookie, so another
  site's page cannot make the browser send it). A POST without it, or with another, is 403.
- **Origin/Referer when present** must be this desk's own (a browser sends ``Origin: null``
  for a form under ``Referrer-Policy: no-referrer``; then the token decides).
- **No work for another site's page.** Any web page can make the browser GET a desk
  address (``<img src="http://127.0.0.1:8300/branch/...">``, an ``<iframe>``): the Host
  check passes, and the desk would fetch and build a preview at that page's will. A request
  the browser marks as from another site (``Sec-Fetch-Site``) is refused unless it is a
  top-level navigation (a link the user followed); the preview's own files are the one
  exception (its pages are sandboxed: an origin of their own, so their stylesheets and
  images come "from another site").
- **Only the account that started it.** Every account on this computer can reach
  127.0.0.1; the desk signs with its own user's key, so a request from a connection another
  account opened is refused (Linux: the connection's owner in ``/proc/net/tcp``; where the
  system does not tell, run the desk only on a computer of your own).
- Every answer carries a strict Content-Security-Policy, ``X-Frame-Options: DENY`` and
  ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK_NAMES = ("localhost",)

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'; object-src 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
# The preview site and review sheet: pressroom's output, but built from a branch's posts and
# templates. Inline styles are allowed; no script, no form, and ``sandbox`` makes each page
# an origin of its own, so nothing in a preview can read a desk page (and its token) or post.
PREVIEW_CSP = ("sandbox; default-src 'self'; style-src 'self' 'unsafe-inline'; "
               "script-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'; "
               "object-src 'none'")


def is_loopback(host: str) -> bool:
    """A name or address that can only mean this machine."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The host of a Host header (``127.0.0.1:8300`` -> ``127.0.0.1``, ``[::1]:80`` -> ``::1``)."""
    parsed = urlsplit(f"//{header.strip()}")
    try:
        return parsed.hostname or ""
    except ValueError:
        return ""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


def from_another_site(method: str, site: str | None, mode: str | None,
                      dest: str | None) -> bool:
    """A request another site's page made the browser send, other than a top-level GET
    navigation (the Sec-Fetch-* headers a browser adds; absent: not a browser's). A form
    another site posts is one too, whatever its token."""
    if site not in ("cross-site", "same-site"):
        return False
    return not (method in ("GET", "HEAD") and mode == "navigate"
                and dest in ("document", None))


def same_origin(value: str | None, host_header: str) -> bool:
    """An Origin or Referer header is absent, ``null``, or this desk's own origin."""
    if not value or value == "null":
        return True
    parsed = urlsplit(value)
    return parsed.scheme == "http" and parsed.netloc.lower() == host_header.strip().lower()


PROC_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))


def _address(field: str) -> tuple[str, int]:
    """``0100007F:1F90`` (as /proc/net/tcp writes it) -> ``("127.0.0.1", 8080)``."""
    host, port = field.split(":")
    raw = bytes.fromhex(host)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))  # per-word order
    return str(ipaddress.ip_address(words)), int(port, 16)


def _canonical(host: str) -> str:
    address = ipaddress.ip_address(host.strip("[]"))
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def connection_owner(client: tuple[str, int], server_port: int,
                     tables: tuple[Path, ...] = PROC_TABLES) -> int | None:
    """The uid of the account whose process opened the TCP connection from ``client`` to
    this desk's ``server_port``; None when the system does not say (not Linux)."""
    readable = [t for t in tables if t.is_file()]
    if not readable:
        return None
    want = (_canonical(client[0]), client[1])
    for table in readable:
        for line in table.read_text(encoding="ascii", errors="replace").splitlines()[1:]:
            fields = line.split()
            if len(fields) < 8:
                continue
            try:
                local, remote = _address(fields[1]), _address(fields[2])
                local = (_canonical(local[0]), local[1])
            except ValueError:
                continue
            if local == want and remote[1] == server_port:
                return int(fields[7])
    return -1  # the system keeps a table but not this connection: nobody we know


def same_account(client: tuple[str, int], server_port: int) -> bool:
    """The connection was opened by this desk's own account (or the system cannot tell)."""
    owner = connection_owner(client, server_port)
    return owner is None or owner == os.getuid()
