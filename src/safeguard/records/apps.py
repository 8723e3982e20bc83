from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "safeguard.records"
    label = "records"
    verbose_name = "Source records"

    def ready(self) -> None:
        from safeguard.access.policy import Policy, register

        from . import models

        # A record belongs to the organisation of the source that sent it.
        register(models.SourceRecord, Policy(owner_path="source__organisation"))
        for model in models.VERSION_MODELS.values():
            register(model, Policy(owner_path="record__source__organisation"))
        register(models.EventSubject, Policy(owner_path="version__record__source__organisation"))
        register(models.EventReference, Policy(owner_path="version__record__source__organisation"))
