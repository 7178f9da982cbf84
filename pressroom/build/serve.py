"""``pressroom serve``: look at the built site in a browser, without ``make`` or a web server.

A department repository has no Makefile (and a branch's Makefile is the branch's code, which
a reviewer never runs), so previewing was ``python3 -m http.server`` typed by hand. This is
the same standard-library server with the choices made for the person reviewing: bound to
``127.0.0.1`` (nobody else on the network sees an unapproved preview), serving the output
folder pressroom wrote. That folder is a link to the current release
(``publishing.release_folders``); the server goes through the link on every request, so after
another ``pressroom build`` a reload shows the new release, never a half-written one.
"""

from __future__ import annotations

import errno
import functools
import socket
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pressroom.model.violations import InputError

DEFAULT_BIND = "127.0.0.1"
DEFAULT_PORT = 8000
START_PAGES = ("index.html", "review.html")


class _Handler(SimpleHTTPRequestHandler):
    """The standard handler, but ``/`` of a preview folder (no ``index.html`` at its top, a
    ``review.html`` instead) opens the review sheet rather than a listing of files."""

    def send_head(self):  # noqa: ANN201 - the standard library's own signature
        if self.path in ("/", "") and start_page(Path(self.directory)) == "review.html":
            self.send_response(302)
            self.send_header("Location", "/review.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return super().send_head()


class _Server6(ThreadingHTTPServer):
    """The same server on an IPv6 address (``--bind ::1``)."""

    address_family = socket.AF_INET6


def site_server(output: Path, bind: str = DEFAULT_BIND, port: int = DEFAULT_PORT
                ) -> ThreadingHTTPServer:
    """A server (not yet serving) for the site in ``output``; ``port`` 0 picks a free one.

    An ``InputError`` in one line when there is no built site there, or the address
    cannot be used (a port another program holds, an address not of this machine).
    """
    if not start_page(output):
        raise InputError(f"{output}: no built site here (no index.html); run pressroom build "
                         f"first, or pass --output FOLDER")
    handler = functools.partial(_Handler, directory=str(output))
    try:
        kind = _Server6 if ":" in bind else ThreadingHTTPServer
        server = kind((bind, port), handler)
    except OSError as exc:
        hint = ("another program is using it; pass --port N" if exc.errno == errno.EADDRINUSE
                else "pass --bind with an address of this machine, e.g. 127.0.0.1")
        raise InputError(f"cannot serve on {bind}:{port} ({exc.strerror or exc}): "
                         f"{hint}") from exc
    server.daemon_threads = True
    return server


def start_page(output: Path) -> str:
    """The page to open first: the site's ``index.html``, or the review sheet of a folder
    ``pressroom preview`` wrote (``review.html``, linking into its ``site/``); "" if none."""
    return next((name for name in START_PAGES if (output / name).is_file()), "")


def server_url(server: ThreadingHTTPServer) -> str:
    """The address to open: ``http://127.0.0.1:8000/`` (an IPv6 address in brackets)."""
    host, port = server.server_address[:2]
    host = str(host)
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
