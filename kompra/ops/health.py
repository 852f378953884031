"""The checks behind /sehat/. Each answers quickly (one round trip at most) and says
only "ok" or a fixed word for what failed; the details go to the log, never to the
answer, which anybody may read.

Required parts (KOMPRA_HEALTH_REQUIRED, default database and storage) decide the status
code a load balancer acts on. The cache and the worker are reported but not required:
an app server is still useful without them, and taking every server out of rotation
because Redis or the worker stopped would turn a helper's outage into a full one.
"""

import logging
import os
import tempfile
import time

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import default_storage
from django.db import connections

from kompra.ops.heartbeat import worker_expected, worker_is_alive, worker_silence
from kompra.ops.storage import is_s3

logger = logging.getLogger("kompra.health")

PROBE_KEY = "kompra:sehat"


class Failed(Exception):
    """A part did not answer as it should; the argument is the word shown."""


def check_database():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise Failed("wrong answer")


def check_cache():
    cache = caches["default"]
    if hasattr(cache, "ping"):
        cache.ping()  # the forgiving Redis cache would hide a failure behind a miss
        return
    cache.set(PROBE_KEY, "1", 10)
    if cache.get(PROBE_KEY) != "1":
        raise Failed("not kept")


def check_storage():
    storage = default_storage
    if is_s3(storage):
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
        return
    location = storage.location
    # As the first upload would: a new site has no folder yet.
    os.makedirs(location, exist_ok=True)
    # An empty file made and removed: catches a read-only or vanished disk, even for root.
    with tempfile.NamedTemporaryFile(dir=location, prefix=".sehat-"):
        pass


def check_worker():
    if not worker_expected():
        return {"status": "skipped"}
    silence = worker_silence()
    if silence is None:
        raise Failed("no heartbeat yet")
    if not worker_is_alive(silence):
        raise Failed("silent")
    return {"silent_s": round(silence)}


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "worker": check_worker,
}


def run_checks():
    """{"status": "ok" | "degraded" | "fail", "checks": {name: {...}}}: "fail" when a
    required part failed, "degraded" when only others did."""
    required = set(settings.KOMPRA_HEALTH_REQUIRED)
    results = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        result = {"status": "ok", "required": name in required}
        try:
            result.update(check() or {})
        except Failed as exc:
            result.update(status="fail", error=str(exc))
            logger.warning("event=health_fail part=%s error=%s", name, exc)
        except Exception as exc:
            result.update(status="fail", error="unreachable")
            logger.warning("event=health_fail part=%s error=%s", name, type(exc).__name__)
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
    failed = {name for name, result in results.items() if result["status"] == "fail"}
    status = "fail" if failed & required else "degraded" if failed else "ok"
    return {"status": status, "checks": results}
