"""Where uploaded files live: a local folder by default, or an S3-compatible bucket
through django-storages when KOMPRA_S3_BUCKET is set. Either way files are read only by
the views that check access, which stream them (see `open_stored`); the bucket stays
private and its address never reaches a browser."""

import logging

from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError
from django.http import FileResponse, Http404
from django.shortcuts import render

logger = logging.getLogger("kompra.storage")

# What a storage backend raises when it cannot read or write: the disk (permissions, full,
# a missing folder) or the object store (unreachable, refused, no such bucket).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError, Boto3Error)


def is_s3(storage):
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def open_stored(field_file):
    """A readable stream of a stored file, for FileResponse. From a bucket the object's
    body is passed through as it arrives (django-storages' own files download the whole
    object first). Raises FileNotFoundError when the file is gone and one of
    STORAGE_ERRORS when the storage cannot be read."""
    storage = field_file.storage
    if not is_s3(storage):
        return field_file.storage.open(field_file.name, "rb")
    from storages.utils import clean_name

    key = storage._normalize_name(clean_name(field_file.name))
    try:
        answer = storage.connection.meta.client.get_object(Bucket=storage.bucket_name, Key=key)
    except ClientError as exc:
        missing = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404
        if missing and exc.response.get("Error", {}).get("Code") != "NoSuchBucket":
            raise FileNotFoundError(field_file.name) from None
        raise
    return _ObjectStream(answer["Body"], size=answer.get("ContentLength"))


class _ObjectStream:
    """An object's body as FileResponse wants it: read(n), close(), and a known length."""

    def __init__(self, body, *, size):
        self.body = body
        self.size = size

    def read(self, amount=-1):
        return self.body.read(None if amount is None or amount < 0 else amount)

    def close(self):
        self.body.close()


class StoredFileResponse(FileResponse):
    block_size = 64 * 1024  # fewer, larger reads from a bucket's stream than Django's 4 KB


def serve_stored(request, field_file, *, content_type, filename=None, as_attachment=False):
    """A FileResponse streaming a stored file, after the caller has checked access.
    A file gone from storage is a 404 (and a warning in the log); a storage that cannot
    be read answers 503 with a page saying so."""
    try:
        stream = open_stored(field_file)
    except FileNotFoundError:
        logger.warning("event=file_missing name=%s", field_file.name)
        raise Http404 from None
    except STORAGE_ERRORS as exc:
        logger.error("event=storage_read_failed error=%s", type(exc).__name__, exc_info=True)
        return render(request, "503_storage.html", status=503)
    response = StoredFileResponse(stream, content_type=content_type, as_attachment=as_attachment, filename=filename)
    if getattr(stream, "size", None) is not None and not response.has_header("Content-Length"):
        response["Content-Length"] = stream.size
    return response
