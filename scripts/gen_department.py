"""Generate a realistic department repository of N posts, reproducibly (fixed seed).

Used by the benchmark (``bench.py``) and the tests, and handy for trying
pressroom at a department's scale::

    python scripts/gen_department.py /tmp/dept --posts 10000

Posts are 300-600 words of plausible police prose across all eight categories,
spread over the last years, with block addresses, intersections, quotes from
the Chief and the department's own phone number — content that passes every
rule, like a real department's archive.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from pressroom.model.categories import SLUGS

PROJECT = Path(__file__).resolve().parent.parent
STREETS = ["Elm Street", "Oak Avenue", "Foothill Boulevard", "Citrus Avenue", "Grand Avenue",
           "Pine Street", "Maple Avenue", "Park Avenue", "Lime Avenue", "Rosewood Drive",
           "Sierra Madre Avenue", "Alosta Avenue", "Dalton Avenue", "Vernon Avenue"]
CROSS = ["1st Street", "2nd Street", "3rd Street", "4th Street", "5th Street", "6th Street",
         "9th Street", "Gladstone Street", "Baseline Road", "Arrow Highway"]
TOPICS = {
    "announcements": ["front counter hours", "Coffee with a Cop", "open house", "new website",
                      "holiday schedule", "records counter"],
    "crime-prevention": ["vehicle burglaries", "package theft", "phone scams",
                         "catalytic converter theft", "home security", "bicycle theft"],
    "information-requests": ["hit-and-run", "robbery", "missing property", "vandalism",
                             "witnesses to a collision", "stolen vehicle"],
    "community": ["neighborhood cleanup", "toy drive", "National Night Out", "youth academy",
                  "Neighborhood Watch", "Drug Take Back Day"],
    "safety-alerts": ["police activity", "gas leak", "power outage", "brush fire",
                      "flooded roadway", "downed power lines"],
    "traffic": ["road closure", "DUI checkpoint", "repaving", "school zone enforcement",
                "signal outage", "parade detours"],
    "press-releases": ["arrests in theft series", "grant award", "officer recognized",
                       "arrest after pursuit", "burglary arrests", "annual statistics"],
    "recruitment": ["police officer trainees", "dispatchers", "cadets", "volunteers",
                    "records clerks", "lateral officers"],
}
SENTENCES = [
    "Officers responded to the {block} block of {street} at about {hour} {ampm}.",
    "The intersection of {street} and {cross} was closed for about {n} hours.",
    "Residents in the {block} block of {street} are asked to keep garage doors closed.",
    "Detectives are reviewing video from businesses near {street} and {cross}.",
    "Anyone with information can call the department at (555) 010-4400.",
    "Information can also be emailed to tips@pd.example and can be given anonymously.",
    "\"We are grateful to everyone who helped,\" said Chief Elena Torres.",
    "Drivers should expect delays and use {cross} as a detour.",
    "The department thanks the community for its patience while crews worked.",
    "Officers will be at the event from {hour} {ampm} to answer questions.",
    "Lock vehicles, remove valuables and report suspicious activity right away.",
    "The suspect was described as a man in his {age}s wearing a dark jacket.",
    "A {adult}-year-old man was arrested on suspicion of burglary and booked at the city jail.",
    "All suspects are presumed innocent until proven guilty in a court of law.",
    "More information is available at the front counter during business hours.",
    "Volunteers must be at least 18 and pass a background check.",
]
IMAGES = 20
# A 1x1 PNG without metadata: enough for posts to reference real image files.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a0fb8e6a"
                    "0000000049454e44ae426082")
ROSTER = """\
[members.pio1]
name = "Pat Rivera"
email = "pio1@pd.example"
roles = ["pio"]
trained = {trained}

[members.author1]
name = "Officer Sam Lee"
email = "slee@pd.example"
roles = ["author"]
trained = {trained}

[members.sup1]
name = "Sgt. Dana Okafor"
email = "dokafor@pd.example"
roles = ["supervisor"]
trained = {trained}

[members.ic1]
name = "Lt. Marcus Hale"
email = "mhale@pd.example"
roles = ["incident-commander", "supervisor"]
trained = {trained}

[members.chief1]
name = "Chief Elena Torres"
email = "etorres@pd.example"
roles = ["chief"]
trained = {trained}
"""


def _sentence(rng: random.Random) -> str:
    return rng.choice(SENTENCES).format(
        block=rng.randrange(1, 40) * 100, street=rng.choice(STREETS), cross=rng.choice(CROSS),
        hour=rng.randrange(1, 12), ampm=rng.choice(["a.m.", "p.m."]), n=rng.randrange(2, 6),
        age=rng.choice([20, 30, 40, 50]), adult=rng.randrange(19, 70))


def post_text(rng: random.Random, index: int, when: datetime, category: str,
              incident: str = "", all_clear: bool = False) -> tuple[str, str]:
    """(slug, file text) of one realistic post."""
    topic = rng.choice(TOPICS[category])
    street = rng.choice(STREETS)
    title = f"{topic[0].upper()}{topic[1:]} near {street}"
    slug = f"{category}-{index:06d}"
    words, paragraphs = 0, []
    target = rng.randrange(300, 600)
    while words < target:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randrange(3, 6)))
        words += len(paragraph.split())
        paragraphs.append(paragraph)
    if rng.random() < 0.05:  # some posts carry a photo, with alt text
        paragraphs.insert(1, f"![Photo of the scene near {street}]"
                             f"(/images/photo-{rng.randrange(IMAGES):02d}.png)")
    summary = _sentence(rng)
    # An explicit Slug keeps URLs unique for stock Pelican too (it slugifies titles).
    lines = [f"Title: {title}", f"Slug: {slug}", f"Date: {when:%Y-%m-%d %H:%M}",
             f"Category: {category}",
             f"Author: {rng.choice(['pio1', 'author1'])}", f"Summary: {summary}",
             f"Tags: {topic}, {street.split()[0].lower()}"]
    if category == "safety-alerts":
        lines.append(f"Expires: {when + timedelta(hours=rng.randrange(2, 12)):%Y-%m-%d %H:%M}")
        lines.append(f"Area: {street} between {rng.choice(CROSS)} and {rng.choice(CROSS)}")
        if incident:
            lines.append(f"Incident: {incident}")
            lines.append(f"Response: {'AllClear' if all_clear else 'Avoid'}")
        lines.append("Instruction: Avoid the area and follow officers' directions.")
    return slug, "\n".join(lines) + "\n\n" + "\n\n".join(paragraphs) + "\n"


def generate(root: Path, posts: int, seed: int = 392, end: datetime | None = None,
             incidents: int = 0) -> list[Path]:
    """Write a department repository with ``posts`` posts into ``root`` (replacing it).

    ``incidents``: how many safety-alert threads (an alert, updates, an all-clear) the
    safety alerts are grouped into; the rest stay standalone alerts.
    """
    rng = random.Random(seed)
    end = end or datetime(2026, 11, 1, 9, 0)
    if root.exists():
        shutil.rmtree(root)
    (root / "policy").mkdir(parents=True)
    (root / "policy/roster.toml").write_text(ROSTER.format(trained=end.date() - timedelta(days=30)))
    shutil.copy(PROJECT / "policy/rules.toml", root / "policy/rules.toml")
    shutil.copy(PROJECT / "pelicanconf.py", root / "pelicanconf.py")
    images = root / "content" / "images"
    images.mkdir(parents=True)
    for number in range(IMAGES):
        (images / f"photo-{number:02d}.png").write_bytes(PNG)
    written = []
    span = timedelta(days=max(365, posts // 3))  # a few posts a day
    threads_made, thread, remaining = 0, "", 0
    for index in range(posts):
        when = end - span * (index / max(1, posts))
        when = when.replace(minute=rng.choice([0, 15, 30, 45]), second=0, microsecond=0)
        category = rng.choice(SLUGS)
        incident, all_clear = "", False
        if category == "safety-alerts" and (remaining or threads_made < incidents):
            if not remaining:  # newest first: an incident's all-clear is written first
                threads_made += 1
                thread, remaining, all_clear = f"{when:%Y-%m%d}-{threads_made:03d}", \
                    rng.randrange(3, 6), True
            incident, remaining = thread, remaining - 1
        slug, text = post_text(rng, index, when, category, incident, all_clear)
        path = root / "content" / f"{when:%Y}" / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=392)
    args = parser.parse_args()
    written = generate(args.root, args.posts, args.seed)
    print(f"wrote {len(written)} posts to {args.root}")


if __name__ == "__main__":
    main()
