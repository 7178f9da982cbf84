"""Content rules (392.3-392.5): pure functions from a ``Document`` to ``Violation``s.

Each module holds one family of rules; ``TEXT_RULES`` lists them in the order
their findings are reported. Rules never do I/O; what they need (the roster,
the configuration, today's date) is passed in.
"""
