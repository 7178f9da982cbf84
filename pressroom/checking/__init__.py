"""The content rules applied: the engine over one file (``engine``: pure), a repository's
files checked with it (``repo``), and the results kept between checks (``results``).
"""
