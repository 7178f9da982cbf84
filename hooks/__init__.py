"""pre-commit entry points: thin shells over ``pressroom.checking`` and ``pressroom.images``."""
