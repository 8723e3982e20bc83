"""The catalogue of shared/spec/rules.md, one module per family. Importing registers them."""

from . import bail_orders, csc, domestic, joining, missing, online, rso  # noqa: F401
