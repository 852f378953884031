from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyRightsConfig(AppConfig):
    """A person's rights over their personal data (UU 27/2022 on Personal Data Protection):
    the privacy notice, a copy of one's data, deleting one's account."""

    name = "privacy_rights"
    verbose_name = _("Personal data")

    def ready(self):
        from notices.registry import periodic

        @periodic
        def start_erasures(now):
            from privacy_rights.models import DeletionRequest, ExportRequest
            from privacy_rights.tasks import erase_due_accounts, exports_expire

            if DeletionRequest.objects.due(now).exists():
                erase_due_accounts.enqueue()
            if ExportRequest.objects.expired(now).exclude(state=ExportRequest.State.EXPIRED).exists():
                exports_expire.enqueue()
