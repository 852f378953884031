from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communities")

    def ready(self):
        # Registers the community's kinds of notice and who may still see their objects.
        # Any write to a community's rows raises its data version (communities/freshness.py).
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from communities import (
            freshness,
            notify,  # noqa: F401
        )

        post_save.connect(freshness.changed, dispatch_uid="community-freshness-save")
        post_delete.connect(freshness.changed, dispatch_uid="community-freshness-delete")
        m2m_changed.connect(freshness.m2m_changed, dispatch_uid="community-freshness-m2m")
        post_save.connect(
            freshness.person_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="community-freshness-person"
        )
