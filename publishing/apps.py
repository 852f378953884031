from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        # Registers its kinds of notice and who may still see their objects.
        from publishing import notify  # noqa: F401
