"""Common Alerting Protocol 1.2 documents for safety alerts (392.4 e).

Emergency managers, alert aggregators and apps read CAP. Each public
safety-alerts post becomes one CAP ``alert``: the first post of an incident is
``msgType`` Alert, later ones Update (an all-clear is an Update with
``responseType`` AllClear), each ``references`` every earlier message of the
incident as ``sender,identifier,sent``. Times are in CAP's form with an offset
(``2026-11-20T18:00:00-08:00``), never ``Z``. Documents are built element by
element in the schema's order, so the output is deterministic and valid.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from xml.etree import ElementTree as ET

import markdown

from pressroom.model.content import Post
from pressroom.model.incidents import Thread

NS = "urn:oasis:names:tc:emergency:cap:1.2"
ET.register_namespace("", NS)


@dataclass(frozen=True)
class CapSite:
    sender: str        # the site's host name: no spaces, commas, '<' or '&'
    sender_name: str   # the department's name
    site_url: str      # absolute, no trailing slash
    contact: str       # the public non-emergency line
    tz: tzinfo


def cap_time(moment: datetime, tz: tzinfo) -> str:
    text = moment.astimezone(tz).isoformat(timespec="seconds")
    return text[:-6] + "-00:00" if text.endswith("+00:00") else text  # CAP's UTC form


def identifier(site: CapSite, post: Post) -> str:
    return f"{site.sender}-{post.slug}"


_CONVERTER: list[markdown.Markdown] = []


def plain_text(post: Post) -> str:
    """The summary and body as plain text (CAP descriptions are not HTML)."""
    if not _CONVERTER:  # one instance, reset between posts: building one costs more
        _CONVERTER.append(markdown.Markdown(extensions=["extra"]))
    converter = _CONVERTER[0]
    converter.reset()
    rendered = converter.convert(post.body)
    rendered = re.sub(r"<!--.*?-->", "", rendered, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return f"{post.summary}\n\n{text}".strip()


def _add(parent: ET.Element, name: str, text: str | None) -> None:
    if text:
        ET.SubElement(parent, f"{{{NS}}}{name}").text = text


def cap_document(site: CapSite, thread: Thread, index: int, page_url: str) -> bytes:
    """The CAP alert for ``thread.posts[index]``."""
    post = thread.posts[index]
    alert = ET.Element(f"{{{NS}}}alert")
    _add(alert, "identifier", identifier(site, post))
    _add(alert, "sender", site.sender)
    _add(alert, "sent", cap_time(post.date, site.tz))
    _add(alert, "status", "Actual")
    _add(alert, "msgType", "Alert" if index == 0 else "Update")
    _add(alert, "scope", "Public")
    if index:
        _add(alert, "references", " ".join(
            f"{site.sender},{identifier(site, p)},{cap_time(p.date, site.tz)}"
            for p in thread.posts[:index]))
    if post.incident:
        _add(alert, "incidents", post.incident)
    info = ET.SubElement(alert, f"{{{NS}}}info")
    fields = post.alert
    _add(info, "language", "en-US")
    _add(info, "category", "Security")
    _add(info, "event", fields.get("event") or "Police activity")
    _add(info, "responseType", fields.get("response") or "Monitor")
    _add(info, "urgency", fields.get("urgency") or "Immediate")
    _add(info, "severity", fields.get("severity") or "Moderate")
    _add(info, "certainty", fields.get("certainty") or "Observed")
    if post.expires:
        _add(info, "expires", cap_time(post.expires, site.tz))
    _add(info, "senderName", site.sender_name)
    _add(info, "headline", post.title[:160])
    _add(info, "description", plain_text(post))
    _add(info, "instruction", fields.get("instruction"))
    _add(info, "web", page_url)
    _add(info, "contact", site.contact)
    area = ET.SubElement(info, f"{{{NS}}}area")
    _add(area, "areaDesc", post.area or thread.area or site.sender_name)
    _add(area, "polygon", fields.get("polygon"))
    _add(area, "circle", fields.get("circle"))
    ET.indent(alert)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(alert, encoding="utf-8",
                                                                     xml_declaration=False) + b"\n"
