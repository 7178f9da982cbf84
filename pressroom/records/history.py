"""392.7: every version of every item ever published, with its approval and retention date.

Read from the first-parent history of main: each approved merge publishes new
versions of the posts it changes. A version's record names the approving
commit and member, its dates, any retraction, a content hash, and how long it
must be kept under ``policy/retention.toml`` (the Custodian of Records' schedule).
Nothing is ever deleted from history; this module only reads it.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import tarfile
import tomllib
from dataclasses import asdict, dataclass, fields
from datetime import datetime, tzinfo
from pathlib import Path

from pressroom.approvals.merges import Verifier
from pressroom.approvals.signatures import claimed_signer
from pressroom.model.content import slug_for
from pressroom.model.frontmatter import parse_header
from pressroom.model.violations import InputError
from pressroom.repo.gitio import git_text, resolve_commit
from pressroom.repo.sources import is_post_path

RETENTION_PATH = "policy/retention.toml"
DEFAULT_YEARS = 2


@dataclass(frozen=True)
class RetentionRecord:
    path: str
    slug: str
    title: str
    category: str
    author: str
    change: str            # added, modified or deleted
    approver: str          # the member whose key signed the approving merge ("" if none)
    approval_commit: str
    approved_at: str
    published: str
    modified: str
    retraction: str
    retracted: str
    retraction_reason: str
    reported_by: str
    content_sha256: str
    retain_until: str


COLUMNS = [f.name for f in fields(RetentionRecord)]


@dataclass(frozen=True)
class Schedule:
    default_years: int
    categories: dict[str, int | str]

    def retain_until(self, category: str, approved: datetime) -> str:
        years = self.categories.get(category, self.default_years)
        if years == "permanent":
            return "permanent"
        try:
            return approved.replace(year=approved.year + int(years)).date().isoformat()
        except ValueError:  # 29 February
            return approved.replace(year=approved.year + int(years), day=28).date().isoformat()


def load_schedule(text: str | None) -> Schedule:
    if not text:
        return Schedule(DEFAULT_YEARS, {})
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{RETENTION_PATH}: not valid TOML: {exc}") from exc
    default = data.get("default", {}).get("years", DEFAULT_YEARS)
    categories = data.get("categories", {})
    for name, value in {"default": default, **categories}.items():
        if value != "permanent" and (not isinstance(value, int) or value < 0):
            raise InputError(f"{RETENTION_PATH}: {name} must be a number of years or "
                             f"\"permanent\"")
    return Schedule(default, categories)


def _field(head: dict, name: str) -> str:
    item = head.get(name)
    return item.value if item else ""


def published_versions(repo: Path, tz: tzinfo, branch: str = "main") -> list[RetentionRecord]:
    tip = resolve_commit(repo, branch)  # one line for an unknown or ambiguous name
    chain = git_text(repo, "rev-list", "--first-parent", "--reverse", tip).split()
    verifier = Verifier(repo)
    records: list[RetentionRecord] = []
    try:
        schedule_blob = verifier.reader.file_at(tip, RETENTION_PATH)
        schedule = load_schedule(schedule_blob.decode("utf-8") if schedule_blob else None)
        for sha in chain:
            commit = verifier.reader.commit(sha)
            before = verifier.reader.commit(commit.parents[0]).tree if commit.parents else ""
            changed = verifier.changed(before, commit.tree)
            approver = ""
            if commit.parents:
                signer = claimed_signer(commit.signature,
                                        verifier.roster_at(commit.parents[0])[0])
                approver = signer.id if signer else ""
            approved = commit.committed.astimezone(tz)
            for path in sorted(p for p in changed if is_post_path(p)):
                blob = changed[path]
                data = verifier.reader.read(blob)[1] if blob else b""
                head = parse_header(data[:8192].decode("utf-8", errors="replace")).fields
                category = _field(head, "category")
                records.append(RetentionRecord(
                    path=path, slug=slug_for(path, _field(head, "slug")),
                    title=_field(head, "title"), category=category,
                    author=_field(head, "author"),
                    change="deleted" if not blob else (
                        "modified" if _existed(verifier, before, path) else "added"),
                    approver=approver, approval_commit=sha,
                    approved_at=approved.isoformat(timespec="seconds"),
                    published=_field(head, "date"), modified=_field(head, "modified"),
                    retraction=_field(head, "retraction"), retracted=_field(head, "retracted"),
                    retraction_reason=_field(head, "retraction-reason"),
                    reported_by=_field(head, "reported-by"),
                    content_sha256=hashlib.sha256(data).hexdigest() if blob else "",
                    retain_until=schedule.retain_until(category, approved)))
    finally:
        verifier.close()
    return records


def _existed(verifier: Verifier, tree: str, path: str) -> bool:
    """Whether ``path`` is in ``tree`` (a tree sha; "" is the empty tree)."""
    if not tree:
        return False
    node = tree
    for part in path.split("/"):
        entries = verifier.tree(node)
        found = entries.get(part.encode())
        if found is None:
            return False
        node = found[1]
    return True


def to_csv(records: list[RetentionRecord]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(asdict(record))
    return out.getvalue()


def to_json(records: list[RetentionRecord]) -> str:
    return json.dumps([asdict(r) for r in records], indent=2, ensure_ascii=False) + "\n"


README = """pressroom records export (Policy 392.7)

manifest.csv / manifest.json  every version of every item published on main: who wrote it,
                              which signed merge approved it and when, retraction details,
                              SHA-256 of the text, and the date it may be disposed of under
                              policy/retention.toml ("permanent": never).
versions/<commit>/<path>      the exact text of each version, by the approving commit.
verify-report.txt             `pressroom verify` over the same history: whether every
                              approval is a valid signature of an authorized member.

Open the CSV in any spreadsheet; no git or pressroom is needed to read this archive.
"""


def export_archive(repo: Path, records: list[RetentionRecord], verify_report: str,
                   output: Path) -> int:
    """Write a deterministic .tar.gz a records custodian can open without git."""
    verifier = Verifier(repo)
    members: list[tuple[str, bytes, int]] = []
    try:
        for record in records:
            if record.change == "deleted":
                continue
            data = verifier.reader.file_at(record.approval_commit, record.path) or b""
            stamp = int(datetime.fromisoformat(record.approved_at).timestamp())
            members.append((f"versions/{record.approval_commit[:12]}/{record.path}", data, stamp))
    finally:
        verifier.close()
    newest = max((m[2] for m in members), default=0)
    members += [("README.txt", README.encode(), newest),
                ("manifest.csv", to_csv(records).encode(), newest),
                ("manifest.json", to_json(records).encode(), newest),
                ("verify-report.txt", verify_report.encode(), newest)]
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                               mtime=0) as zipped, \
            tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data, stamp in sorted(members):
            info = tarfile.TarInfo(f"records/{name}")
            info.size, info.mtime, info.mode = len(data), stamp, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    tmp.replace(output)
    return len(members)
