"""The ``pressroom`` command: thin shells over the core.

Each command parses its options, calls one library function and turns the
result into output and an exit code: 0 clean, 1 violations (one line each,
``path:line: RULE-ID: message``), 2 usage or unreadable input.

This module is the group and the one list of its commands (``COMMANDS``). The
commands live one module per area (``building``, ``approvals``, ``previewing``,
``publishing``, ``deploying``, ``records``) and import only ``pressroom.cli.common``, never
this module, so the imports run one way and no command registers itself as a side effect
of an import.
"""

from __future__ import annotations

import logging
import os
import sys

import click

from pressroom import __version__
from pressroom.cli.approvals import (
    approve_command,
    codeowners_command,
    install_hooks_command,
    new_command,
    retract_command,
    review_summary_command,
    setup_signing_command,
    verify_command,
)
from pressroom.cli.building import build, check, serve
from pressroom.cli.deploying import deploy_command
from pressroom.cli.desk import desk_command
from pressroom.cli.init import init_command
from pressroom.cli.previewing import preview_command
from pressroom.cli.publishing import due_command, publish_command, rollback_command
from pressroom.cli.records import records_command, review_command, roster_command
from pressroom.cli.serving import nginx_config_command
from pressroom.cli.translating import translations_command

__all__ = ["COMMANDS", "build", "check", "cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pressroom")
def cli() -> None:
    """pressroom: publish a police department's announcements, press releases
    and safety alerts to its website and feeds under Policy 392.

    \b
    Typical use, by who runs it:
      Once, for a new department:
        pressroom init azusa-pd --department "Azusa Police Department"
        pressroom nginx-config --target /var/www/pd --server-name pd.example.gov
                                      the web server's nginx site file
      The PIO writes a post on its own branch:
        pressroom new "Road closure on Elm Street" --category traffic
        pressroom check               check posts against the content rules
        pressroom build               preview the site into output/
        pressroom build --now 2026-12-01T08:00-08:00
                                      preview the site as it will be then
        pressroom serve               look at output/ on http://127.0.0.1:8000/
      A supervisor reviews and approves it:
        pressroom check --branch origin/post/road-closure-on-elm-street
                                      the rules on the fetched branch, as git holds it
        pressroom preview origin/post/road-closure-on-elm-street --output /tmp/review
                                      the site after the merge, and a review sheet
        pressroom serve --output /tmp/review
                                      read the review sheet and that site in a browser
        pressroom approve origin/post/road-closure-on-elm-street
                                      fetch, then a signed merge into main; then
                                      git push origin main
        pressroom desk                the queue, review sheets and Approve in a browser
      Publishing, on the web server (from a timer):
        pressroom publish --target /var/www/pd
                                      verify, check, build and deploy main
        pressroom due                 when the site next changes by itself
        pressroom rollback --target /var/www/pd
                                      put the previous release back live
        pressroom deploy --site /var/www/pd
                                      copy it to S3-compatible storage for a CDN

    Run `pressroom COMMAND --help` for a command's options and examples.
    """


# Every command of `pressroom`, by area. `pressroom --help` lists them alphabetically.
COMMANDS: tuple[click.Command, ...] = (
    # a new department
    init_command,
    # the site: check the rules, preview the build
    check,
    build,
    serve,
    # authorship and approval (392.3, 392.5)
    new_command,
    setup_signing_command,
    preview_command,
    review_summary_command,
    approve_command,
    verify_command,
    install_hooks_command,
    codeowners_command,
    retract_command,
    # translations (issue #14): what needs translating, what fell behind
    translations_command,
    # the review desk in a browser (392.3)
    desk_command,
    # time-driven publishing (392.4 e, 392.4.1)
    due_command,
    publish_command,
    rollback_command,
    # serving the published site from the department's own web server
    nginx_config_command,
    # serving a spike: the published site to object storage and a CDN
    deploy_command,
    # records, training and the annual review (392.6-392.8)
    roster_command,
    records_command,
    review_command,
)

for _command in COMMANDS:
    cli.add_command(_command)
del _command


def main() -> None:
    """The console command: run, then exit without tearing down the build's objects.

    A 10,000-post build leaves a million objects; freeing them one by one at exit
    takes a second, which an urgent incident update should not wait for. Every file
    is closed and every stream flushed before leaving.
    """
    try:
        cli.main(prog_name="pressroom")
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if isinstance(done.code, str):
            click.echo(done.code, err=True)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
