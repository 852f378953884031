from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyRightsConfig(AppConfig):
    """A person's rights over their personal data (UU 27/2022 on Personal Data Protection):
    the privacy notice, a copy of one's data, deleting one's account."""

    name = "privacy_rights"
    verbose_name = _("Personal data")

    def ready(self):
        from django.db.models.signals import post_save

        from activities.models import Document
        from notices.registry import periodic

        def photo_saved(sender, instance, created, raw=False, **kwargs):
            if created and not raw and instance.shows_students and instance.consent_confirmed:
                from privacy_rights.photos import consent_given

                consent_given(instance)

        post_save.connect(photo_saved, sender=Document, weak=False, dispatch_uid="privacy-consent-given")

        from publishing.views import PHOTO_GONE

        def consent_withdrawn(photo_uid):
            from privacy_rights.models import PhotoConsentEvent

            removed = (PhotoConsentEvent.Kind.WITHDRAWN, PhotoConsentEvent.Kind.PURGED)
            return PhotoConsentEvent.objects.filter(photo_uid=photo_uid, kind__in=removed).exists()

        PHOTO_GONE.append(consent_withdrawn)

        @periodic
        def start_erasures(now):
            from privacy_rights.models import DeletionRequest, ExportRequest
            from privacy_rights.tasks import erase_due_accounts, exports_expire

            if DeletionRequest.objects.due(now).exists():
                erase_due_accounts.enqueue()
            if ExportRequest.objects.expired(now).exclude(state=ExportRequest.State.EXPIRED).exists():
                exports_expire.enqueue()
