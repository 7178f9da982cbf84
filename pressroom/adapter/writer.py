"""The writer every build writes through: keyed, claimed once, rendered on all cores.

``KeyedWriter`` is Pelican's writer with three differences:

* every output file gets a key (``pressroom.adapter.keys``) recorded in the session's
  manifest; a warm build renders a file only when its key differs from the last build's
  and the live release still has it;
* every output name is claimed once per build: a second source asking for the same file
  fails the build with one line naming both (no page silently overwrites another);
* pages are queued and rendered in batches, on every core when there are many.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.paginator import Paginator
from pelican.urlwrappers import URLWrapper
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from pressroom.adapter.keys import Fingerprints, template_variables
from pressroom.adapter.languages import page_values
from pressroom.adapter.session import OutputEntry, current
from pressroom.adapter.templates import refusal, template_frame
from pressroom.build.incremental import digest

logger = logging.getLogger(__name__)
PAGES_OWNER, ARTICLES_OWNER = "pages", "articles"


class OutputCollision(FileOverwriteFailedError):
    """Two sources of one build claim one output file (or a slug came out empty)."""


def _relative(path: str, settings: dict[str, Any]) -> str:
    session = current()
    repo = str(session.repo) if session is not None else ""
    if not (repo and os.path.isabs(path)):
        return path
    # Every page of a build names its source (13,000 a build): a clean path under the
    # repository is cut, which is what relpath computes for it, at a fraction of the cost.
    head = repo.rstrip("/") + "/"
    if path.startswith(head) and "/./" not in path and "/../" not in path \
            and "//" not in path and not path.endswith(("/.", "/..", "/")):
        return path[len(head):]
    return os.path.relpath(path, repo)


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
        session = current()
        if session is None:
            raise RuntimeError("KeyedWriter writes for a pressroom build session only")
        self.session = session
        self.previous: dict[str, OutputEntry] = session.previous
        # Warm builds: the live site to compare with, and the Stage new files go to.
        self.live: str = session.live or output_path
        self.stage = session.stage
        self.manifest: dict[str, OutputEntry] = session.manifest
        self.written: list[str] = session.written
        self.fingerprint = Fingerprints()
        # Kept in the state: the theme is the same whenever a warm build runs.
        self._variables: dict[str, frozenset[str]] = session.variables
        self._shared: dict[tuple, str] = {}
        self.jobs: list[tuple] = []  # pages to render at flush()
        # Output name -> what wrote it. A warm build keeps the last build's Pelican pages
        # without writing them again, so they are claimed from the start.
        self.claims: dict[str, str] = {
            name: f"page {name} (kept from the last build)"
            for name, entry in self.previous.items() if entry.owner == PAGES_OWNER}

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
        return before is not None and before.key == key and \
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
            # The page's language, from its address, and its alternates (hreflang, switch).
            values.update(page_values(page_name, url, template_name, self.settings, extra))
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
        self.manifest[name] = OutputEntry(key, owner, template.name)
        if self._unchanged(name, key):
            return
        path = self._claim(self._fresh(name), override)
        self.jobs.append((template, values, context, path))
        if self not in _PENDING:
            _PENDING.append(self)
        if len(self.jobs) >= self.session.render_batch:
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
        if len(jobs) < self.session.parallel_from \
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
    def _report(failures: list[str]) -> None:
        """One error line per failure, each once: a template that fails names itself and
        its line, the same for every page it stopped."""
        for message in dict.fromkeys(failures):
            logger.error("%s", message)

    def write_bytes(self, name: str, inputs: Any, produce) -> None:
        """A file a plugin makes from ``inputs`` (feed, CAP document), rebuilt when they change."""
        self.claim(name, describe_source(inputs, self.settings, "a feed or CAP file"))
        key = digest([name, self.fingerprint(inputs)])
        self.manifest[name] = OutputEntry(key, ARTICLES_OWNER, "")
        if self._unchanged(name, key):
            return
        data = produce()
        with open(self._fresh(name), "wb") as handle:
            handle.write(data)


_JOBS: list[tuple] = []  # the pages a flush renders, inherited by its forked workers
_PENDING: list[KeyedWriter] = []  # writers with queued pages


def _render_slice(index: int, count: int) -> list[str]:
    return _render_jobs(_JOBS, index, count)


def _render_jobs(jobs: list[tuple], index: int, count: int) -> list[str]:
    """Render and write every ``count``-th job from ``index``; failures as one-line messages
    naming the template and line."""
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
        except Exception as exc:  # reported by the parent: one line per template and error
            refused = refusal(exc)
            if refused is None:
                where = template_frame(exc.__traceback__) or f"template {template.name}"
                refused = f"{where}: {type(exc).__name__}: {exc}"
            failures.append(refused)
    return failures


def flush_writers(*_args, **_kwargs) -> None:
    """At the end of a build: render what the writers queued."""
    while _PENDING:
        _PENDING.pop().flush()


def forget_pending(*_args, **_kwargs) -> None:
    """At the start of a build: pages queued by a build that failed are not this one's."""
    _PENDING.clear()



def write_output(writer: Any, name: str, inputs: Any, produce: Callable[[], bytes]) -> None:
    """How plugins write a file made from ``inputs`` (a feed, a CAP document).

    Under ``pressroom build`` the writer keys it and skips it when ``inputs`` did not
    change; a plain Pelican writer just writes it.
    """
    keyed = getattr(writer, "write_bytes", None)
    if keyed is not None:
        keyed(name, inputs, produce)
        return
    path = Path(writer.output_path) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(produce())
