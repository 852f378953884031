"""Test settings: the real settings, made fast and self-contained."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-" + "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")

from kompra.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="kompra-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The live-server browser tests speak plain HTTP.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
WHITENOISE_AUTOREFRESH = True  # serve from the finders; no collectstatic in tests
# SQLite tests use a file, as production does (WAL, BEGIN IMMEDIATE, a busy timeout), not
# the in-memory database whose shared cache answers two threads with "table is locked".
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.mkdtemp(prefix="kompra-test-db-"), "db.sqlite3")}  # noqa: F405
