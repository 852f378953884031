"""gunicorn settings for Kompra: `gunicorn -c deploy/gunicorn.conf.py kompra.wsgi`, from
the project folder (systemd: deploy/systemd/kompra-web@.service).

Behind nginx (deploy/nginx.conf) an upload reaches gunicorn only once nginx holds all of
it, so workers never wait on a phone's slow uplink. Threaded workers keep answering
gunicorn's heartbeat while a thread works (a PDF, a big photo); the timeout still allows
the largest accepted upload at 400 kbit/s, for a gunicorn reached without the proxy.
Uploads that wait on disk stay under var/tmp/uploads, and those a killed worker left
behind are removed (kompra/uploadtmp.py).

Environment: GUNICORN_BIND (127.0.0.1:8001), GUNICORN_WORKERS (3), GUNICORN_THREADS (4),
GUNICORN_FORWARDED_ALLOW_IPS (127.0.0.1: where nginx runs).
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
# On SIGTERM (systemctl stop, a deploy) requests under way get this long to finish.
graceful_timeout = 30
keepalive = 5
# Heartbeat files and waiting uploads stay under the var folder, not a small shared /tmp.
worker_tmp_dir = str(upload_temp_dir().parent)
# A fresh process now and then: a slow leak (PDF rendering, image decoding) never piles up.
max_requests = 2000
max_requests_jitter = 200
# X-Forwarded-Proto is believed only from the proxy.
forwarded_allow_ips = env_str("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Django logs one line per request with its id and the user (kompra.ops.logs); gunicorn's
# own access log would repeat it with the query string, so only errors come from gunicorn.
accesslog = None
errorlog = "-"
loglevel = "info"


def on_starting(server):
    """A restart is when leftovers of killed workers are certain to be orphans."""
    clean_upload_temp(older_than=0)


def child_exit(server, worker):
    """A worker ended (perhaps killed mid-upload): remove what it may have left, but
    nothing recent enough to be another worker's upload still arriving."""
    clean_upload_temp(older_than=2 * timeout)
