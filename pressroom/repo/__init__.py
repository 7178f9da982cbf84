"""Reading a department repository: the one content walker and file reader (``files``),
the one config loader (``department``: settings as data, never run), the one validation path
(``sources``), and git, run safely (``gitio``).
"""
