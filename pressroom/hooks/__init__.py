"""pre-commit entry points: thin shells over ``pressroom.checking.repo`` and
``pressroom.checking.images``.

They live in the package namespace (console scripts ``pressroom-check-content`` and
``pressroom-strip-image-metadata``), so installing pressroom adds no top-level ``hooks``
package that could collide with another distribution's.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from pressroom import __version__


def add_version_pin(parser: argparse.ArgumentParser) -> None:
    """``--pressroom-version X``: the version a department's pre-commit config pins."""
    parser.add_argument("--pressroom-version", metavar="VERSION", default=None,
                        help="refuse to run unless the installed pressroom is this version")


def hook_arguments(hook: str, parser: argparse.ArgumentParser,
                   argv: Sequence[str] | None) -> argparse.Namespace | int:
    """A hook's arguments, with the version pin checked: the parsed arguments, or the exit
    code (2) after printing the one-line refusal."""
    add_version_pin(parser)
    args = parser.parse_args(argv)
    refusal = version_mismatch(hook, args.pressroom_version)
    if refusal is not None:
        print(refusal)
        return 2
    return args


def version_mismatch(hook: str, pinned: str | None) -> str | None:
    """A one-line refusal when the installed pressroom is not the pinned one, else None.

    A department's hooks run the installed console scripts (``language: system``); a
    different version would check by different rules than the ones the department adopted.
    """
    if pinned is None or pinned == __version__:
        return None
    return (f"{hook}: this repository pins pressroom {pinned}, but {__version__} is "
            f"installed; install {pinned} (or update the pin in .pre-commit-config.yaml)")
