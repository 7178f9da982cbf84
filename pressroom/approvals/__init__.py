"""392.3 supervisor authorization: signatures, the rules over one merge (``rules``), what a
merge changes (``merges``, ``scope``), ``verify`` over history (``verification``), the daily
commands (``workflow``), the server's pre-receive hook and CODEOWNERS.
"""
