from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Personal evidence")

    def ready(self):
        from evidence import notify  # noqa: F401 - registers the kinds of notice
        from kompra import slots

        slots.register("community.overview", "evidence/slots/community_certificates.html")
        slots.register("school.dashboard", "evidence/slots/school_approvals.html")
