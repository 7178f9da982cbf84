"""Rule settings as data: built-in defaults extended by the department's ``policy/rules.toml``.

Lists extend the defaults (a department adds its own phone numbers, email
domain, words); ``[terms.remove]`` takes words out; scalars and
``[severity]`` entries override. Anything unknown is reported, because a
misspelt key in a policy file would otherwise be silently ignored.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pressroom.model.languages import KNOWN, LANG_CODE
from pressroom.model.violations import Violation
from pressroom.model.wording import did_you_mean
from pressroom.rules.catalog import RULES

RULES_PATH = "policy/rules.toml"
TERM_LISTS = ("profanity", "discriminatory", "abusive", "inflammatory", "sexual")
ALERT_LISTS = ("generic_headlines", "imperative_verbs", "jargon")
SEVERITIES = ("error", "warning", "off")
_SCHEMA: dict[str, dict[str, type]] = {
    "training": {"period_days": int, "warn_days": int},
    "summary": {"max_length": int},
    "allow": {"phones": list, "toll_free": bool, "public_numbers": list, "emails": list,
              "email_domains": list, "addresses": list},
    "terms": {**{name: list for name in TERM_LISTS}, "safe_phrases": list, "remove": dict},
    "alerts": {"generic_headlines": list, "imperative_verbs": list, "jargon": list},
    "severity": {},
}
_TOML_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class RuleConfig:
    training_period_days: int = 365
    training_warn_days: int = 30
    summary_max_length: int = 280
    allow_phones: frozenset[str] = frozenset()  # digits only
    allow_toll_free: bool = True
    public_numbers: frozenset[str] = frozenset()
    allow_emails: frozenset[str] = frozenset()
    allow_email_domains: frozenset[str] = frozenset()
    allow_addresses: tuple[str, ...] = ()
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    safe_phrases: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    # How a post should send readers to the department instead of to a private number or
    # address: the site's non-emergency line and email (policy/site.toml [contact]), else
    # the first of [allow] phones / emails. Named in PRIVACY-PHONE and PRIVACY-EMAIL.
    contact_phone: str = ""
    contact_email: str = ""
    # 392.4 (e), the wording of safety alerts (``pressroom.rules.alert_wording``): titles
    # that say nothing by themselves, the verbs an instruction may start with, and police
    # shorthand with its plain words (("BOLO", "look out for"), ...).
    alert_generic_headlines: tuple[str, ...] = ()
    alert_imperative_verbs: frozenset[str] = frozenset()
    alert_jargon: tuple[tuple[str, str], ...] = ()
    # Word lists of other languages (issue #14): ``[terms.es]`` and ``[alerts.es]``, by
    # ``Lang:`` code. The lists above are the default language's (English); a post in
    # another language is also checked against its language's lists (``for_language``).
    language_terms: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    language_alerts: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def severity_of(self, rule_id: str) -> str:
        return self.severity.get(rule_id, "error")

    def terms_of(self, lang: str) -> dict[str, tuple[str, ...]]:
        """A language's own term lists (and ``safe_phrases``); empty for the default."""
        return self.language_terms.get(lang, {})

    def for_language(self, lang: str) -> RuleConfig:
        """The settings the alert wording rules read for a post in ``lang``: its language's
        generic headlines and imperative verbs added to the default ones (an English
        "Update" is generic in a Spanish title too), and its jargon advice first (a Spanish
        post is told the Spanish plain words; an English term it does not list keeps the
        English advice). Safe phrases of both apply. ``self`` for a language without lists."""
        lists = self.language_alerts.get(lang)
        terms = self.language_terms.get(lang)
        if lists is None and terms is None:
            return self
        lists = lists or {}
        jargon = tuple(e for e in map(_jargon_entry, lists.get("jargon", ())) if e is not None)
        own = {term for term, _ in jargon}
        return replace(
            self,
            safe_phrases=self.safe_phrases + (terms or {}).get("safe_phrases", ()),
            alert_generic_headlines=self.alert_generic_headlines + tuple(
                h.lower() for h in lists.get("generic_headlines", ())),
            alert_imperative_verbs=self.alert_imperative_verbs | frozenset(
                v.lower() for v in lists.get("imperative_verbs", ())),
            alert_jargon=jargon + tuple(e for e in self.alert_jargon if e[0] not in own))


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _phone_digits(numbers: Iterable[str]) -> frozenset[str]:
    """Numbers as PRIVACY-PHONE compares them: the last ten digits (no country code)."""
    return frozenset(digits(n)[-10:] for n in numbers if digits(n))


def with_contact(config: RuleConfig, phones: Iterable[str] = (), email: str = "") -> RuleConfig:
    """``config`` that also allows the department's published contact details.

    The numbers and address ``policy/site.toml`` prints on every page (``[contact]``) are
    the department's own: a post giving them is never a privacy finding, and they are what
    a finding tells the author to give instead."""
    phones = [p for p in phones if len(digits(p)) >= 10]
    email = email.strip()
    return replace(
        config,
        allow_phones=config.allow_phones | _phone_digits(phones),
        allow_emails=config.allow_emails | ({email.lower()} if email else set()),
        contact_phone=phones[0] if phones else config.contact_phone,
        contact_email=email or config.contact_email)


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*\[?\s*\"?{re.escape(key)}\b", line):
            return number
    return 1


def _validate(data: dict[str, Any], text: str, path: str) -> list[Violation]:
    problems = []

    def bad(key: str, message: str) -> None:
        problems.append(Violation(path, _line_of(text, key), "RULES-CONFIG", message))

    for section, values in data.items():
        if section not in _SCHEMA:
            bad(section, f"unknown section [{section}]{did_you_mean(section, _SCHEMA)} "
                         f"(known: {', '.join(_SCHEMA)})")
            continue
        if not isinstance(values, dict):
            bad(section, f"[{section}] must be a table")
            continue
        for key, value in values.items():
            if section in ("terms", "alerts") and isinstance(value, dict) and key != "remove":
                problems += _validate_language(section, key, value, text, path)
                continue
            if section == "severity":
                if key not in RULES:
                    bad(key, f"[severity] names unknown rule {key!r}{did_you_mean(key, RULES)}")
                elif value not in SEVERITIES:
                    bad(key, f"severity of {key} must be one of {', '.join(SEVERITIES)}")
                continue
            expected = _SCHEMA[section].get(key)
            if expected is None:
                bad(key, f"unknown key {key!r} in [{section}]"
                         f"{did_you_mean(key, _SCHEMA[section])}")
            elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                bad(key, f"{section}.{key} must be a {expected.__name__}")
            elif expected is list and not all(isinstance(item, str) for item in value):
                bad(key, f"{section}.{key} must be a list of strings")
            elif key == "jargon" and not all(_jargon_entry(item) for item in value):
                bad(key, 'alerts.jargon entries are "TERM = plain words", e.g. '
                         '"BOLO = look out for"')
            elif key == "remove":
                for name, words in value.items():
                    if name not in TERM_LISTS or not isinstance(words, list):
                        bad(name, f"[terms.remove] takes lists named {', '.join(TERM_LISTS)}")
    return problems


def _validate_language(section: str, code: str, values: dict[str, Any], text: str,
                       path: str) -> list[Violation]:
    """``[terms.es]`` / ``[alerts.es]``: a known language code and the section's lists."""
    where = _line_of(text, f"{section}.{code}")
    if not LANG_CODE.match(code) or code not in KNOWN:
        return [Violation(path, where, "RULES-CONFIG",
                          f"[{section}.{code}]: {code!r} is not a language code pressroom "
                          f"knows (known: {', '.join(sorted(KNOWN))})")]
    names = (*TERM_LISTS, "safe_phrases", "ordinary") if section == "terms" else ALERT_LISTS
    problems = []
    for key, value in values.items():
        if section == "terms" and key == "remove" and isinstance(value, dict):
            if not all(name in TERM_LISTS and isinstance(words, list)
                       for name, words in value.items()):
                problems.append(Violation(path, _line_of(text, key), "RULES-CONFIG",
                                          f"[terms.{code}.remove] takes lists named "
                                          f"{', '.join(TERM_LISTS)}"))
            continue
        if key not in names:
            problems.append(Violation(path, _line_of(text, key), "RULES-CONFIG",
                                      f"unknown key {key!r} in [{section}.{code}]"
                                      f"{did_you_mean(key, names)} (known: {', '.join(names)})"))
        elif not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(Violation(path, _line_of(text, key), "RULES-CONFIG",
                                      f"{section}.{code}.{key} must be a list of strings"))
        elif key == "jargon" and not all(_jargon_entry(item) for item in value):
            problems.append(Violation(path, _line_of(text, key), "RULES-CONFIG",
                                      f'alerts.{code}.jargon entries are "TERM = plain words"'))
    return problems


def _jargon_entry(item: str) -> tuple[str, str] | None:
    """``"BOLO = look out for"`` as ("BOLO", "look out for"); None when malformed."""
    term, sep, plain = item.partition("=")
    return (term.strip(), plain.strip()) if sep and term.strip() and plain.strip() else None


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = {section: dict(values) for section, values in base.items()}
    for section, values in extra.items():
        target = merged.setdefault(section, {})
        for key, value in values.items():
            if key == "remove":
                continue
            if isinstance(value, list) and isinstance(target.get(key), list):
                target[key] = target[key] + [v for v in value if v not in target[key]]
            elif isinstance(value, dict) and isinstance(target.get(key), dict):
                target[key] = _merge({"_": target[key]}, {"_": value})["_"]  # [terms.es]
            else:
                target[key] = value
    removals = extra.get("terms", {}).get("remove", {})
    for name, words in removals.items():
        drop = {w.lower() for w in words}
        merged["terms"][name] = [w for w in merged["terms"].get(name, []) if w.lower() not in drop]
    for code, table in extra.get("terms", {}).items():  # [terms.es.remove]
        if code == "remove" or not isinstance(table, dict):
            continue
        lists = merged["terms"].setdefault(code, {})
        for name, words in table.get("remove", {}).items():
            drop = {w.lower() for w in words}
            lists[name] = [w for w in lists.get(name, []) if w.lower() not in drop]
    return merged


def default_text() -> str:
    """The built-in defaults, shipped beside this module (package data in a wheel)."""
    return (Path(__file__).parent / "defaults.toml").read_text(encoding="utf-8")


def load_config(override_text: str | None = None,
                path: str = RULES_PATH) -> tuple[RuleConfig, list[Violation]]:
    """Defaults merged with ``override_text`` (the contents of policy/rules.toml, if any)."""
    data = tomllib.loads(default_text())
    problems: list[Violation] = []
    if override_text:
        try:
            extra = tomllib.loads(override_text)
        except tomllib.TOMLDecodeError as exc:
            match = _TOML_LINE.search(str(exc))
            line = int(match.group(1)) if match else 1
            return _build(data), [Violation(path, line, "RULES-CONFIG", f"not valid TOML: {exc}")]
        problems = _validate(extra, override_text, path)
        if not problems:
            data = _merge(data, extra)
    return _build(data), problems


def _build(data: dict[str, Any]) -> RuleConfig:
    allow, terms, alerts = data["allow"], data["terms"], data["alerts"]
    return RuleConfig(
        training_period_days=data["training"]["period_days"],
        training_warn_days=data["training"]["warn_days"],
        summary_max_length=data["summary"]["max_length"],
        # public_numbers (a crime-stoppers or partner agency's line) are allowed like phones;
        # short codes (911, 988) never look like a phone number to PRIVACY-PHONE
        allow_phones=_phone_digits(allow["phones"]) | _phone_digits(
            n for n in allow["public_numbers"] if len(digits(n)) >= 10),
        allow_toll_free=allow["toll_free"],
        public_numbers=frozenset(allow["public_numbers"]),
        allow_emails=frozenset(e.lower() for e in allow["emails"]),
        allow_email_domains=frozenset(d.lower().lstrip("@") for d in allow["email_domains"]),
        allow_addresses=tuple(a.lower() for a in allow["addresses"]),
        terms={name: tuple(terms.get(name, [])) for name in TERM_LISTS},
        safe_phrases=tuple(terms.get("safe_phrases", [])),
        severity=dict(data.get("severity", {})),
        contact_phone=next((p for p in allow["phones"] if len(digits(p)) >= 10), ""),
        contact_email=next(iter(allow["emails"]), ""),
        alert_generic_headlines=tuple(h.lower() for h in alerts["generic_headlines"]),
        alert_imperative_verbs=frozenset(v.lower() for v in alerts["imperative_verbs"]),
        alert_jargon=tuple(entry for entry in map(_jargon_entry, alerts["jargon"])
                           if entry is not None),
        language_terms={code: {name: tuple(words) for name, words in lists.items()
                               if name != "remove"}
                        for code, lists in terms.items() if isinstance(lists, dict)
                        and code != "remove"},
        language_alerts={code: {name: tuple(words) for name, words in lists.items()}
                         for code, lists in alerts.items() if isinstance(lists, dict)},
    )
