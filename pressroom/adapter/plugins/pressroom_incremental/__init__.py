"""392.4.1 speed: write only the files a change affects, byte for byte a full build's.

Every build, full or warm, writes through ``KeyedWriter``. For every file it computes
a *key*: a digest of exactly what produces that file — for a page, the values of the
variables its template (with the templates it extends, imports and includes) reads;
for a feed or CAP document, the inputs the plugin hands over. A full build renders
everything and records the keys (``PRESSROOM_MANIFEST``); a warm build starts from a
hard-linked copy of the previous site and renders a file only when its key changed.

Articles become ``Card`` values: every attribute a template can read, frozen after
all plugins have attached theirs, so the next build can list 10,000 posts without
reading them. ``replay`` runs the article generator's output phase over cards plus
the freshly read changed posts, sending the same signals a full build sends.

The alert banner is left out of page keys (it is on every page and changes with
every incident update); ``pressroom.incremental`` patches it into the kept pages,
between the markers ``base.html`` puts around it.
"""

from __future__ import annotations

import calendar
import dataclasses
import gc
import logging
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from itertools import groupby
from operator import attrgetter
from typing import Any

from jinja2 import meta
from pelican import signals
from pelican.contents import Article
from pelican.generators import ArticlesGenerator
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper
from pelican.utils import (
    get_relative_path,
    order_content,
    path_to_url,
    sanitised_join,
)
from pelican.writers import FileOverwriteFailedError, Writer

from pressroom.cards import Card, card_of
from pressroom.incremental import (
    BANNER_BLOCK,
    BANNER_END,
    BANNER_START,
    BANNER_VARIABLE,
    digest,
)

logger = logging.getLogger(__name__)
MISSING = object()
PARALLEL_FROM = 200  # pages; fewer render faster in this process than with workers
BATCH = 500  # pages queued before a batch starts rendering
# Variables the writer sets for each page (besides the keyword arguments of a write).
PER_PAGE = frozenset({"SITEURL", "localsiteurl", "output_file"})
PAGES_OWNER, ARTICLES_OWNER = "pages", "articles"


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

    The banner block is left out: its region is patched (pressroom.incremental).
    """
    seen = seen if seen is not None else set()
    if name in seen:
        return frozenset()
    seen.add(name)
    source = env.loader.get_source(env, name)[0]
    tree = env.parse(BANNER_BLOCK.sub(
        lambda m: "" if banner_patchable(env, m.group(0)) else m.group(0), source))
    found = set(meta.find_undeclared_variables(tree))
    for other in meta.find_referenced_templates(tree):
        if other is not None:
            found |= template_variables(env, other, seen)
        else:
            found.add("*")  # a computed template name: the key cannot be narrowed
    return frozenset(found)


def banner_patchable(env, block_source: str) -> bool:
    """A banner block reading only the banner and SITEURL can be patched into kept pages."""
    return meta.find_undeclared_variables(env.parse(block_source)) <= {"SITEURL", BANNER_VARIABLE}


def banner_regions(generator, banner: list[Any]):
    """``region(template, output file)``: the banner as that page shows it, markers included."""
    env, memo = generator.env, {}
    base = env.get_template("base.html")

    def region(template_name: str, name: str) -> str | None:
        template = env.get_template(template_name)
        block = template.blocks.get("banner") or base.blocks.get("banner")
        if block is None:
            return None
        siteurl = path_to_url(get_relative_path(name)) if generator.settings["RELATIVE_URLS"] \
            else generator.settings["SITEURL"]
        cache_key = (template_name if "banner" in template.blocks else "", siteurl)
        if cache_key not in memo:
            context = template.new_context({**generator.context, "SITEURL": siteurl,
                                             "localsiteurl": siteurl, "output_file": name,
                                             BANNER_VARIABLE: banner})
            text = "".join(block(context))
            start, end = text.find(BANNER_START), text.find(BANNER_END)
            memo[cache_key] = text[start:end + len(BANNER_END)] if 0 <= start <= end else None
        return memo[cache_key]

    return region


class OutputCollision(FileOverwriteFailedError):
    """Two sources of one build claim one output file (or a slug came out empty)."""


def _relative(path: str, settings: dict[str, Any]) -> str:
    repo = settings.get("PRESSROOM_REPO")
    return os.path.relpath(path, repo) if repo and os.path.isabs(path) else path


def describe_source(values: Any, settings: dict[str, Any], fallback: str) -> str:
    """What asked for a file, for a collision message: a post, a tag and its post, a feed..."""
    items = values.items() if isinstance(values, dict) else enumerate(
        values if isinstance(values, (tuple, list)) else (values,))
    items = list(items)
    for key, value in items:
        source = getattr(value, "source_path", None)
        if key in ("article", "page") and isinstance(source, str):
            return f"{key} {_relative(source, settings)}"
    for key, value in items:
        if key in ("tag", "category", "author") and isinstance(value, URLWrapper):
            posts = values.get("articles") if isinstance(values, dict) else None
            first = getattr(posts[0], "source_path", "") if posts else ""
            return f"{key} {value.name!r}" + (f" of {_relative(first, settings)}" if first else "")
    for _key, value in items:
        path = getattr(value, "path", None) or getattr(value, "source_path", None)
        if isinstance(path, str) and path.endswith((".md", ".markdown", ".mkd", ".mdown")):
            return f"{fallback} of {_relative(path, settings)}"
        thread = getattr(value, "id", None) if _key == "thread" else None
        if thread:
            return f"{fallback} of incident {thread!r}"
    return fallback


class KeyedWriter(Writer):
    """Pelican's writer, rendering a file only when its key changed since the last build.

    Every output name is claimed once per build (``claim``): a second source asking
    for the same file, or a name with an empty segment (a slug that came out empty,
    "tag//index.html"), fails the build with one line naming both sources instead of
    silently overwriting a page.
    """

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        assert settings is not None
        self.previous: dict[str, tuple] = settings.get("PRESSROOM_PREVIOUS") or {}
        # Warm builds: the live site to compare with, and the Stage new files go to.
        self.live: str = settings.get("PRESSROOM_LIVE") or output_path
        self.stage = settings.get("PRESSROOM_STAGE")
        self.manifest: dict[str, tuple] = settings.setdefault("PRESSROOM_MANIFEST", {})
        self.written: list[str] = settings.setdefault("PRESSROOM_WRITTEN", [])
        self.fingerprint = Fingerprints()
        # Kept in the state: the theme is the same whenever a warm build runs.
        self._variables: dict[str, frozenset[str]] = settings.setdefault(
            "PRESSROOM_VARIABLES", {})
        self._shared: dict[tuple, str] = {}
        self.jobs: list[tuple] = []  # pages to render at flush()
        # Output name -> what wrote it. A warm build keeps the last build's Pelican pages
        # without writing them again, so they are claimed from the start.
        self.claims: dict[str, str] = {
            name: f"page {name} (kept from the last build)"
            for name, entry in self.previous.items() if entry[1] == PAGES_OWNER}

    def claim(self, name: str, source: str) -> None:
        """Refuse a second write of one output file, and names no slug should produce."""
        parts = name.replace("\\", "/").split("/")
        if any(part in ("", ".", "..") for part in parts) or name != name.strip():
            raise OutputCollision(f"{name!r} from {source}: an output path with an empty "
                                  f"or relative part (a tag, category or slug that "
                                  f"slugifies to nothing?)")
        earlier = self.claims.get(name)
        if earlier is not None:
            raise OutputCollision(f"{name} is written by both {earlier} and {source}; "
                                  f"rename one of them")
        self.claims[name] = source

    def _unchanged(self, name: str, key: str) -> bool:
        before = self.previous.get(name)
        return before is not None and before[0] == key and \
            os.path.isfile(sanitised_join(self.live, name))

    def _fresh(self, name: str) -> str:
        """Where to write ``name``: the new site's folder, or a warm build's stage."""
        self.written.append(name)
        if self.stage is not None:
            sanitised_join(self.live, name)  # the same refusal of paths outside the site
            return self.stage.path_for(name)
        path = sanitised_join(self.output_path, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return path

    def page_key(self, template, name: str, own_values: dict[str, Any],
                 context: dict[str, Any]) -> str:
        """The digest of every variable the template reads, as this page has them.

        Variables taken unchanged from the shared context are digested once per
        template and context (the context is kept alive so its id is never reused).
        """
        variables = self._variables.get(template.name)
        if variables is None:
            variables = template_variables(template.environment, template.name)
            self._variables[template.name] = variables
        if "*" in variables:
            return os.urandom(16).hex()
        split_id = (template.name, id(context), tuple(own_values))
        split = self._shared.get(split_id)
        if split is None:
            own = tuple(sorted(variables & set(own_values)))
            shared = digest(self._values(sorted(variables - set(own)), context))
            split = self._shared[split_id] = (own, shared)
            self.fingerprint.keep.append(context)
        own, shared = split
        return digest([template.name, name, shared, *self._values(own, own_values)])

    def _values(self, names: Iterable[str], values: dict[str, Any]) -> list[str]:
        return [f"{v}={self.fingerprint(values[v])}" if v in values else f"{v}=<undefined>"
                for v in names]

    def write_file(self, name, template, context, relative_urls=False, paginated=None,
                   template_name=None, override_output=False, url=None, **kwargs):
        """Pelican's ``write_file`` (pagination included), keyed per written page."""
        if not name:
            return
        owner = PAGES_OWNER if "page" in kwargs else ARTICLES_OWNER

        def own_values(page_name: str, extra: dict[str, Any]) -> dict[str, Any]:
            """What Pelican's writer sets over the shared context for this page."""
            values = {"localsiteurl": context.get("localsiteurl", None)}
            if relative_urls:
                relative = path_to_url(get_relative_path(page_name))
                values["SITEURL"] = relative
                values["localsiteurl"] = relative
            values["output_file"] = page_name
            values.update(extra)
            return values

        if paginated is None:
            paginated = {k: v for k, v in kwargs.items() if k in {"articles", "dates"}}
        if paginated and template_name in self.settings["PAGINATED_TEMPLATES"]:
            per_page = self.settings["PAGINATED_TEMPLATES"][template_name] or \
                self.settings["DEFAULT_PAGINATION"]
            paginators = {key: Paginator(name, url, val, self.settings, per_page)
                          for key, val in paginated.items()}
            for page_num in range(next(iter(paginators.values())).num_pages):
                extra = kwargs.copy()
                for key, paginator in paginators.items():
                    page = paginator.page(page_num + 1)
                    extra.update({
                        f"{key}_paginator": paginator,
                        f"{key}_page": page,
                        f"{key}_previous_page": paginator.page(page_num) if page_num > 0
                        else None,
                        f"{key}_next_page": paginator.page(page_num + 2)
                        if page_num + 1 < paginator.num_pages else None,
                    })
                self._write_page(template, own_values(page.save_as, extra), context,
                                 page.save_as, override_output, owner)
        else:
            self._write_page(template, own_values(name, kwargs), context, name,
                             override_output, owner)

    def _write_page(self, template, values, context, name, override, owner) -> None:
        self.claim(name, describe_source(values, self.settings, f"template {template.name}"))
        key = self.page_key(template, name, values, context)
        self.manifest[name] = (key, owner, template.name)
        if self._unchanged(name, key):
            return
        path = self._claim(self._fresh(name), override)
        self.jobs.append((template, values, context, path))
        if self not in _PENDING:
            _PENDING.append(self)
        if len(self.jobs) >= self.settings.get("PRESSROOM_RENDER_BATCH", BATCH):
            # start rendering while keys are computed; keep the queue (and memory) short
            self.flush(final=False)

    def _claim(self, path: str, override: bool) -> str:
        """Pelican's ``_open_w`` bookkeeping (one write per file), without opening it yet."""
        if path in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{path}" a second time (was previously overwritten)')
            return os.devnull
        if path in self._written_files and not override:
            raise FileOverwriteFailedError(
                f'Failed to overwrite "{path}" as Pelican has already written to it '
                "previously (set `override=True` if intended)")
        if override:
            self._overridden_files.add(path)
        self._written_files.add(path)
        return path

    def flush(self, final: bool = True) -> None:
        """Render the queued pages: on every core when there are many.

        Forked workers inherit the templates and articles, so nothing is copied to
        them. A batch flushed before the end (``final=False``) renders while this
        process goes on computing keys; only one batch runs at a time.
        """
        global _JOBS
        jobs, self.jobs = self.jobs, []
        workers = min(os.cpu_count() or 1, 8)
        self._wait()
        if len(jobs) < self.settings.get("PRESSROOM_PARALLEL_FROM", PARALLEL_FROM) \
                or workers < 2:
            self._report(_render_jobs(jobs, 0, 1))
            return
        _JOBS = jobs
        gc.freeze()  # the workers' collector must not touch (and so copy) our objects
        try:
            pool = multiprocessing.get_context("fork").Pool(workers, gc.disable)
        finally:
            _JOBS = []
            gc.unfreeze()
        self._running = (pool, pool.starmap_async(
            _render_slice, [(k, workers) for k in range(workers)]))
        if final:
            self._wait()

    def _wait(self) -> None:
        running, self._running = getattr(self, "_running", None), None
        if running is not None:
            pool, result = running
            try:
                self._report([failure for part in result.get() for failure in part])
            finally:
                pool.close()
                pool.join()

    @staticmethod
    def _report(failures: list[tuple[str, str]]) -> None:
        for path, message in failures:
            logger.error("%s: %s", path, message)

    def write_bytes(self, name: str, inputs: Any, produce) -> None:
        """A file a plugin makes from ``inputs`` (feed, CAP document), rebuilt when they change."""
        self.claim(name, describe_source(inputs, self.settings, "a feed or CAP file"))
        key = digest([name, self.fingerprint(inputs)])
        self.manifest[name] = (key, ARTICLES_OWNER, "")
        if self._unchanged(name, key):
            return
        data = produce()
        with open(self._fresh(name), "wb") as handle:
            handle.write(data)


_JOBS: list[tuple] = []  # the pages a flush renders, inherited by its forked workers
_PENDING: list[KeyedWriter] = []  # writers with queued pages


def _render_slice(index: int, count: int) -> list[tuple[str, str]]:
    return _render_jobs(_JOBS, index, count)


def _render_jobs(jobs: list[tuple], index: int, count: int) -> list[tuple[str, str]]:
    """Render and write every ``count``-th job from ``index``; failures as (path, message)."""
    failures = []
    for template, values, context, path in jobs[index::count]:
        try:
            local = context.copy()
            local.update(values)
            if local["localsiteurl"]:
                context["localsiteurl"] = local["localsiteurl"]
            output = template.render(local)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(output)
            signals.content_written.send(path, context=local)
        except Exception as exc:  # reported by the parent, as one line per page
            failures.append((path, f"{type(exc).__name__}: {exc}"))
    return failures


def flush_writers(*_args, **_kwargs) -> None:
    """At the end of a build: render what the writers queued."""
    while _PENDING:
        _PENDING.pop().flush()


def forget_pending(*_args, **_kwargs) -> None:
    """At the start of a build: pages queued by a build that failed are not this one's."""
    _PENDING.clear()


def keep_cards(generator, writer) -> None:
    """After the article pages, feeds and incident files: the cards the next build reuses."""
    generator.settings["PRESSROOM_CARDS"] = [card_of(a) for a in generator.articles]
    banner = generator.context.get(BANNER_VARIABLE) or []
    region = banner_regions(generator, banner)
    generator.settings["PRESSROOM_BANNER_REGION"] = region
    # The banner as the home page shows it: what it says, not the data behind it (an
    # update changes its incident's latest date, not the banner).
    generator.settings["PRESSROOM_BANNER_KEY"] = digest([region("index.html", "index.html") or ""])


class PressroomArticlesGenerator(ArticlesGenerator):
    """Pelican's article generator, used by every build, and by ``replay`` over cards.

    Pelican finds a category's, tag's or year's dates with ``article in list`` for
    every article — quadratic (seconds at 10,000 posts); here the same lists come
    from the articles' positions. Articles compare by identity, so the lists are equal.
    """

    def generate_pages(self, writer):
        self._date_rank = {id(a): i for i, a in enumerate(self.dates)}
        super().generate_pages(writer)

    def _write_groups(self, write, kind: str, groups) -> None:
        """Pelican's tag, category and author pages (one loop, its keyword arguments)."""
        template = self.get_template(kind)
        for group, articles in groups:
            dates = sorted(articles, key=lambda a: self._date_rank[id(a)])
            write(group.save_as, template, self.context, url=group.url, articles=articles,
                  dates=dates, template_name=kind, blog=True, page_name=group.page_name,
                  all_articles=self.articles, **{kind: group})

    def generate_tags(self, write):
        self._write_groups(write, "tag", self.tags.items())

    def generate_categories(self, write):
        self._write_groups(write, "category", self.categories)

    def generate_authors(self, write):
        self._write_groups(write, "author", self.authors)

    def _build_period_archives(self, sorted_articles, articles, settings):
        formats = {g: (settings[f"{g.upper()}_ARCHIVE_SAVE_AS"],
                       settings[f"{g.upper()}_ARCHIVE_URL"]) for g in ("year", "month", "day")}
        keys = {"year": attrgetter("date.year"),
                "month": attrgetter("date.year", "date.month"),
                "day": attrgetter("date.year", "date.month", "date.day")}
        archives = defaultdict(list)
        for granularity in ("year", "month", "day"):
            save_as, url = formats[granularity]
            if not save_as:
                continue
            for period, group in groupby(sorted_articles, key=keys[granularity]):
                dates = list(group)
                ids = {id(a) for a in dates}
                d = dates[0].date
                archive = {"dates": dates, "articles": [a for a in articles if id(a) in ids],
                           "save_as": save_as.format(date=d), "url": url.format(date=d)}
                if granularity == "year":
                    archive["period"] = archive["period_num"] = (period,)
                else:
                    month = calendar.month_name[period[1]]
                    archive["period"] = (period[0], month) if granularity == "month" \
                        else (period[0], month, period[2])
                    archive["period_num"] = tuple(period)
                archives[granularity].append(archive)
        return archives


def new_generator(pelican) -> PressroomArticlesGenerator:
    context = pelican.settings.copy()
    context.update(generated_content={}, static_links=set(), static_content={},
                   localsiteurl=pelican.settings["SITEURL"])
    return PressroomArticlesGenerator(context=context, settings=pelican.settings, path=pelican.path,
                           theme=pelican.theme, output_path=pelican.output_path)


def read_articles(generator: PressroomArticlesGenerator, paths: list[str]) -> list[Any]:
    """Changed posts read as a full build reads them, through the same plugins."""
    articles = []
    for path in paths:
        article = generator.readers.read_file(
            base_path=generator.path, path=path, content_class=Article,
            context=generator.context, preread_signal=signals.article_generator_preread,
            preread_sender=generator, context_signal=signals.article_generator_context,
            context_sender=generator)
        if article.status == "published":
            articles.append(article)
    generator.articles, generator.translations = articles, []
    signals.article_generator_pretaxonomy.send(generator)
    return list(generator.articles)


def replay(generator: PressroomArticlesGenerator, articles: list[Any], writer: KeyedWriter) -> None:
    """What ``ArticlesGenerator.generate_context``'s grouping and ``generate_output`` do."""
    settings = generator.settings
    generator.articles = order_content(list(articles), settings["ARTICLE_ORDER_BY"])
    generator.translations, generator.drafts, generator.drafts_translations = [], [], []
    generator.hidden_articles, generator.hidden_translations = [], []
    categories, tags, authors = defaultdict(list), defaultdict(list), defaultdict(list)
    for article in generator.articles:
        if hasattr(article, "category"):
            categories[article.category].append(article)
        for tag in getattr(article, "tags", None) or []:
            tags[tag].append(article)
        for author in getattr(article, "authors", []):
            authors[author].append(article)
    generator.tags = tags
    generator.dates = sorted(generator.articles, key=attrgetter("date"),
                             reverse=generator.context["NEWEST_FIRST_ARCHIVES"])
    generator.period_archives = generator._build_period_archives(
        generator.dates, generator.articles, settings)
    generator.categories = sorted(categories.items(),
                                  reverse=settings["REVERSE_CATEGORY_ORDER"])
    generator.authors = sorted(authors.items())
    generator._update_context(("articles", "drafts", "hidden_articles", "dates", "tags",
                               "categories", "authors", "related_posts"))
    generator.context["period_archives"] = generator.period_archives
    signals.article_generator_finalized.send(generator)
    signals.all_generators_finalized.send([generator])
    generator.refresh_metadata_intersite_links()
    generator.generate_output(writer)
    flush_writers()


def get_writer(pelican) -> type[Writer]:
    return KeyedWriter


def register() -> None:
    signals.get_writer.connect(get_writer)
    signals.initialized.connect(forget_pending)
    signals.finalized.connect(flush_writers)
    signals.article_writer_finalized.connect(keep_cards)
