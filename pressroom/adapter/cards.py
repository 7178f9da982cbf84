"""Article cards: a public post as the site's pages read it, kept from build to build.

A warm build (``pressroom.build.incremental``) lists 10,000 posts without reading them:
each one's card holds every attribute templates and plugins read of a Pelican
``Article`` — ``url``, ``title``, ``summary``, ``content``, ``category``, ``member``,
``withdrawn`` ... — frozen after all plugins attached theirs. The ``digest`` covers
all of it, so a page listing a post changes key exactly when the card changes.
Pelican is imported only when a card goes back into a build.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

MISSING = object()
# Attributes a card never keeps: Pelican's plumbing, the time-dependent incident view
# (pressroom_incidents attaches ``thread`` afresh on every build) and the addresses of a
# post's translations (pressroom_languages attaches ``alternate_urls`` on every build; only
# the post's own page shows them, and its key covers them: a new translation does not
# change the lists the post is in).
NOT_KEPT = frozenset({"settings", "_context", "_content", "_summary", "_status", "thread",
                      "alternate_urls",
                      "translations", "_digest", "_store", "_saved", "_pressroom_card"})
# The attributes (and metadata keys) that hold Pelican categories, tags and authors.
TAXON_KEYS = ("category", "author", "authors", "tags")


class Taxon(NamedTuple):
    """A category, tag or author as stored (Pelican's URLWrapper carries all settings)."""

    kind: str
    name: str


def _freeze_value(value: Any) -> Any:
    from pelican.urlwrappers import URLWrapper

    if isinstance(value, URLWrapper):
        return Taxon(type(value).__name__, value.name)
    if isinstance(value, list):
        return [_freeze_value(v) for v in value]
    return value


def _freeze(values: dict[str, Any]) -> dict[str, Any]:
    """Categories, tags and authors as Taxon values, wherever Pelican puts them."""
    from pelican.urlwrappers import URLWrapper

    out = {}
    for key, value in values.items():
        if key in TAXON_KEYS or isinstance(value, URLWrapper):
            value = _freeze_value(value)
        elif key == "metadata":
            value = {k: _freeze_value(v) if k in TAXON_KEYS else v for k, v in value.items()}
        out[key] = value
    return out


def _thaw_value(value: Any, taxa: dict[Taxon, Any], settings: dict[str, Any]) -> Any:
    if isinstance(value, Taxon):
        if value not in taxa:
            from pelican import urlwrappers

            taxa[value] = getattr(urlwrappers, value.kind)(value.name, settings)
        return taxa[value]
    if isinstance(value, list):
        return [_thaw_value(v, taxa, settings) for v in value]
    return value


class Card:
    """One public article as templates and plugins read it.

    Reads like a Pelican ``Article``. Its ``digest`` is recomputed when a plugin
    changes an attribute (``withdrawn`` when a post is withdrawn, say).
    """

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
        self.__dict__["_digest"] = None
        self.__dict__.setdefault("thread", None)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in NOT_KEPT and self.__dict__.get(name, MISSING) != value:
            self.__dict__["_digest"] = None
        self.__dict__[name] = value

    def kept(self) -> dict[str, Any]:
        """The attributes a later build reuses, categories and tags as ``Taxon`` values."""
        return _freeze({k: v for k, v in self.__dict__.items() if k not in NOT_KEPT})

    @property
    def digest(self) -> str:
        if self.__dict__["_digest"] is None:
            data = pickle.dumps(sorted(self.kept().items()), protocol=5)
            self.__dict__["_digest"] = hashlib.blake2b(data, digest_size=16).hexdigest()
        return self.__dict__["_digest"]

    def __getattr__(self, name: str) -> Any:
        # Only called for a missing attribute: the body, kept in the ContentStore.
        if name == "content" and "_store" in self.__dict__:
            content = self.__dict__["_store"].get(self.__dict__["content_key"])
            self.__dict__["content"] = content
            return content
        raise AttributeError(name)

    def get_summary(self, siteurl: str | None = None) -> str:
        return self.summary

    def get_content(self, siteurl: str | None = None) -> str:
        return self.content

    def __getstate__(self) -> dict[str, Any]:
        """Without the body (``ContentStore``): the state stays small and quick to load."""
        saved = self.__dict__.get("_saved")
        if saved is not None and saved["_digest"] == self.__dict__["_digest"]:
            return saved  # unchanged since it was loaded
        state = {**self.kept(), "_digest": self.digest}
        content = state.pop("content", None)
        if content is not None:
            state["content_key"] = content_key(content)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__["thread"] = None
        self.__dict__["_saved"] = state

    def revive(self, settings: dict[str, Any], taxa: dict[Taxon, Any],
               store: ContentStore) -> Card:
        """Back into a build: real categories and tags, this build's settings, the store."""
        values = self.__dict__
        for key in TAXON_KEYS:
            if key in values:
                values[key] = _thaw_value(values[key], taxa, settings)
        if "metadata" in values:
            values["metadata"] = {k: _thaw_value(v, taxa, settings) if k in TAXON_KEYS else v
                                  for k, v in values["metadata"].items()}
        values["settings"] = settings
        values["_store"] = store
        return self

    def __repr__(self) -> str:
        return f"<Card {self.__dict__.get('source_path')}>"


def card_of(article: Any) -> Card:
    """The card of a Pelican article (made once per article and build)."""
    if isinstance(article, Card):
        return article
    card = article.__dict__.get("_pressroom_card")
    if card is None:
        values = {k: v for k, v in vars(article).items() if k not in NOT_KEPT}
        links = article._get_intrasite_link_regex()
        values.update(url=article.url, save_as=article.save_as, summary=article.summary,
                      content=article.content, status=article.status,
                      # a {filename} link depends on other posts: such posts need full builds
                      volatile=bool(links.search(article._content or "")
                                    or links.search(str(article.metadata.get("summary", "")))
                                    or article.translations))
        card = Card(values)
        card.__dict__["settings"] = article.settings
        article.__dict__["_pressroom_card"] = card
    card.thread = getattr(article, "thread", None)
    return card


def content_key(content: str) -> str:
    return hashlib.blake2b(content.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class ContentStore:
    """Post bodies by ``content_key``, in SQLite: a warm build reads only the few it shows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():  # never share one across a fork
            self._db = sqlite3.connect(self.path)
            self._pid = os.getpid()
            self._db.execute("CREATE TABLE IF NOT EXISTS body (key TEXT PRIMARY KEY, html TEXT)")
        return self._db

    def get(self, key: str) -> str:
        row = self.db.execute("SELECT html FROM body WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise LookupError(f"{self.path}: no stored body {key}; run pressroom build --full")
        return row[0]

    def add(self, cards: Iterable[Card]) -> None:
        rows = []
        for card in cards:
            content = card.__dict__.get("content")
            if content is not None:
                rows.append((content_key(content), content))
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO body VALUES (?, ?)", rows)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @staticmethod
    def fresh(path: Path, cards: Iterable[Card]) -> None:
        """A new store holding exactly ``cards``' bodies (a full build), swapped in whole."""
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb"):
            pass  # empty, whatever an interrupted build left there
        store = ContentStore(tmp)
        store.add(cards)
        store.close()
        os.replace(tmp, path)
