"""Settings for the public deployment: absolute URLs on the real host.

Use: ``pressroom build --settings publishconf.py --output /srv/www/pd``.
``pelicanconf.py`` is loaded by path, not imported by name, because Pelican
registers settings modules in ``sys.modules`` and an import could pick up
another site's ``pelicanconf`` in the same process.
"""

import runpy
from pathlib import Path

globals().update({
    name: value
    for name, value in runpy.run_path(str(Path(__file__).with_name("pelicanconf.py"))).items()
    if name.isupper()
})

RELATIVE_URLS = False
