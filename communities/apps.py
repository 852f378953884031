from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communities")

    def ready(self):
        # Registers the community's kinds of notice and who may still see their objects.
        from communities import notify  # noqa: F401
