from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "kompra.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from kompra.ops import logs

        logs.connect_signals()
