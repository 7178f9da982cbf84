"""Output keys: the digest of exactly what produces each file of the site.

A page's key covers the values of the variables its template reads (with the templates
it extends, imports and includes: ``template_variables``), as ``Fingerprints`` turns
them into stable text; a feed's or CAP file's covers the inputs its plugin hands over.
A warm build rewrites a file only when its key changed, so a key must change whenever
the bytes would: an unknown kind of value gets a random fingerprint (always rewritten).

The alert banner is left out of page keys: it is on every page and changes with every
incident update, so ``pressroom.build.incremental`` patches it into kept pages instead,
between the markers ``base.html`` puts around it (``banner_regions``).
"""

from __future__ import annotations

import dataclasses
import os
from datetime import date, datetime
from typing import Any

from jinja2 import TemplateNotFound, TemplateSyntaxError, meta
from pelican.contents import Article
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper
from pelican.utils import get_relative_path, path_to_url

from pressroom.adapter.cards import Card, card_of
from pressroom.adapter.languages import language_of
from pressroom.build.incremental import (
    BANNER_BLOCK,
    BANNER_END,
    BANNER_START,
    BANNER_VARIABLE,
    digest,
)


class Fingerprints:
    """Stable text for the values templates and plugins read; one memo per build."""

    def __init__(self) -> None:
        self.memo: dict[Any, str] = {}  # by id; pages by (paginator id, number)
        self.keep: list[Any] = []  # memo keys are ids: keep their objects alive

    def __call__(self, value: Any) -> str:
        if value is None or isinstance(value, (str, int, float, bool, date, datetime)):
            return repr(value)
        memo_id = (id(value.paginator), value.number) if isinstance(value, Page) else id(value)
        known = self.memo.get(memo_id)
        if known is not None:
            return known
        text = self._compute(value)
        if len(text) > 64:  # lists of posts: remember a digest, not the text
            text = "#" + digest([text])
        self.memo[memo_id] = text
        self.keep.append(value)
        return text

    def _compute(self, value: Any) -> str:
        if isinstance(value, Article):
            value = card_of(value)
        if isinstance(value, Card):
            return f"card:{value.digest}:{self(value.thread)}"
        if isinstance(value, URLWrapper):
            return f"{type(value).__name__}:{value.name}"
        if isinstance(value, Page):
            return (f"page:{value.number}:{value.full_name}:{value.base_url}:"
                    f"{self(value.paginator)}:{self(value.object_list)}")
        if isinstance(value, Paginator):
            return f"paginator:{value.name}:{value.url}:{value.num_pages}:{value.count}"
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(self(v) for v in value) + "]"
        if isinstance(value, dict):
            return "{" + ",".join(sorted(f"{self(k)}:{self(v)}" for k, v in value.items())) + "}"
        if isinstance(value, (set, frozenset)):
            return "{" + ",".join(sorted(self(v) for v in value)) + "}"
        if dataclasses.is_dataclass(value):
            return type(value).__name__ + "(" + ",".join(
                self(getattr(value, f.name)) for f in dataclasses.fields(value)) + ")"
        if callable(value):
            module, name = getattr(value, "__module__", ""), getattr(value, "__qualname__", "")
            return f"callable:{module}.{name}"
        if type(value).__repr__ is object.__repr__:
            return f"unknown:{id(value)}:{os.urandom(8).hex()}"  # never equal: always rewrite
        return repr(value)


def template_variables(env, name: str, seen: set[str] | None = None) -> frozenset[str]:
    """Every context variable ``name`` can read, through extends, imports and includes.

    The banner block is left out: its region is patched (pressroom.build.incremental).
    """
    seen = seen if seen is not None else set()
    if name in seen:
        return frozenset()
    seen.add(name)
    source, filename, _ = env.loader.get_source(env, name)
    tree = env.parse(BANNER_BLOCK.sub(
        lambda m: "" if banner_patchable(env, m.group(0)) else m.group(0), source),
        name, filename)
    found = set(meta.find_undeclared_variables(tree))
    for other in meta.find_referenced_templates(tree):
        if other is None:
            found.add("*")  # a computed template name: the key cannot be narrowed
            continue
        try:
            found |= template_variables(env, other, seen)
        except TemplateNotFound as exc:  # name the template that asked for it, and where
            line = source.count("\n", 0, max(source.find(other), 0)) + 1
            raise TemplateSyntaxError(f"no template {other!r} to include, import or extend",
                                      line, name, filename) from exc
    return frozenset(found)


def banner_patchable(env, block_source: str) -> bool:
    """A banner block reading only the banner, SITEURL and the page's language (its
    address says it: ``es/...``) can be patched into kept pages."""
    return meta.find_undeclared_variables(env.parse(block_source)) <= {
        "SITEURL", BANNER_VARIABLE, "page_lang", "_"}


def banner_regions(generator, banner: list[Any]):
    """``region(template, output file)``: the banner as that page shows it, markers
    included. Its words are in the page's language (its address says it: ``es/...``): a
    page in another language must be patched with the region rendered for that language,
    or a warm build would differ from a full one."""
    env, memo = generator.env, {}
    base = env.get_template("base.html")

    def region(template_name: str, name: str) -> str | None:
        template = env.get_template(template_name)
        block = template.blocks.get("banner") or base.blocks.get("banner")
        if block is None:
            return None
        siteurl = path_to_url(get_relative_path(name)) if generator.settings["RELATIVE_URLS"] \
            else generator.settings["SITEURL"]
        lang = language_of(name, generator.settings)["code"]
        cache_key = (template_name if "banner" in template.blocks else "", siteurl, lang)
        if cache_key not in memo:
            context = template.new_context({**generator.context, "SITEURL": siteurl,
                                             "localsiteurl": siteurl, "output_file": name,
                                             "page_lang": lang, "lang": lang,
                                             BANNER_VARIABLE: banner})
            text = "".join(block(context))
            start, end = text.find(BANNER_START), text.find(BANNER_END)
            memo[cache_key] = text[start:end + len(BANNER_END)] if 0 <= start <= end else None
        return memo[cache_key]

    return region

