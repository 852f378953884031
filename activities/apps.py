from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        # Adds the indicators computed from activities to the stage readiness registry.
        from activities import readiness  # noqa: F401
        from communities.tabs import tab
        from kompra import slots

        tab(key="activities", label=_("Activities"), url_name="activities:list", order=40, main=True)
        tab(key="gallery", label=_("Documentation"), url_name="activities:gallery", order=50)
        tab(key="reflections", label=_("Reflections"), url_name="activities:reflections", order=60)
        tab(key="products", label=_("Products"), url_name="activities:products", order=70)
        slots.register("community.overview", "activities/slots/community_cycle.html")
        slots.register("problem.more", "activities/slots/problem_cycle.html")

        # Registers the kinds of notice, reminders and digest lines of activities.
        from activities import notify  # noqa: F401
