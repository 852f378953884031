from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        from activities.selectors import cycle_step
        from communities.tabs import tab
        from kompra import slots
        from publishing.models import Publication

        tab(key="publications", label=_("Publications"), url_name="publishing:list", order=80)
        slots.register("activity.actions", "publishing/slots/publish_activity.html")
        slots.register("product.actions", "publishing/slots/publish_product.html")
        slots.register("reflection.actions", "publishing/slots/publish_reflection.html")

        @cycle_step("publication", label=_("Publication"))
        def published(problem, held_activities):
            return Publication.objects.published().filter(activity__in=held_activities).exists()

        # Registers its kinds of notice and who may still see their objects.
        from publishing import notify  # noqa: F401
