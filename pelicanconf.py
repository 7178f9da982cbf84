"""Site settings for the sample department (Example City Police Department).

A department edits the values below. ``pressroom build`` reads this file, then
applies the settings in ``pressroom.site.enforced`` that no configuration can
switch off (drafts never written, Pelican feeds off, sanitized HTML, ...).
"""

from pressroom.site import site_defaults

globals().update(site_defaults())

SITENAME = "Example City Police Department"
SITEURL = "https://police.example-city.gov"
SITE_DESCRIPTION = ("Announcements, safety alerts, traffic information and press releases "
                    "from the Example City Police Department.")
AUTHOR = "Public Information Office"
TIMEZONE = "America/Los_Angeles"
DEFAULT_LANG = "en"
RELATIVE_URLS = True  # local previews link within output/; publishconf.py turns this off

PRESSROOM_CONTACT = {
    "emergency": "911",
    "non_emergency": "(555) 010-4400",
    "address": "100 Civic Center Plaza, Example City, CA 90000",
    "hours": "Front counter open Monday to Friday, 8 a.m. to 5 p.m.; closed on city holidays.",
    "email": "info@pd.example",
    "records": ("To request police reports or other public records, submit a California Public "
                "Records Act request to the Records Bureau at the front counter or by email to "
                "records@pd.example. Most requests are answered within 10 days."),
}
