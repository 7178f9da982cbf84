"""Running the desk: a werkzeug server on a loopback address only, one thread per request.

``serve`` refuses any address that is not this machine's own (the desk signs and pushes
with its user's key: no other machine may reach it) and says so as an ``InputError``.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from werkzeug.serving import (
    LISTEN_QUEUE,
    BaseWSGIServer,
    get_sockaddr,
    make_server,
    select_address_family,
)

from pressroom.desk import gitops, security
from pressroom.desk.app import create_app
from pressroom.model.violations import InputError


def check_repo(repo: Path) -> None:
    """A clone with an ``origin`` (the central repository), or one line saying what is wrong."""
    if not repo.is_dir():
        raise InputError(f"{repo}: no such folder")
    inside = gitops.run(repo, "rev-parse", "--is-inside-work-tree")
    if inside.code == 127:  # git itself is missing
        raise InputError(inside.first_line())
    if inside.out.strip() != "true":
        raise InputError(f"{repo}: not a git clone (the desk works in your clone of the "
                         f"department repository)")
    if not gitops.text(repo, "remote", "get-url", gitops.REMOTE):
        raise InputError(f"{repo}: has no remote {gitops.REMOTE!r} (the central repository); "
                         f"clone it from there, or git remote add origin URL")


def make_desk_server(repo: Path, host: str = "127.0.0.1", port: int = 8300) -> BaseWSGIServer:
    """The desk's server, bound but not yet serving (port 0: any free port)."""
    if not security.is_loopback(host):
        raise InputError(f"--host {host}: the desk listens only on this computer "
                         f"(127.0.0.1, ::1 or localhost)")
    check_repo(repo)
    listening = _listen(host, port)
    try:  # werkzeug binds nothing itself given a socket (its own bind error would exit)
        return make_server(host, port, create_app(repo), threaded=True,
                           fd=listening.fileno())
    finally:
        listening.close()  # the server keeps its own duplicate of the socket


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or one line saying why not (a port in use).

    Bound here, not by werkzeug: on a bind error werkzeug prints two lines of its own and
    exits the process, which would be neither one line nor the usage-error exit code."""
    family = select_address_family(host, port)
    listening = socket.socket(family, socket.SOCK_STREAM)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(get_sockaddr(host, port, family))
        listening.listen(LISTEN_QUEUE)
    except OSError as exc:
        listening.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return listening


def url_of(server: BaseWSGIServer) -> str:
    host = server.host if ":" not in server.host else f"[{server.host}]"
    return f"http://{host}:{server.port}/"


def serve(repo: Path, host: str, port: int, announce: Callable[[str], None]) -> None:
    """Serve until interrupted; ``announce`` gets the URL once the port is open."""
    server = make_desk_server(repo, host, port)
    announce(url_of(server))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
