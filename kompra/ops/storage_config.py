"""STORAGES["default"] from the KOMPRA_S3_* variables. Read by settings.py, so it
imports nothing of Django's request machinery (and botocore only when a bucket is named)."""

from django.core.exceptions import ImproperlyConfigured

from kompra.env import env_choice, env_str

S3_VARIABLES = (
    "KOMPRA_S3_BUCKET",
    "KOMPRA_S3_ENDPOINT_URL",
    "KOMPRA_S3_ACCESS_KEY_ID",
    "KOMPRA_S3_SECRET_ACCESS_KEY",
    "KOMPRA_S3_REGION",
    "KOMPRA_S3_PREFIX",
    "KOMPRA_S3_ADDRESSING_STYLE",
)
S3_BACKEND = "storages.backends.s3.S3Storage"


def s3_storage_from_env():
    """The STORAGES["default"] entry for the bucket the KOMPRA_S3_* variables name, or
    None when no bucket is named. A half-done configuration stops the start."""
    bucket = env_str("KOMPRA_S3_BUCKET")
    if not bucket:
        stray = [name for name in S3_VARIABLES if env_str(name)]
        if stray:
            raise ImproperlyConfigured(f"{', '.join(stray)} set but KOMPRA_S3_BUCKET is not: name the bucket too.")
        return None
    access_key = env_str("KOMPRA_S3_ACCESS_KEY_ID")
    secret_key = env_str("KOMPRA_S3_SECRET_ACCESS_KEY")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "Set both KOMPRA_S3_ACCESS_KEY_ID and KOMPRA_S3_SECRET_ACCESS_KEY, or neither (the machine's own "
            "AWS credentials are used then)."
        )
    endpoint = env_str("KOMPRA_S3_ENDPOINT_URL")
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"KOMPRA_S3_ENDPOINT_URL must start with http:// or https://, got {endpoint!r}.")
    # Most S3-compatible servers (MinIO, Garage, Ceph) want bucket names in the path.
    addressing = env_choice("KOMPRA_S3_ADDRESSING_STYLE", ("auto", "path", "virtual"), "path" if endpoint else "auto")

    from botocore.config import Config

    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "region_name": env_str("KOMPRA_S3_REGION", "us-east-1"),
            "location": env_str("KOMPRA_S3_PREFIX").strip("/"),
            "addressing_style": addressing,
            "signature_version": "s3v4",
            # Names are random (see activities.models), so no existence check before a write.
            "file_overwrite": True,
            # The bucket's own policy decides; objects are never public.
            "default_acl": None,
            "querystring_auth": True,
            "client_config": Config(
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }
