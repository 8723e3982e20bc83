import datetime as dt

from django.apps import AppConfig


class AuditTrailConfig(AppConfig):
    name = "safeguard.audit_trail"
    label = "audit_trail"

    def ready(self) -> None:
        from safeguard.core.ticks import register_tick

        from .checkpoints import write_checkpoint

        # The chain head is anchored outside the database at least hourly (and on demand with
        # `safeguard audit checkpoint`), so a truncated or rebuilt chain is detected.
        register_tick("audit checkpoint", lambda: write_checkpoint().seq, every=dt.timedelta(hours=1))
