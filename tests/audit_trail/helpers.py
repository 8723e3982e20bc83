"""Helpers for the audit trail tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def tampering() -> Iterator:
    """A cursor with database superuser rights, as an attacker would have them.

    On PostgreSQL ordinary triggers do not fire in replica mode, so the append-only trigger
    stands aside, just as it would for a superuser who disabled it.
    """
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            if postgres:
                cursor.execute("SET session_replication_role = DEFAULT")
