"""One `safeguard` command, started ahead of its turn.

`python -m safeguard.demo.step COMMAND [ARG...]` starts Django and imports the command, the URL
configuration and what they import, then waits; the command runs, exactly as `safeguard COMMAND
ARG...` would, when the line "run" arrives on standard input, and the process exits without
running it if the input ends first. `safeguard demo` starts each step this way while the step
before it is still running, so that a step's start-up (about a second of CPU) is not on the way
to "Demo ready". Nothing here touches the database before "run".
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line, get_commands, load_command_class
    from django.urls import get_resolver

    argv = sys.argv[1:]
    if not argv:
        sys.exit("usage: python -m safeguard.demo.step COMMAND [ARG...]")
    load_command_class(get_commands()[argv[0]], argv[0])
    # The system checks that commands run first import every view through the URL configuration.
    get_resolver().url_patterns  # noqa: B018 - imported for its side effect
    if sys.stdin.readline().strip() != "run":
        return
    execute_from_command_line(["safeguard", *argv])


if __name__ == "__main__":
    main()
