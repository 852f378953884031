"""The task worker's heartbeat. The periodic tick enqueues `worker_heartbeat`; when a
worker runs it, the "worker" row gets the time. The health check reads its age: a
stale beat means no worker has taken a task for that long (or nothing enqueues)."""

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from kompra.ops.models import Heartbeat

WORKER = "worker"


def heartbeat_beat(*, name, now=None):
    """Records that `name` is alive now: one row per name, updated in place."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": now or timezone.now()})


@task
def worker_heartbeat():
    heartbeat_beat(name=WORKER)


# Backends that run tasks inside the request: no worker to wait for.
IN_PROCESS_BACKENDS = ("django.tasks.backends.immediate.ImmediateBackend", "django.tasks.backends.dummy.DummyBackend")


def worker_expected():
    return settings.TASKS["default"]["BACKEND"] not in IN_PROCESS_BACKENDS


def worker_silence():
    """Seconds since the worker's last beat, or None if it never beat."""
    beat_at = Heartbeat.objects.filter(name=WORKER).values_list("beat_at", flat=True).first()
    return None if beat_at is None else max(0.0, (timezone.now() - beat_at).total_seconds())


def worker_is_alive(silence):
    return silence is not None and silence <= settings.KOMPRA_WORKER_HEARTBEAT_MAX_AGE
