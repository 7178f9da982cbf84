"""Default policy files and the skeleton of a new department repository (``pressroom init``).

Data only: templates that ``pressroom.init`` fills in with ``string.Template`` (``$name``
placeholders). They ship inside the wheel so a department that installs pressroom needs
nothing from this repository.
"""
