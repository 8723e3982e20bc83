from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "safeguard.feed"
    label = "feed"
