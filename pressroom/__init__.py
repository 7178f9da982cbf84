"""pressroom: a police department's publishing system under Policy 392.

The package is the domain core (content model, roster, rules, approvals,
records) plus the thin ``pressroom`` command line. Importing it does no I/O.
"""

from pressroom._version import __version__

__all__ = ["__version__"]
