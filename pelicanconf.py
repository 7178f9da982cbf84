"""Pelican settings for the sample department (Example City Police Department).

The department's own settings (name, public address, time zone, contact details)
live in ``policy/site.toml``. This file may tune Pelican itself, as plain
``NAME = value`` lines: pressroom reads it as data and never runs it, so it
cannot import or compute anything. ``pressroom build`` then applies the settings
in ``pressroom.render.site.enforced`` that no configuration can switch off.
"""

DEFAULT_PAGINATION = 10
RELATIVE_URLS = True  # previews link within output/; `pressroom publish` writes absolute URLs
