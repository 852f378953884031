"""Settings for task workers that tests start as separate processes: the test settings,
with emails written to files (KOMPRA_TEST_MAIL_DIR) so the test can count them."""

import os

from tests.settings import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["KOMPRA_TEST_MAIL_DIR"]},
    }
}
