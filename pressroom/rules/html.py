"""392.5.1: no public posting channel — raw HTML that would let the public post, or run code.

The sanitizer removes all of this at build time anyway; refusing it at commit
time tells the author why the pasted embed or form will not appear, instead of
letting it vanish silently.
"""

from __future__ import annotations

import html

from pressroom.rules.document import Document, search
from pressroom.rules.lazy import lazy
from pressroom.violations import Violation

# (pattern, rule, message, lower-case triggers one of which every match contains)
CHECKS = [
    (lazy(r"(?i)<\s*(?:form|input|textarea|button|select)\b"), "HTML-FORM",
     "a form or input field ({text!r}); the public may not post to the site — link to the "
     "Contact page instead", ("<",)),
    (lazy(r"(?i)<\s*(?:iframe|frame|frameset|object|embed|applet|svg|math|portal)\b"),
     "HTML-EMBED", "embedded content ({text!r}); link to it instead", ("<",)),
    (lazy(r"(?i)<\s*script\b|<[a-z][^>]*\son[a-z]+\s*=|<\s*(?:style|link|meta|base)\b"),
     "HTML-SCRIPT", "a script, event handler or page-level tag ({text!r})", ("<",)),
    (lazy(r"(?i)(?:\b(?:href|src|action|formaction|xlink:href|data)\s*=\s*[\"']?|\]\(\s*<?)"
                r"\s*(?:javascript|data|vbscript)\s*:"),
     "HTML-URL", "a javascript:, data: or vbscript: link ({text!r})",
     ("script", "data")),
    (lazy(r"(?i)disqus|fb-comments|facebook\.com/plugins/comments|utteranc\.es|giscus"
                r"|commento|intensedebate|livefyre|hyvor|remark42|cusdis|data-comments"),
     "HTML-COMMENTS", "a comment widget ({text!r}); department sites take no public posts",
     ("disqus", "comments", "utteranc", "giscus", "commento", "intensedebate", "livefyre",
      "hyvor", "remark42", "cusdis")),
]


def check_html(doc: Document, config: object = None) -> list[Violation]:
    problems = []
    segments = doc.prose
    for pattern, rule_id, message, triggers in CHECKS:
        for hit in search(pattern, segments, triggers):
            problems.append(Violation(doc.path, hit.line, rule_id,
                                      message.format(text=hit.text.strip()) + " (392.5.1)"))
        # Entity-encoded schemes ("jav&#x61;script:") decode before a browser sees them.
        if rule_id == "HTML-URL":
            for seg in segments:
                if "&#" in seg.text and pattern.search(html.unescape(seg.text)) \
                        and not pattern.search(seg.text):
                    problems.append(Violation(doc.path, seg.line, rule_id,
                                              "an entity-encoded javascript:/data: link "
                                              "(392.5.1)"))
    return problems
