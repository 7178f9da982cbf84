"""Draw pressroom's default seal: the image a shared link shows until a department sets its own.

A department sets ``[branding] seal`` in ``policy/site.toml`` (docs/branding.md); until it
does, pages name pressroom's seal as their Open Graph image and show its square mark in the
header. Both are drawn here with Pillow — plain shapes, no text (the department's name
varies; the page's title carries it), no font files — and committed:

* ``pressroom/adapter/theme/static/images/seal.png``: 1200×630, the size Open Graph and
  Twitter's large card show without cropping, the seal centred on the theme's navy;
* ``pressroom/adapter/theme/static/images/seal-mark.png``: 96×96 on transparency (shown at
  48 CSS pixels beside the name, sharp on a phone's dense screen).

    python scripts/make_seal.py          # (re)write both images
    python scripts/make_seal.py --check  # exit 1 when the committed images differ
"""

from __future__ import annotations

import argparse
import io
import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw

FOLDER = Path(__file__).resolve().parent.parent / "pressroom/adapter/theme/static/images"
NAVY = (11, 42, 74, 255)
GOLD = (201, 162, 39, 255)
WHITE = (255, 255, 255, 255)
SCALE = 4  # drawn large, then reduced: smooth edges without anti-aliasing support


def _star(cx: float, cy: float, outer: float, inner: float, points: int = 7) -> list:
    """The corners of a ``points``-pointed star (a police badge's), first point up."""
    corners = []
    for i in range(points * 2):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi * i / points - math.pi / 2
        corners.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return corners


def seal(size: int) -> Image.Image:
    """The round seal, ``size`` pixels across, on transparency."""
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c = big / 2
    for radius, colour in ((0.50, GOLD), (0.46, NAVY), (0.43, GOLD), (0.41, NAVY)):
        r = big * radius
        draw.ellipse((c - r, c - r, c + r, c + r), fill=colour)
    for i in range(36):  # the ring of dots between the two gold rings
        angle = 2 * math.pi * i / 36
        x, y = c + big * 0.445 * math.cos(angle), c + big * 0.445 * math.sin(angle)
        r = big * 0.008
        draw.ellipse((x - r, y - r, x + r, y + r), fill=WHITE)
    draw.polygon(_star(c, c, big * 0.31, big * 0.17), fill=GOLD)
    r = big * 0.11
    draw.ellipse((c - r, c - r, c + r, c + r), fill=NAVY)
    r = big * 0.085
    draw.ellipse((c - r, c - r, c + r, c + r), fill=GOLD)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def card() -> Image.Image:
    """1200×630: the seal centred on the theme's navy."""
    image = Image.new("RGBA", (1200, 630), NAVY)
    image.alpha_composite(seal(440), ((1200 - 440) // 2, (630 - 440) // 2))
    return image.convert("RGB")


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the committed images differ from a fresh drawing")
    args = parser.parse_args(argv)
    wanted = {"seal.png": png(card()), "seal-mark.png": png(seal(96))}
    stale = [name for name, data in wanted.items()
             if not (FOLDER / name).is_file() or (FOLDER / name).read_bytes() != data]
    if args.check:
        for name in stale:
            print(f"{FOLDER / name}: differs from scripts/make_seal.py's drawing", file=sys.stderr)
        return 1 if stale else 0
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name, data in wanted.items():
        (FOLDER / name).write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
