"""pre-commit hook ``pressroom-content``: every content rule over the staged posts and images.

Policy 392.3-392.5: front matter, authorized and trained author, prohibited
language, privacy, investigations and safety, personal use, no public posting
channel, image alt text. One line per problem, exit 1 when a rule is broken.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pressroom.checking.repo import check_repo
from pressroom.checking.reporting import print_check_report, relative_files
from pressroom.hooks import hook_arguments
from pressroom.model.violations import InputError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("filenames", nargs="*", help="posts and images to check")
    parser.add_argument("--repo", default=".", help="the department repository")
    args = hook_arguments("pressroom-content", parser, argv)
    if isinstance(args, int):
        return args
    if not args.filenames:
        return 0
    repo = Path(args.repo)
    try:
        report = check_repo(repo, relative_files(repo, args.filenames), today=date.today())
    except InputError as exc:
        print(f"pressroom-content: {exc}")
        return 2
    print_check_report(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
