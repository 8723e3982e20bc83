from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "safeguard.records"
    label = "records"
    verbose_name = "Source records"

    def ready(self) -> None:
        from safeguard.access.policy import Policy, register

        from . import models

        # A record belongs to the organisation of the source that sent it.
        # Break-glass grants name source records ("record"), opening each with its versions.
        register(models.SourceRecord, Policy(owner_path="source__organisation", grant=("record", "pk")))
        for model in models.VERSION_MODELS.values():
            register(model, Policy(owner_path="record__source__organisation", grant=("record", "record_id")))
        register(models.EventSubject, Policy(owner_path="version__record__source__organisation",
                                             grant=("record", "version__record_id")))
        register(models.EventReference, Policy(owner_path="version__record__source__organisation",
                                               grant=("record", "version__record_id")))
