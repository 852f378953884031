from django.apps import AppConfig


class KompraConfig(AppConfig):
    """The top level: the pages that gather from every app, and the demo data."""

    name = "kompra"
    verbose_name = "Kompra"
