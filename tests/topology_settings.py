"""The production settings for the topology test and the load test, with one change:
static files come straight from the finders, so no collectstatic (minutes of compression
on a small machine) runs first. Everything else is what /etc/kompra/kompra.env selects."""

from kompra.settings import *  # noqa: F403
from kompra.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
