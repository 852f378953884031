from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        from activities.selectors import cycle_step
        from communities.public_items import public_source
        from communities.tabs import tab
        from kompra import slots
        from publishing.models import Publication
        from publishing.selectors import live_items
        from publishing.services import publication_withdraw_all

        tab(key="publications", label=_("Publications"), url_name="publishing:list", order=80)
        slots.register("activity.actions", "publishing/slots/publish_activity.html")
        slots.register("product.actions", "publishing/slots/publish_product.html")
        slots.register("reflection.actions", "publishing/slots/publish_reflection.html")

        @cycle_step("publication", label=_("Publication"))
        def published(problem, held_activities):
            return Publication.objects.published().filter(activity__in=held_activities).exists()

        # What a community published stays public whatever its visibility: the
        # community's settings list it, and may withdraw it, through this source.
        public_source(live=live_items, withdraw=publication_withdraw_all)

        # Registers its kinds of notice and who may still see their objects.
        from publishing import notify  # noqa: F401
