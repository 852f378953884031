from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Pengawas and dinas pendidikan: community-level figures across the schools they
    oversee, and feedback to those schools' principals."""

    name = "supervision"
    verbose_name = _("Supervision across schools")

    def ready(self):
        from kompra import slots

        slots.register("school.dashboard", "supervision/slots/school_feedback.html")
