"""Settings for the public deployment: absolute URLs on the real host."""

import os
import sys

sys.path.append(os.path.dirname(__file__))
from pelicanconf import *  # noqa: E402,F403

RELATIVE_URLS = False
