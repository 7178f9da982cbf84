"""``pressroom preview``: a branch as the public would see it after the merge, and the
review sheet of what changes (issue #13).

The public API: ``make_preview`` (build, compare, write ``DIR/site``, ``DIR/review.json``
and ``DIR/review.html``; returns the ``Review``), ``render_html`` (the sheet as HTML) and
``PreviewRefused`` (a branch that cannot be previewed, with the reason in one line).
"""

from pressroom.preview.gitview import PreviewRefused
from pressroom.preview.make import make_preview
from pressroom.preview.render import render_html
from pressroom.preview.review import Review

__all__ = ["PreviewRefused", "Review", "make_preview", "render_html"]
