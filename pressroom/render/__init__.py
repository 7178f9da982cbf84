"""What check and build share about rendering, without Pelican: the Pelican settings as data
(``site``), Markdown rendering (``markdown_render``), the HTML sanitizer (``sanitize``) and
CAP 1.2 documents (``cap``).
"""
