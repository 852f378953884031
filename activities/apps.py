from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        # Adds the indicators computed from activities to the stage readiness registry.
        from activities import readiness  # noqa: F401
