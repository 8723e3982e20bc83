from django.apps import AppConfig


class AuditTrailConfig(AppConfig):
    name = "safeguard.audit_trail"
    label = "audit_trail"
