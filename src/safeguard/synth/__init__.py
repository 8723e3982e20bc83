"""Synthetic force data: a feed and its ground truth (see docs/synthetic-data.md).

``from safeguard.synth import generate`` is imported lazily so that loading the Django app does
not import the generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .generator import Summary, generate

__all__ = ["Summary", "generate"]


def __getattr__(name: str):
    if name in __all__:
        from . import generator

        return getattr(generator, name)
    raise AttributeError(name)
