"""pressroom's Pelican plugins, loaded by ``pressroom.adapter.engine`` in a fixed order.

Each reads the build's decisions from the ``BuildSession`` (``pressroom.adapter.session``)
and leaves the deciding to the core: what is public (``pressroom.content``), incidents
and CAP (``pressroom.incidents``, ``pressroom.cap``), sanitizing (``pressroom.sanitize``).
"""
