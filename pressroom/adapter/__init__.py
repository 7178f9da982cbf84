"""Everything that touches Pelican, Jinja and feedgen: the theme and the Pelican plugins.

``theme/`` (templates and static files) and ``plugins/`` (Pelican plugins, loaded by name
from that folder, not as ``pressroom.adapter.plugins.*``) ship inside the package, so a
department that installs the wheel builds with them; ``pressroom.render.site`` points Pelican here.
"""
