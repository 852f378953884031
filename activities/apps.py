from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        # Adds the indicators computed from activities to the stage readiness registry.
        from activities import readiness  # noqa: F401

        # Registers the kinds of notice, reminders and digest lines of activities.
        from activities import notify  # noqa: F401
