"""The front-matter findings about the fields themselves: unknown, misspelt and missing.

Apart from ``pressroom.model.content`` (which validates the values) so that a post with
several of these problems hears about all of them at once, each at the line an editor
shows: a misspelt field names the field meant ("Catgory" is 'Category') instead of adding
a second finding that 'Category' is missing; the missing required fields are one finding
(one line cannot carry five); a header that starts after a blank line is named as the
cause. Pure: text in, violations out.
"""

from __future__ import annotations

from collections.abc import Sequence

from pressroom.model.frontmatter import KEY_LINE, Field, Header, split_lines
from pressroom.model.violations import Violation
from pressroom.model.wording import close_matches


def field_name(key: str) -> str:
    """How a field is written in front matter: ``retraction-reason`` -> ``Retraction-Reason``,
    ``wea-text`` -> ``WEA-Text``."""
    return "-".join("WEA" if part == "wea" else part.capitalize() for part in key.split("-"))


def unknown_fields(path: str, fields: dict[str, Field], known: Sequence[str],
                   required: Sequence[str], problems: list[Violation]) -> dict[str, Field]:
    """FRONT-UNKNOWN for every field pressroom does not know, with the field most likely
    meant ("Catgory" is 'Category'); returns the misspelt fields by the name meant."""
    misspelt: dict[str, Field] = {}
    for name, item in fields.items():
        if name in known:
            continue
        meant = [m for m in close_matches(name, known, n=1) if m not in fields]
        if meant:
            misspelt.setdefault(meant[0], item)
            note = " (a required field)" if meant[0] in required else ""
            advice = f"did you mean '{field_name(meant[0])}'{note}? Correct the spelling"
        else:
            advice = f"the known fields are {', '.join(field_name(k) for k in known)}"
        problems.append(Violation(path, item.line, "FRONT-UNKNOWN",
                                  f"unknown field '{item.name}'; {advice}"))
    return misspelt


def header_end_problems(path: str, text: str, header: Header,
                        known: Sequence[str]) -> list[Violation]:
    """FRONT-UNKNOWN where the header ends on a line that is not blank.

    A line such as ``WEA Text: Avoid Elm St`` (a space in the name) is not a field, so the
    header ends there and every field below it — Response, Instruction — silently becomes
    text of the public page. The header must end with a blank line; a line that ends it
    otherwise is named, with the field it probably meant."""
    lines = split_lines(text)
    at = header.body_line - 1  # index of the line that ended the header
    if not header.fields or at >= len(lines) or at == 0:
        return []
    if not lines[at - 1].strip():  # ended by a blank line: are fields stranded below it?
        following = next((n for n in range(at, min(len(lines), at + 3))
                          if lines[n].strip()), None)
        key = KEY_LINE.match(lines[following]) if following is not None else None
        if key is None or key.group("key").lower() not in known:
            return []
        # Only fields the header lacks: text that merely looks like a header ("Category:
        # crime" under a header that has a Category) is the body, as written.
        block = []
        for line in lines[following:following + 20]:
            found = KEY_LINE.match(line)
            if found is None:
                break
            block.append(found.group("key").lower())
        if any(name not in known or name in header.fields for name in block):
            return []
        return [Violation(path, following + 1, "FRONT-UNKNOWN",
                          f"'{key.group('key')}:' is below the blank line on line {at} that "
                          f"ends the header, so it would be published as text; remove the "
                          f"blank line")]
    if not lines[at].strip():
        return []
    line = lines[at]
    name = line.split(":", 1)[0].strip() if ":" in line[:40] else ""
    meant = close_matches(name.replace(" ", "-").lower(), known, n=1) if name else []
    hint = f" (did you mean '{field_name(meant[0])}:'?)" if meant else ""
    shown = line if len(line) <= 40 else line[:39] + "…"
    return [Violation(path, at + 1, "FRONT-UNKNOWN",
                      f"{shown!r} ends the header: a field is 'Name: value' with no space in "
                      f"the name{hint}, and one blank line separates the header from the text; "
                      f"fields below this line would be published as text")]


def required_problems(path: str, text: str, header: Header, known: Sequence[str],
                      required: Sequence[str], misspelt: dict[str, Field]) -> list[Violation]:
    """FRONT-REQUIRED: an empty required field at its line, and one finding for all the
    required fields that are missing.

    One finding (not one per field) because all of them belong on the same line, the end
    of the header, where each would hide the next. A field spelt wrong is reported once, as
    FRONT-UNKNOWN at its own line. A header that does not start on line 1 is named as the
    cause: a blank line (or any text) before it makes Pelican read the header as text."""
    fields = header.fields
    empty = [name for name in required if name in fields and not fields[name].value]
    missing = [name for name in required if name not in fields and name not in misspelt]
    problems = [Violation(path, fields[name].line, "FRONT-REQUIRED",
                          f"'{name.title()}' is required but empty; write it after "
                          f"'{name.title()}:'") for name in empty]
    if not missing:
        return problems
    if not fields:
        late = _late_header(text, known)
        if late is not None:
            return [Violation(path, 1, "FRONT-REQUIRED",
                              f"the header must start on line 1, but it starts on line {late}; "
                              f"remove what comes before the '{_key_at(text, late)}:' line")]
    names = [f"'{name.title()}:'" for name in missing]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    verb = "is" if len(names) == 1 else "are"
    where = "add it to the header" if len(names) == 1 else "add them to the header"
    if not fields:
        where += " at the top of the file (each 'Name: value' on its own line)"
    problems.append(Violation(path, header.last_line, "FRONT-REQUIRED",
                              f"{listed} {verb} required; {where}"))
    return problems


def _late_header(text: str, known: Sequence[str]) -> int | None:
    """The line of a header that starts after blank lines at the top, if there is one."""
    for number, line in enumerate(split_lines(text)[:20], start=1):
        if not line.strip():
            continue
        key = KEY_LINE.match(line)
        return number if key is not None and key.group("key").lower() in known else None
    return None


def _key_at(text: str, line: int) -> str:
    key = KEY_LINE.match(split_lines(text)[line - 1])
    return key.group("key") if key else ""
