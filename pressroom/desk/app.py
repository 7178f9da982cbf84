"""The desk's web pages (Flask): thin routes over ``queue``, ``previews``, ``actions``, ``drafts``.

Templates ship in the package (``pressroom/desk/templates``, autoescaped by Flask). Every
request passes the guards of ``pressroom.desk.security`` first; only POST changes anything;
an error is one line on a page, never a traceback (debug is off). git work that changes the
clone or the central repository runs one at a time (``gitops.CloneLock``): two clicks, or two
desks on one clone, never interleave.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, render_template, request
from werkzeug.exceptions import HTTPException

from pressroom.desk import actions, drafts, gitops, previews, queue, security
from pressroom.model.categories import CATEGORIES
from pressroom.model.violations import InputError


@dataclass
class Desk:
    """One running desk: its clone, its session token, and the lock on git's state."""

    repo: Path
    token: str = field(default_factory=security.new_token)
    lock: gitops.CloneLock = field(init=False)  # git work that changes the clone or origin
    previewing: threading.Lock = field(default_factory=threading.Lock)  # builds, one at a time
    fetch_timeout: float = gitops.FETCH_TIMEOUT
    lock_timeout: float = gitops.LOCK_TIMEOUT

    def __post_init__(self) -> None:
        self.lock = gitops.CloneLock(self.repo, self.lock_timeout)


def create_app(repo: Path, fetch_timeout: float = gitops.FETCH_TIMEOUT,
               lock_timeout: float = gitops.LOCK_TIMEOUT) -> Flask:
    """The desk for the clone at ``repo`` (its ``origin`` is the central repository)."""
    app = Flask(__name__)
    app.config.update(DEBUG=False, PROPAGATE_EXCEPTIONS=False, TRAP_HTTP_EXCEPTIONS=False,
                      MAX_CONTENT_LENGTH=1_000_000)
    desk = Desk(repo.resolve(), fetch_timeout=fetch_timeout, lock_timeout=lock_timeout)
    app.extensions["pressroom_desk"] = desk
    _guards(app, desk)
    _queue_routes(app, desk)
    _new_routes(app, desk)
    return app


def _guards(app: Flask, desk: Desk) -> None:
    @app.before_request
    def guard() -> None:
        host = request.headers.get("Host", "")
        if not security.is_loopback(security.host_name(host)):
            abort(403, "This desk answers only to 127.0.0.1 or localhost.")
        port = request.environ.get("REMOTE_PORT")
        if port and request.remote_addr and not security.same_account(
                (request.remote_addr, int(port)), int(request.environ["SERVER_PORT"])):
            abort(403, "This desk answers only to the account that started it; start your "
                  "own desk in your own clone.")
        if request.endpoint != "preview_file" and security.from_another_site(
                request.method, *(request.headers.get(f"Sec-Fetch-{name}")
                                  for name in ("Site", "Mode", "Dest"))):
            abort(403, "Another site's page asked for this; open the desk yourself.")
        if request.method not in ("GET", "HEAD"):
            if not (security.same_origin(request.headers.get("Origin"), host)
                    and security.same_origin(request.headers.get("Referer"), host)):
                abort(403, "This request came from another site; use the desk's own pages.")
            if not security.token_ok(desk.token, request.form.get("token")):
                abort(403, "This form is out of date or did not come from the desk; reload the "
                      "page and try again.")

    @app.after_request
    def headers(response: Response) -> Response:
        for name, value in security.HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.context_processor
    def common() -> dict[str, Any]:
        try:
            member = drafts.current_member(desk.repo)
        except (InputError, OSError):
            member = None
        return {"token": desk.token, "member": member, "active": ""}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return _error_page(error.name, error.description or error.name), error.code or 500

    @app.errorhandler(gitops.Busy)
    def busy(error: gitops.Busy) -> tuple[str, int]:
        return _error_page("Busy", str(error)), 503

    @app.errorhandler(Exception)
    def any_error(error: Exception) -> tuple[str, int]:
        message = str(error).strip().splitlines()
        return _error_page("Something went wrong",
                           f"{type(error).__name__}: {message[0] if message else ''}"), 500


def _error_page(heading: str, message: str) -> str:
    try:
        return render_template("error.html", heading=heading, message=message)
    except Exception:  # the page itself failed: still one line, never a traceback
        return f"<!doctype html><title>Error</title><p>{heading}: {message}</p>"


def _queue_routes(app: Flask, desk: Desk) -> None:
    @app.get("/")
    def queue_page() -> str:
        with desk.lock:
            offline = gitops.fetch(desk.repo, timeout=desk.fetch_timeout)
            entries = queue.load(desk.repo)
        return render_template("queue.html", entries=entries, offline=offline, active="queue")

    def _entry(name: str, fetch: bool = False) -> queue.Entry:
        if fetch:
            with desk.lock:
                gitops.fetch(desk.repo, timeout=desk.fetch_timeout)
        found = queue.entry(desk.repo, name) if name in queue.branch_names(desk.repo) else None
        if found is None:
            abort(404, f"No branch {name} is waiting for review on the central repository.")
        return found

    @app.get("/branch/<path:name>")
    def branch_page(name: str) -> str:
        found = _entry(name, fetch=True)
        with desk.previewing:
            made = previews.ensure(desk.repo, found)
        return render_template("branch.html", entry=found, findings=made.findings(found),
                               checked=True, preview=made.ready, preview_error=made.error,
                               changed=made.changed, sheet=made.sheet)

    @app.get("/branch/<path:name>/preview/<path:file>")
    def preview_file(name: str, file: str) -> Response:
        found = _entry(name)
        if file.endswith("/"):
            file += "index.html"
        served = previews.read(desk.repo, found, file)
        if served is None:
            abort(404, f"No file {file} in the preview of {name}.")
        data, mimetype = served
        response = Response(data, mimetype=mimetype)
        response.headers["Content-Security-Policy"] = security.PREVIEW_CSP
        return response

    @app.post("/branch/<path:name>/approve")
    def approve_branch(name: str) -> str:
        _entry(name, fetch=True)
        with desk.lock:
            outcome = actions.approve_and_push(desk.repo, name, request.form.get("tip", ""))
        return render_template("result.html", outcome=outcome,
                               heading="Approved" if outcome.ok else "Not approved")

    @app.post("/branch/<path:name>/send-back")
    def send_back_branch(name: str) -> str:
        _entry(name, fetch=True)
        with desk.lock:
            outcome = actions.send_back(desk.repo, name, request.form.get("note", ""))
        return render_template("result.html", outcome=outcome,
                               heading="Sent back" if outcome.ok else "Not sent back")


def _new_routes(app: Flask, desk: Desk) -> None:
    def form_page(draft: drafts.Draft, findings: list, checked: bool,
                  refused: actions.Outcome | None = None) -> str:
        now = drafts.now_at(desk.repo)
        return render_template("new.html", draft=draft, findings=findings, checked=checked,
                               refused=refused,
                               categories=CATEGORIES, responses=drafts.RESPONSES,
                               incidents=drafts.active_incidents(desk.repo, now), active="new")

    def findings_of(draft: drafts.Draft) -> list:
        now = drafts.now_at(desk.repo)
        member = drafts.current_member(desk.repo)
        text = drafts.post_text(draft, member.id if member else "", now)
        return drafts.check_text(desk.repo, drafts.post_path(draft, now), text.encode())

    @app.get("/new")
    def new_page() -> str:
        draft = drafts.Draft(category="announcements")
        chosen = request.args.get("incident", "")
        if chosen:
            now = drafts.now_at(desk.repo)
            match = [i for i in drafts.active_incidents(desk.repo, now) if i.id == chosen]
            if not match:
                abort(404, f"No active incident {chosen} on main.")
            draft = drafts.update_of(match[0], drafts.Draft())
        return form_page(draft, [], False)

    @app.post("/new")
    def new_post() -> str:
        draft = drafts.Draft.from_form(request.form)
        if draft.alert and not draft.expires:
            draft.expires = drafts.default_expires(drafts.now_at(desk.repo))
        if request.form.get("action") == "commit":
            with desk.lock:
                outcome = actions.commit_draft(desk.repo, draft)
            if outcome.ok:
                return render_template("result.html", outcome=outcome,
                                       heading="Pushed for review")
            return form_page(draft, findings_of(draft), True, outcome)
        return form_page(draft, findings_of(draft), True)

    @app.post("/check")
    def check_draft() -> str:
        draft = drafts.Draft.from_form(request.form)
        return render_template("findings.html", findings=findings_of(draft), checked=True)

