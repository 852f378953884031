"""Uploads in an S3-compatible bucket (django-storages), against a real S3 HTTP endpoint:
moto in server mode, started by the `s3_endpoint` fixture on a free port.

Files are streamed by the access-checked views, never handed out as bucket URLs: the
bucket stays private, every fetch is checked against the rules of that moment (a
presigned URL would keep working for whoever it was forwarded to, after a member left
or a photo was withdrawn), and our own headers (nosniff, the sandboxing CSP, the
download name) go with every file."""

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from activities.models import Document
from kompra.ops.storage import is_s3
from kompra.ops.storage_config import S3_VARIABLES, s3_storage_from_env
from reports.exports import read_export
from tests.factories import ActivityFactory, PublicationFactory, held_activity, jpeg_bytes
from tests.test_activities import PDF, gps_jpeg, messages_of, photo, read

pytestmark = pytest.mark.django_db


def upload(client, activity, *files):
    return client.post(reverse("activities:upload", args=[activity.community.slug, activity.uid]), {"files": files})


def test_uploads_land_in_the_bucket_and_are_streamed_to_members_only(
    s3_bucket, community, member, teacher, other_teacher, login
):
    assert is_s3(default_storage)
    activity = ActivityFactory(community=community)
    response = upload(login(member), activity, photo("kelas.jpg", gps_jpeg()))
    assert messages_of(response, "success") == ["1 berkas sudah diunggah."]

    document = Document.objects.get()
    assert s3_bucket.keys() == sorted([document.file.name, document.thumbnail.name])
    assert document.file.name.startswith(f"documents/{community.pk}/")
    stored = s3_bucket.read(document.file.name)
    assert hashlib.sha256(stored).hexdigest() == document.sha256

    served = login(member).get(document.get_absolute_url())
    assert served.status_code == 200, "streamed by the app, not redirected to the bucket"
    assert read(served) == stored
    assert int(served["Content-Length"]) == len(stored)
    assert served["Content-Type"] == "image/jpeg"
    assert served["Content-Disposition"].startswith("inline")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]
    assert s3_bucket.endpoint not in str(served.headers)

    thumbnail = login(member).get(document.get_thumbnail_url())
    assert read(thumbnail) == s3_bucket.read(document.thumbnail.name)

    # The school's other teacher sees the community (visibility school); another school's does not.
    assert login(other_teacher).get(document.get_absolute_url()).status_code == 404
    anonymous = login(None).get(document.get_absolute_url())
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))


def test_documents_keep_their_download_name_and_type(s3_bucket, community, member, login):
    activity = ActivityFactory(community=community)
    upload(login(member), activity, photo("notulen rapat.pdf", PDF))
    document = Document.objects.get()
    served = login(member).get(document.get_absolute_url())
    assert served["Content-Disposition"].startswith("attachment")
    assert "notulen" in served["Content-Disposition"]
    assert served["Content-Type"] == "application/pdf"
    assert read(served) == PDF == s3_bucket.read(document.file.name)


def test_deleting_a_document_removes_its_objects(
    s3_bucket, community, member, login, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(community=community)
    upload(login(member), activity, photo())
    document = Document.objects.get()
    assert len(s3_bucket.keys()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        login(member).post(reverse("activities:document_delete", args=[community.slug, document.uid]))
    assert not Document.objects.exists()
    assert s3_bucket.keys() == []


def test_published_photos_come_from_the_bucket(s3_bucket, community, member, login):
    activity = held_activity(community)
    upload(login(member), activity, photo())
    document = Document.objects.get()
    publication = PublicationFactory(activity=activity, photos=[document])
    served = login(None).get(reverse("publishing:photo", args=[publication.uid, document.uid]))
    assert served.status_code == 200
    assert read(served) == s3_bucket.read(document.file.name)
    assert served["X-Content-Type-Options"] == "nosniff"


def test_the_whole_community_export_reads_every_file_from_the_bucket(s3_bucket, community, coordinator, login):
    activity = ActivityFactory(community=community)
    upload(login(coordinator), activity, photo("satu.jpg"), photo("dua.jpg", jpeg_bytes((30, 40))))
    upload(login(coordinator), activity, photo("rapat.pdf", PDF))
    response = login(coordinator).get(reverse("reports:archive", args=[community.slug]))
    content = b"".join(response.streaming_content)
    data = read_export(io.BytesIO(content))  # verifies every checksum
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert len(data["documents"]) == 3
    for row in data["documents"]:
        document = Document.objects.get(uid=row["uid"])
        assert archive.read(row["path"]) == s3_bucket.read(document.file.name)


def test_a_missing_object_is_a_404(s3_bucket, community, member, login, caplog):
    activity = ActivityFactory(community=community)
    upload(login(member), activity, photo())
    document = Document.objects.get()
    s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=document.file.name)
    assert login(member).get(document.get_absolute_url()).status_code == 404
    assert f"event=file_missing name={document.file.name}" in caplog.text


def test_an_unreadable_bucket_says_so(s3_bucket, community, member, login, caplog):
    activity = ActivityFactory(community=community)
    upload(login(member), activity, photo())
    document = Document.objects.get()
    s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=document.file.name)
    s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=document.thumbnail.name)
    s3_bucket.client.delete_bucket(Bucket=s3_bucket.name)
    response = login(member).get(document.get_absolute_url())
    assert response.status_code == 503
    assert "Berkas tidak tersedia saat ini" in response.content.decode()
    assert "event=storage_read_failed error=NoSuchBucket" in caplog.text


def test_a_failed_write_to_the_bucket_keeps_nothing(s3_bucket, community, member, login, caplog):
    activity = ActivityFactory(community=community)
    s3_bucket.client.delete_bucket(Bucket=s3_bucket.name)
    response = upload(login(member), activity, photo("satu.jpg"), photo("dua.pdf", PDF))
    assert response.status_code == 302
    [message] = messages_of(response, "error")
    assert message.startswith("Unggahan tidak dapat disimpan karena penyimpanan berkas sedang bermasalah.")
    assert not Document.objects.exists()
    s3_bucket.client.create_bucket(Bucket=s3_bucket.name)
    assert s3_bucket.keys() == []
    assert "event=upload_storage_failed" in caplog.text
    assert "satu.jpg" not in caplog.text


# Backup and restore of the bucket, as the README describes: copy every object out (the
# backup never deletes), restore by copying back, then `media_verify` checks each file.


def test_bucket_backup_restore_drill(s3_bucket, community, member, login, tmp_path):
    activity = ActivityFactory(community=community)
    upload(login(member), activity, photo("satu.jpg"), photo("dua.pdf", PDF))
    keys = s3_bucket.keys()
    assert len(keys) == 3
    backup = tmp_path / "backup"
    for key in keys:
        (backup / key).parent.mkdir(parents=True, exist_ok=True)
        (backup / key).write_bytes(s3_bucket.read(key))
    call_command("media_verify", stdout=io.StringIO())

    for key in keys:  # the bucket is lost
        s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=key)
    with pytest.raises(CommandError, match="3 missing"):
        call_command("media_verify", stdout=io.StringIO())

    for path in backup.rglob("*"):
        if path.is_file():
            key = str(path.relative_to(backup))
            s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=key, Body=path.read_bytes())
    out = io.StringIO()
    call_command("media_verify", stdout=out)
    assert "2 documents: every file present and matching" in out.getvalue()


def test_media_verify_finds_a_changed_file(s3_bucket, community, member, login):
    activity = ActivityFactory(community=community)
    upload(login(member), activity, photo())
    document = Document.objects.get()
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=document.file.name, Body=b"not the photo")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 changed"):
        call_command("media_verify", stdout=out)
    assert f"changed: {document.file.name}" in out.getvalue()


# Configuration


@pytest.fixture
def no_s3_variables(monkeypatch):
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_a_bucket_the_local_folder_stays(no_s3_variables):
    assert s3_storage_from_env() is None


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"KOMPRA_S3_ENDPOINT_URL": "http://minio:9000"}, "KOMPRA_S3_ENDPOINT_URL set but KOMPRA_S3_BUCKET is not"),
        ({"KOMPRA_S3_BUCKET": "b", "KOMPRA_S3_ACCESS_KEY_ID": "k"}, "Set both KOMPRA_S3_ACCESS_KEY_ID"),
        ({"KOMPRA_S3_BUCKET": "b", "KOMPRA_S3_ENDPOINT_URL": "minio:9000"}, "must start with http"),
        ({"KOMPRA_S3_BUCKET": "b", "KOMPRA_S3_ADDRESSING_STYLE": "sideways"}, "KOMPRA_S3_ADDRESSING_STYLE must be"),
    ],
)
def test_a_half_done_configuration_stops_the_start(no_s3_variables, variables, message):
    for name, value in variables.items():
        no_s3_variables.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        s3_storage_from_env()


def test_the_bucket_configuration(no_s3_variables):
    for name, value in {
        "KOMPRA_S3_BUCKET": "kompra-media",
        "KOMPRA_S3_ENDPOINT_URL": "https://s3.example.id",
        "KOMPRA_S3_PREFIX": "/sekolah/",
    }.items():
        no_s3_variables.setenv(name, value)
    storage = s3_storage_from_env()
    options = storage["OPTIONS"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["endpoint_url"], options["location"]) == (
        "kompra-media",
        "https://s3.example.id",
        "sekolah",
    )
    assert options["addressing_style"] == "path"
    assert options["default_acl"] is None
    assert (options["access_key"], options["secret_key"]) == (None, None), "the machine's credentials then"
