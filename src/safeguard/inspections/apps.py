from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "safeguard.inspections"
    label = "inspections"
