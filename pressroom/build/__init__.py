"""``pressroom build``: validate, render through the adapter (``pressroom.adapter``), and switch
the site in atomically (``run``); warm builds that rewrite only what changed (``warm``,
``incremental``); what a build reports (``result``).
"""
