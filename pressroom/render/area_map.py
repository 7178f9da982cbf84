"""392.4 (e): an alert's area as an inline SVG outline — no tiles, fonts, scripts or links.

A resident on an alert page needs to see *where*; a street-map service would send every
visitor's address to a third party and break the site's Content-Security-Policy
(``img-src 'self'``, no scripts). So the page draws only the outline the PIO gave
(``Polygon:`` / ``Circle:``, validated by ``pressroom.model.content``), scaled into a fixed
viewBox, with a text description a screen reader reads (and the page shows beside it).

Projection: equirectangular around the area's middle latitude (x = longitude × cos(latitude),
y = latitude), which is exact enough for a city-sized area and keeps a circle round. A
circle's radius in km becomes degrees of latitude (1° ≈ 111.32 km). Every number is written
with a fixed precision, so two builds of the same alert give the same bytes.

Pure: strings in, a string out (stdlib only).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT, PAD = 320, 240, 16  # the viewBox and the margin inside it
KM_PER_DEGREE = 111.32  # one degree of latitude (and of longitude at the equator)
MIN_SPAN = 1e-5  # degrees: a single point (or a line) still gets a drawable box
MIN_COS = 0.01  # cos(latitude) used at most this small (within about 0.6° of a pole)


@dataclass(frozen=True)
class AreaMap:
    """What a page shows: the ``<svg>`` element and the same description as visible text."""

    svg: str
    description: str


def parse_polygon(value: str) -> list[tuple[float, float]]:
    """``"lat,lon lat,lon ..."`` as (lat, lon) pairs; [] when empty or malformed."""
    points = []
    for item in value.split():
        lat, sep, lon = item.partition(",")
        try:
            points.append((float(lat), float(lon)))
        except ValueError:
            return []
        if not sep:
            return []
    return points


def parse_circle(value: str) -> tuple[float, float, float] | None:
    """``"lat,lon radius-km"`` as (lat, lon, km); None when empty or malformed."""
    parts = value.split()
    if len(parts) != 2:
        return None
    centre = parse_polygon(parts[0])
    try:
        km = float(parts[1])
    except ValueError:
        return None
    return (*centre[0], km) if len(centre) == 1 else None


def _num(value: float) -> str:
    """One decimal, no "-0.0": byte-stable and small."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _distance(km: float) -> str:
    """A size people read aloud: "40 m", "0.8 km", "12 km"."""
    if km < 0.1:
        return f"{max(10, round(km * 100) * 10)} m"
    if km < 10:
        return f"{km:.1f} km"
    return f"{round(km)} km"


def _place(lat: float, lon: float) -> str:
    """A centre as degrees with N/S and E/W (4 decimals: about 10 m)."""
    return (f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}, "
            f"{abs(lon):.4f}° {'E' if lon >= 0 else 'W'}")


def _untranslated(message: str) -> str:
    return message


def area_map(polygon: str, circle: str, area: str, ident: str,
             gettext: Callable[[str], str] = _untranslated) -> AreaMap | None:
    """The map of an alert's ``Polygon`` and/or ``Circle``; None when it has neither.

    ``area`` is the alert's Area words (for the title and description); ``ident`` makes the
    element ids unique on the page (the post's slug); ``gettext`` puts the words in the
    post's language (``pressroom.adapter.i18n.gettext_for``; English by default).
    """
    _ = gettext
    points = parse_polygon(polygon) if polygon else []
    disc = parse_circle(circle) if circle else None
    if not points and disc is None:
        return None
    lats = [lat for lat, _ in points]
    lons = [lon for _, lon in points]
    if disc is not None:
        radius = disc[2] / KM_PER_DEGREE
        # the same floor as the projection's below: near a pole a degree of longitude is
        # almost no distance, and dividing by it made a 5 km circle "1e15 km across"
        scale_lon = max(math.cos(math.radians(disc[0])), MIN_COS)
        lats += [disc[0] - radius, disc[0] + radius]
        lons += [disc[1] - radius / scale_lon, disc[1] + radius / scale_lon]
    mid_lat = (min(lats) + max(lats)) / 2
    cos_lat = max(math.cos(math.radians(mid_lat)), MIN_COS)
    xs = [lon * cos_lat for lon in lons]
    span_x = max(max(xs) - min(xs), MIN_SPAN)
    span_y = max(max(lats) - min(lats), MIN_SPAN)
    scale = min((WIDTH - 2 * PAD) / span_x, (HEIGHT - 2 * PAD) / span_y)
    left = (WIDTH - span_x * scale) / 2 - min(xs) * scale
    top = (HEIGHT - span_y * scale) / 2 + max(lats) * scale

    def project(lat: float, lon: float) -> tuple[float, float]:
        x = min(max(left + lon * cos_lat * scale, 0.0), WIDTH)
        y = min(max(top - lat * scale, 0.0), HEIGHT)
        return x, y

    shapes = []
    if points:
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y in (project(*p) for p in points))
        shapes.append(f'<polygon class="area-shape" points="{path}" fill="#8a1c1c" '
                      f'fill-opacity="0.15" stroke="#8a1c1c" stroke-width="2"/>')
    if disc is not None:
        cx, cy = project(disc[0], disc[1])
        r = min(disc[2] / KM_PER_DEGREE * scale, WIDTH / 2, HEIGHT / 2)
        shapes.append(f'<circle class="area-shape" cx="{_num(cx)}" cy="{_num(cy)}" '
                      f'r="{_num(r)}" fill="#8a1c1c" fill-opacity="0.15" stroke="#8a1c1c" '
                      f'stroke-width="2"/>')
    across_km = max(span_x, span_y) * KM_PER_DEGREE
    centre = (disc[0], disc[1]) if disc is not None and not points else \
        (mid_lat, (min(lons) + max(lons)) / 2)
    shape_words = _("circle") if disc is not None and not points else _("outlined area")
    description = (f"{area + ': ' if area else ''}"
                   + _("%(shape)s about %(size)s across, centred near %(place)s.") % {
                       "shape": shape_words, "size": _distance(across_km),
                       "place": _place(*centre)}
                   + " " + _("The outline is drawn without a street map."))
    title = _("Map of the alert area: %(area)s") % {"area": area} if area else \
        _("Map of the alert area")
    title_id, desc_id = f"map-title-{ident}", f"map-desc-{ident}"
    svg = (f'<svg class="area-map" xmlns="http://www.w3.org/2000/svg" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
           f'aria-labelledby="{escape(title_id)}" aria-describedby="{escape(desc_id)}">'
           f'<title id="{escape(title_id)}">{escape(title)}</title>'
           f'<desc id="{escape(desc_id)}">{escape(description)}</desc>'
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f3f5f8"/>'
           + "".join(shapes) + "</svg>")
    return AreaMap(svg=svg, description=description)
