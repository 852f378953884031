"""Temporary upload files: where they wait, and the clean-up of those a killed worker left.

Django writes an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a named temporary file
and deletes it when the request ends. A worker killed mid-request (timeout, out of
memory, restart) never gets there, and the half-received photo would stay on disk.
"""

import time
from pathlib import Path

from django.conf import settings

# Django names them tmpXXXXXXXX.upload<.ext>.
UPLOAD_MARK = ".upload"


def upload_temp_dir() -> Path:
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clean_upload_temp(*, older_than: float, now: float | None = None) -> int:
    """Removes temporary upload files last written more than `older_than` seconds ago,
    so an upload still arriving in another worker is left alone. Returns how many went."""
    cutoff = (time.time() if now is None else now) - older_than
    removed = 0
    for path in upload_temp_dir().iterdir():
        try:
            if UPLOAD_MARK in path.name and path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # the request that owned it finished meanwhile
            continue
    return removed
