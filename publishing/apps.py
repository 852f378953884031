from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        # What a community published stays public whatever its visibility: the
        # community's settings list it, and may withdraw it, through this source.
        from communities.public_items import public_source
        from publishing.selectors import live_items
        from publishing.services import publication_withdraw_all

        public_source(live=live_items, withdraw=publication_withdraw_all)
