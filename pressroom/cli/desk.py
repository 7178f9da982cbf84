"""Command for the review desk: ``desk`` (a web app on this computer for the supervisor and PIO)."""

from __future__ import annotations

from pathlib import Path

import click

from pressroom.cli.common import REPO_OPTION, UsageProblem


@click.command("desk")
@REPO_OPTION
@click.option("--port", type=click.IntRange(0, 65535), default=8300, show_default=True,
              help="The port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The loopback address to listen on; any other is refused.")
def desk_command(repo: Path, port: int, host: str) -> None:
    """The review desk in your browser: the queue, review sheets, Approve, Send back, and a
    form to start a post. Run it in your own clone (its origin is the central repository);
    it signs with your own configured key (pressroom setup-signing) and listens only on
    this computer.

    \b
    Example:
      pressroom desk --repo ~/pd-site
      then open the address it prints, e.g. http://127.0.0.1:8300/
    """
    from pressroom.desk.server import serve
    from pressroom.model.violations import InputError

    try:
        serve(repo, host, port, lambda url: click.echo(f"pressroom desk: {url}  (Ctrl-C stops "
                                                       f"it)"))
    except InputError as error:
        raise UsageProblem(str(error)) from error
