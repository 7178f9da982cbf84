"""CLI command ``pressroom init``: start a new department repository."""

from __future__ import annotations

from pathlib import Path

import click

from pressroom.cli.common import UsageProblem
from pressroom.model.violations import InputError


@click.command("init")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--department", required=True, metavar="NAME",
              help='The department\'s name, e.g. "Azusa Police Department".')
@click.option("--timezone", default="America/Los_Angeles", show_default=True,
              help="The time zone of dates written without an offset.")
def init_command(path: Path, department: str, timezone: str) -> None:
    """Create a new department repository at PATH (absent or empty).

    Makes a git repository on branch main with policy/ (an example roster, the site
    settings, the content rules and the records retention schedule), content/, a
    pre-commit configuration pinned to this version of pressroom, a pull-request
    workflow for GitHub (.github/workflows/pressroom-review.yml) and a short README.
    `pressroom check` and `build` work in it at once; nothing is committed,
    because the first commit adopts the roster and must carry the real
    members' signing keys. It prints the next steps, the central repository's
    included.

    \b
    Example:
      pressroom init azusa-pd --department "Azusa Police Department"
    """
    from pressroom.init import init_department, next_steps

    try:
        made = init_department(path, department, timezone=timezone)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    click.echo(f"Created {made.root} for {department.strip()}: {', '.join(made.files)}")
    click.echo("Next:")
    for number, step in enumerate(next_steps(made), start=1):
        click.echo(f"  {number}. {step}")
