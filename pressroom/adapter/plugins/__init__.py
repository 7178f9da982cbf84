"""pressroom's Pelican plugins, loaded by ``pressroom.adapter.engine`` in a fixed order.

Each reads the build's decisions from the ``BuildSession`` (``pressroom.adapter.session``)
and leaves the deciding to the core: what is public (``pressroom.model.content``),
incidents and CAP (``pressroom.model.incidents``, ``pressroom.render.cap``), sanitizing
(``pressroom.render.sanitize``).
"""
