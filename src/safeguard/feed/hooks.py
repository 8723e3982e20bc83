"""What runs after a load to bring the linked picture and the alerts up to date.

Higher layers (linkage, rules) register here so that the feed never imports them.
"""

from __future__ import annotations

from collections.abc import Callable

from .loader import LoadSummary

AfterLoad = Callable[[LoadSummary], str | None]
_after_load: list[tuple[int, AfterLoad]] = []


def register_after_load(hook: AfterLoad, *, order: int) -> None:
    if hook not in [h for _, h in _after_load]:
        _after_load.append((order, hook))
        _after_load.sort(key=lambda item: item[0])


def after_load(summary: LoadSummary, stdout=None) -> None:
    for _, hook in _after_load:
        message = hook(summary)
        if message and stdout is not None:
            stdout.write(message)
