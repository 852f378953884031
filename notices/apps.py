from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices")

    def ready(self):
        # Every page shows the bell: a kept page (kompra/ops/pagecache.py) is kept under
        # the unread count it shows.
        from kompra.ops import pagecache
        from notices.bell import unread_count

        pagecache.register(lambda request: unread_count(request.user))
