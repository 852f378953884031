"""The periodic tick: `manage.py notices_tick` every few minutes (cron, systemd timer,
or `--every` beside the worker). It turns moments that have come into notices, each
under a stable key, so two ticks, a restart or an overlap send nothing twice."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notices.digest import digests_due
from notices.registry import PERIODIC, REMINDERS
from notices.services import notice_send


def tick(now=None):
    """Sends the reminders whose moment is in (now - lateness, now] and starts the
    digests that are due. Older moments are dropped: a tick that was down for hours
    does not flood people with stale reminders. Returns (reminders, digest zones)."""
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.KOMPRA_NOTICE_LATENESS_MINUTES)
    written = 0
    for find in REMINDERS:
        for reminder in find(now, since):
            with transaction.atomic():
                written += len(
                    notice_send(
                        kind=reminder.kind,
                        to=reminder.to,
                        about=reminder.about,
                        key=reminder.key,
                        title=reminder.title,
                        params=reminder.params,
                        group=reminder.group,
                    )
                )
    with transaction.atomic():
        zones = digests_due(now)
    for start in PERIODIC:
        start(now)
    return written, zones
