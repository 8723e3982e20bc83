"""The operator on the command line reads everything; the access layer knows them as a superuser."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser


class SystemReader(AnonymousUser):
    """Stands for the operator at the server's command line (who could read the database
    directly anyway). Never used for web or API requests."""

    is_active = True
    is_superuser = True
    organisation_id = None

    @property
    def is_authenticated(self):
        return True


def system_reader() -> SystemReader:
    return SystemReader()
