"""392.4: the eight kinds of authorized content, by slug.

A post's ``Category`` must be one of these slugs; the site shows the proper
names. The order is the policy's order, (a) to (h).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    clause: str
    description: str


CATEGORIES: tuple[Category, ...] = (
    Category("announcements", "Announcements", "a",
             "News about department services, events and programs."),
    Category("crime-prevention", "Crime Prevention Tips", "b",
             "Tips and information to help prevent crime."),
    Category("information-requests", "Requests for Information", "c",
             "Investigations where the public may be able to help."),
    Category("community", "Community Projects", "d",
             "Projects the community can take part in."),
    Category("safety-alerts", "Safety Alerts", "e",
             "Real-time information about in-progress crimes, geographical warnings "
             "and disasters."),
    Category("traffic", "Traffic", "f",
             "Road closures, collisions, checkpoints and traffic safety."),
    Category("press-releases", "Press Releases", "g",
             "Official statements and news releases."),
    Category("recruitment", "Recruitment", "h",
             "Careers and volunteer opportunities with the department."),
)

BY_SLUG: dict[str, Category] = {c.slug: c for c in CATEGORIES}
SLUGS: tuple[str, ...] = tuple(c.slug for c in CATEGORIES)
