"""gunicorn settings for Kompra, read by `gunicorn kompra.wsgi` from the project folder.

Teachers upload photos from phones on slow uplinks. Behind nginx with request buffering
(see the README), the proxy receives the whole body before gunicorn sees it; without a
proxy, a worker reads the body itself. Threaded workers keep answering gunicorn's
heartbeat while a thread waits on a slow body, and the timeout is sized so that even the
largest accepted upload at 400 kbit/s is not cut off.

Environment: GUNICORN_BIND (127.0.0.1:8001), GUNICORN_WORKERS (3), GUNICORN_THREADS (4).
"""

import math
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kompra.settings")

from django.conf import settings

from kompra.env import env_int, env_str
from kompra.uploadtmp import clean_upload_temp, upload_temp_dir

SLOW_UPLINK_BITS_PER_SECOND = 400_000

bind = env_str("GUNICORN_BIND", "127.0.0.1:8001")
workers = env_int("GUNICORN_WORKERS", 3)
worker_class = "gthread"
threads = env_int("GUNICORN_THREADS", 4)
# Seconds: the largest accepted file at 400 kbit/s, plus time to verify and re-encode it.
timeout = max(120, math.ceil(settings.KOMPRA_MAX_UPLOAD_BYTES * 8 / SLOW_UPLINK_BITS_PER_SECOND) + 30)
graceful_timeout = timeout
keepalive = 5
# Heartbeat files and waiting uploads stay under the var folder, not a small shared /tmp.
worker_tmp_dir = str(upload_temp_dir().parent)
forwarded_allow_ips = env_str("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    """A restart is when leftovers of killed workers are certain to be orphans."""
    clean_upload_temp(older_than=0)


def child_exit(server, worker):
    """A worker ended (perhaps killed mid-upload): remove what it may have left, but
    nothing recent enough to be another worker's upload still arriving."""
    clean_upload_temp(older_than=2 * timeout)
