from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = _("School dashboard and feedback")

    def ready(self):
        # Registers its kinds of notice and who may still see their objects.
        from schools import notify  # noqa: F401
