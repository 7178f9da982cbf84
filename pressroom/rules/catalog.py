"""Every RULE-ID pressroom reports, with the policy section it serves.

The catalog is the single list the README, ``rules.toml`` severities and
suppressions are checked against. ``suppressible`` says whether a
``<!-- pressroom: allow RULE-ID -- reason -->`` comment may allow it: judgement
calls (a business address, a quoted word) can be allowed with a reason; policy
bars (an untrained author, a form on a page) cannot.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    section: str
    title: str
    suppressible: bool = True


_RULES = [
    # Files that are not posts at all.
    Rule("FILE-TEXT", "392.4", "a post must be a text file", False),
    Rule("FILE-ENCODING", "392.4", "a post must be UTF-8", False),
    Rule("FILE-SIZE", "392.4", "a post must be of sensible size", False),
    Rule("FILE-READ", "392.4", "the file could not be read", False),
    Rule("FILE-LINK", "392.5", "a symbolic link (never read or published)", False),
    Rule("FILE-SPECIAL", "392.5", "a named pipe, device or socket (never read)", False),
    Rule("FILE-NAME", "392.4", "a file name that cannot be printed or read as a post", False),
    Rule("FILE-TYPE", "392.4", "a file under content/ that is not a post, page or image", False),
    Rule("TEXT-CONTROL", "392.4", "a control character no page or feed can carry", False),
    Rule("TEXT-INVISIBLE", "392.5", "an invisible character (it can hide prohibited content)"),
    # 1. Front matter (392.4)
    Rule("FRONT-EMPTY", "392.4", "the file is empty", False),
    Rule("FRONT-REQUIRED", "392.4", "Title, Date, Category, Author and Summary are required",
         False),
    Rule("FRONT-DATE", "392.4", "Date, Modified and Expires must be valid dates in order", False),
    Rule("FRONT-CATEGORY", "392.4", "Category must be one of the eight kinds of content", False),
    Rule("FRONT-STATUS", "392.4", "Status must be published, draft or (alerts) test", False),
    Rule("FRONT-SLUG", "392.4", "the slug must be lower-case words joined by '-'", False),
    Rule("FRONT-SLUG-DUPLICATE", "392.4", "slugs must be unique across the site", False),
    Rule("FRONT-UNKNOWN", "392.4", "unknown front-matter field (a typo?)", False),
    Rule("FRONT-DUPLICATE", "392.4", "a field given twice", False),
    Rule("FRONT-EXPIRES", "392.4 (e)", "safety alerts need Expires", False),
    Rule("FRONT-ALERT", "392.4 (e)", "alert fields must hold CAP values", False),
    Rule("FRONT-AREA", "392.4 (e)", "a safety alert's Area must say where", False),
    Rule("FRONT-RETRACTION", "392.5", "a retraction or correction is incomplete", False),
    Rule("FRONT-LANG", "392.4", "Lang must be a language code pressroom knows", False),
    Rule("FRONT-SUMMARY-LENGTH", "392.4", "the summary must be short enough for a feed"),
    # 1a. Safety alerts the alerting profiles accept, worded for the public (392.4 e)
    Rule("ALERT-WEA-LENGTH", "392.4 (e)", "a WEA text longer than a phone shows (90 / 360)",
         False),
    Rule("ALERT-WEA-CHARACTERS", "392.4 (e)", "a WEA text with characters outside GSM-7",
         False),
    Rule("ALERT-ALL-CLEAR", "392.4 (e)", "an all-clear that still says the danger is current",
         False),
    Rule("ALERT-GOOGLE", "392.4 (e)", "an alert Google Public Alerts and IPAWS refuse "
         "(Unknown values, no Area, a point off the map)", False),
    Rule("ALERT-HEADLINE", "392.4 (e)", "an alert's title must say what and where"),
    Rule("ALERT-INSTRUCTION", "392.4 (e)", "an alert's instruction must start with what to do"),
    Rule("ALERT-JARGON", "392.4 (e)", "police shorthand in an alert (10-codes, BOLO, units)"),
    Rule("ALERT-READABLE", "392.4 (e)", "times and dates an alert's readers cannot read aloud"),
    # 1b. Translations (issue #14; pressroom.rules.translations): across a slug's posts
    Rule("TRANSLATION-MISSING", "392.4 (e)", "a safety alert without a required translation",
         False),
    Rule("TRANSLATION-STALE", "392.4 (e)", "a translation older than its original's Modified",
         False),
    Rule("TRANSLATION-ORPHAN", "392.4", "a translation whose slug no original has", False),
    Rule("TRANSLATION-MISMATCH", "392.4 (e)", "a translation that changes its original's facts "
         "or keeps its English", False),
    Rule("TRANSLATION-LANGUAGE", "392.4", "Lang names a language the site does not publish in",
         False),
    Rule("TRANSLATION-PLACEHOLDER", "392.4", "a [TRANSLATE] marker not yet replaced", False),
    # 2. Authorized, trained author (392.3, 392.8)
    Rule("FRONT-AUTHOR", "392.3", "the author must be on the roster", False),
    Rule("AUTHOR-TRAINING", "392.8", "the author's training must be current at the post's date",
         False),
    Rule("AUTHOR-TRAINING-DUE", "392.8", "the author's training falls due soon", False),
    # 3. Prohibited language (392.5 a)
    Rule("LANG-PROFANITY", "392.5 (a)", "profanity"),
    Rule("LANG-DISCRIMINATORY", "392.5 (a)", "discriminatory language"),
    Rule("LANG-ABUSIVE", "392.5 (a)", "abusive language about people"),
    Rule("LANG-INFLAMMATORY", "392.5 (a)", "inflammatory language"),
    Rule("LANG-SEXUAL", "392.5 (a)", "sexually explicit language"),
    # 4. Privacy (392.5 b)
    Rule("PRIVACY-SSN", "392.5 (b)", "a Social Security number", False),
    Rule("PRIVACY-CARD", "392.5 (b)", "a payment card number", False),
    Rule("PRIVACY-DL", "392.5 (b)", "a driver license number", False),
    Rule("PRIVACY-DOB", "392.5 (b)", "a person's date of birth"),
    Rule("PRIVACY-PHONE", "392.5 (b)", "a phone number that is not the department's"),
    Rule("PRIVACY-EMAIL", "392.5 (b)", "an email address that is not the department's"),
    Rule("PRIVACY-ADDRESS", "392.5 (b)", "an exact street address (use the block form)"),
    Rule("PRIVACY-JUVENILE", "392.5 (b)", "a juvenile identified by name"),
    Rule("PRIVACY-MEDICAL", "392.5 (b)", "health or medical details about a person"),
    # 5. Investigations and safety (392.5 c, e)
    Rule("OPS-MARKING", "392.5 (c)", "a handling marking: the text is not for public release",
         False),
    Rule("OPS-INFORMANT", "392.5 (c, e)", "a confidential informant"),
    Rule("OPS-UNDERCOVER", "392.5 (e)", "undercover personnel identified"),
    Rule("OPS-TACTICAL", "392.5 (e)", "tactical positions during an active incident"),
    Rule("OPS-PLANNED", "392.5 (c)", "a planned operation (warrants, surveillance, raids)"),
    # 6. Personal use (392.5 f)
    Rule("PERSONAL-FIRST-PERSON", "392.5 (f)", "first-person singular outside a quotation"),
    Rule("PERSONAL-SALE", "392.5 (f)", "selling or personal announcements"),
    Rule("PERSONAL-POLITICAL", "392.5 (f)", "political campaigning"),
    # 7. No public posting channel (392.5.1)
    Rule("HTML-FORM", "392.5.1", "a form or input", False),
    Rule("HTML-EMBED", "392.5.1", "an iframe, object or embed", False),
    Rule("HTML-SCRIPT", "392.5.1", "a script or event handler", False),
    Rule("HTML-URL", "392.5.1", "a javascript: or data: link", False),
    Rule("HTML-COMMENTS", "392.5.1", "a comment widget (Disqus and the like)", False),
    # 8. Images
    Rule("IMAGE-ALT", "392.4", "every image needs alt text"),
    Rule("IMAGE-METADATA", "392.5 (b, e)", "location or camera metadata in an image", False),
    Rule("IMAGE-FORMAT", "392.5.1", "an image format that cannot be checked or can carry script",
         False),
    Rule("IMAGE-MISSING", "392.4", "an image the post refers to is not in the repository"),
    # Approval of history on main (392.3, 392.4.1): reported by `pressroom verify`
    Rule("APPROVAL-DIRECT", "392.3", "a commit on main that is not an approved merge", False),
    Rule("APPROVAL-EMPTY", "392.3", "a merge that brings in nothing", False),
    Rule("APPROVAL-SIGNATURE", "392.3", "a merge not signed by a roster member", False),
    Rule("APPROVAL-ROLE", "392.3", "the signer may not approve what the merge brings in", False),
    Rule("APPROVAL-SELF", "392.3", "the approver signed commits the merge brings in", False),
    Rule("APPROVAL-CONTENT-SIGNATURE", "392.3", "a brought-in commit not signed by a member",
         False),
    Rule("APPROVAL-TRAINING", "392.8", "a brought-in commit by a member with lapsed training",
         False),
    Rule("APPROVAL-EDITS", "392.3", "a merge that adds edits of its own", False),
    Rule("APPROVAL-LINK", "392.3", "a merge that brings in a symbolic link or submodule", False),
    # Suppressions and configuration
    Rule("SITE-CONFIG", "392.4", "policy/site.toml, the department's settings, is invalid",
         False),
    Rule("SETTINGS", "392.5.1", "pelicanconf.py sets what it may not, or not as plain data",
         False),
    Rule("SUPPRESS-REASON", "392.6", "a suppression needs a reason", False),
    Rule("SUPPRESS-UNKNOWN", "392.6", "a suppression names an unknown or unsuppressible rule",
         False),
    Rule("SUPPRESS-UNUSED", "392.6", "a suppression that allows nothing", False),
    Rule("RULES-CONFIG", "392.3", "policy/rules.toml is invalid", False),
    Rule("ROSTER-SYNTAX", "392.3", "the roster is not valid TOML", False),
    Rule("ROSTER-EMPTY", "392.3", "the roster has no members", False),
    Rule("ROSTER-MEMBER", "392.3", "a roster entry is invalid", False),
    Rule("ROSTER-MISSING", "392.3", "the roster is missing", False),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}
