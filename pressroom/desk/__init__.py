"""``pressroom desk``: a small web app on 127.0.0.1 for the people who will not use a terminal.

The supervisor's queue, a branch's review sheet with Approve and Send back, and the PIO's
form for a new post or incident update. It reads branches as data from git objects (never
their Python, never the working folder of another branch), signs with the user's own
configured key, and only POST changes anything. The only package that imports Flask
(``tests/test_architecture.py``); the web layer (``app``, ``security``, ``server``) is thin
over ``queue``, ``actions`` and ``drafts``, which know nothing of HTTP.
"""
