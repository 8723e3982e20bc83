from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _create_roles(sender, using="default", **kwargs) -> None:
    # Roles refer to permissions of apps migrated after this one, so make sure every app's
    # content types and permissions exist before the groups are filled.
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    from .roles import sync_roles

    for config in apps.get_app_configs():
        create_contenttypes(config, verbosity=0, using=using)
        create_permissions(config, verbosity=0, using=using)
    sync_roles()


class AccountsConfig(AppConfig):
    name = "safeguard.accounts"
    label = "accounts"
    verbose_name = "Organisations, teams and users"

    def ready(self) -> None:
        post_migrate.connect(_create_roles, sender=self, dispatch_uid="safeguard-roles")
        from . import sessions  # noqa: F401  (connects the session clock to sign-in)
