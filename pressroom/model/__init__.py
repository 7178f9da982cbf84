"""The pure model: posts, the roster, incidents, categories, dates and violations.

Values and decisions only: no file or network I/O, no rendering library (a test holds it to
that), so every other layer can trust and test them directly.
"""
