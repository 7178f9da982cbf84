"""392.6 and 392.7: every version of every item ever published (``history``), and the annual
review computed from it (``review``, ``review_render``).
"""
