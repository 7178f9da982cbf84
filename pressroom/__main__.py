"""``python -m pressroom``: the command line.

Python puts the working folder first on ``sys.path`` for ``-m``; run in the checkout of a
branch under review, any module imported later (a library's lazy import) could be a file of
that branch. It is taken off the path before anything else is imported: reviewing never runs
the branch's code. (The installed ``pressroom`` command never had it on the path.)
"""

import os
import sys

if sys.path and sys.path[0] in ("", ".", os.getcwd()):
    del sys.path[0]

from pressroom.cli import cli  # noqa: E402

cli()
