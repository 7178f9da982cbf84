"""pressroom: a police department's publishing system under Policy 392.

The package is the domain core (content model, roster, rules, approvals,
records) plus the thin ``pressroom`` command line. Importing it does no I/O.
"""

__version__ = "0.1.0"
