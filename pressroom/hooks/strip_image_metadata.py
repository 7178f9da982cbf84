"""pre-commit hook ``pressroom-images``: strip location and camera metadata from images.

A fixer, like pre-commit's own: it rewrites an image that carries GPS
location, camera serial numbers or owner names (392.5 b, e) and exits 1 so the
author stages the cleaned file. The picture data itself is not re-encoded.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from pressroom.checking.images import ImageError, strip_metadata
from pressroom.hooks import hook_arguments
from pressroom.repo.files import NotRegularFile, read_regular


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("filenames", nargs="*", help="images to clean")
    args = hook_arguments("pressroom-images", parser, argv)
    if isinstance(args, int):
        return args
    status = 0
    for name in args.filenames:
        path = Path(name)
        try:  # never through a link: it would rewrite a file outside the repository
            cleaned = strip_metadata(read_regular(Path("."), Path(name).as_posix()))
        except NotRegularFile as exc:
            print(f"{name}: {exc.rule}: {exc.message}")
            status = 1
            continue
        except ImageError as exc:
            print(f"{name}: IMAGE-FORMAT: {exc}")
            status = 1
            continue
        except OSError as exc:
            print(f"{name}: FILE-READ: {exc.strerror or exc}")
            status = 1
            continue
        if cleaned.removed:
            tmp = path.with_name(f".{path.name}.pressroom-tmp")
            tmp.write_bytes(cleaned.data)
            os.replace(tmp, path)  # replaces the file itself, never a link's target
            print(f"{name}: IMAGE-METADATA: removed {', '.join(cleaned.removed)}; "
                  f"stage the cleaned file again")
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
