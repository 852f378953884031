"""Storage errors are explained: a file write that fails shows the teacher a clear
message, keeps nothing half-written (no row, no file, not half of one) and is logged.
The same failures on a bucket are in test_object_storage.py."""

import errno
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from activities.models import Document
from tests.factories import ActivityFactory, DocumentFactory
from tests.test_activities import PDF, messages_of, photo

pytestmark = pytest.mark.django_db

MESSAGE = (
    "Unggahan tidak dapat disimpan karena penyimpanan berkas sedang bermasalah. "
    "Tidak ada yang tersimpan; silakan coba lagi nanti."
)


class FlakyStorage(FileSystemStorage):
    """A disk that fills up: write number `fail_on` (counting from 1) stops halfway with
    ENOSPC, leaving the half it wrote, as a real full disk does. Reads may fail too."""

    fail_on = None
    fail_reads = False
    writes = 0

    def _save(self, name, content):
        type(self).writes += 1
        if type(self).writes != self.fail_on:
            return super()._save(name, content)
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.read()
        path.write_bytes(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    def _open(self, name, mode="rb"):
        if self.fail_reads:
            raise OSError(errno.EIO, "Input/output error")
        return super()._open(name, mode)


@pytest.fixture
def flaky(settings):
    FlakyStorage.writes = 0
    FlakyStorage.fail_on = None
    FlakyStorage.fail_reads = False
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.test_storage_errors.FlakyStorage"}}
    return FlakyStorage


def media_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(client, activity, *files):
    return client.post(reverse("activities:upload", args=[activity.community.slug, activity.uid]), {"files": files})


def assert_explained(response, caplog):
    assert response.status_code == 302, "back to the page, with the message"
    assert messages_of(response, "error") == [MESSAGE]
    assert not Document.objects.exists()
    assert "event=upload_storage_failed" in caplog.text


def test_an_unwritable_media_folder_is_explained(community, member, login, caplog):
    # Where the uploads' folder should be, a file stands: the disk refuses the folder.
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True)
    (root / "documents").write_text("not a folder")
    activity = ActivityFactory(community=community)
    response = upload(login(member), activity, photo("kelas.jpg"))
    assert_explained(response, caplog)
    assert media_files() == ["documents"]
    assert "error=FileExistsError" in caplog.text or "error=NotADirectoryError" in caplog.text
    assert "kelas.jpg" not in caplog.text, "no file names in the log"
    # The page the teacher is sent back to shows the message.
    page = login(member).get(response["Location"])
    assert page.status_code == 200


@pytest.mark.parametrize(
    ("fail_on", "what"),
    [(1, "the photo itself"), (2, "its thumbnail"), (3, "the second file")],
)
def test_a_write_failing_halfway_leaves_nothing(flaky, fail_on, what, community, member, login, caplog):
    flaky.fail_on = fail_on
    activity = ActivityFactory(community=community)
    response = upload(login(member), activity, photo("satu.jpg"), photo("dua.pdf", PDF))
    assert flaky.writes == fail_on, what
    assert_explained(response, caplog)
    assert media_files() == [], f"nothing of {what} or what came before it is left"
    assert "error=OSError" in caplog.text


def test_after_the_disk_is_fixed_the_same_upload_works(flaky, community, member, login):
    flaky.fail_on = 1
    activity = ActivityFactory(community=community)
    upload(login(member), activity, photo("satu.jpg"))
    response = upload(login(member), activity, photo("satu.jpg"))
    assert messages_of(response, "success") == ["1 berkas sudah diunggah."]
    assert Document.objects.count() == 1
    assert len(media_files()) == 2


def test_a_file_that_cannot_be_read_says_so(flaky, community, member, login, caplog):
    document = DocumentFactory(activity=ActivityFactory(community=community), uploaded_by=member)
    flaky.fail_reads = True
    response = login(member).get(document.get_absolute_url())
    assert response.status_code == 503
    assert "Penyimpanan berkas sedang tidak menjawab" in response.content.decode()
    assert "event=storage_read_failed error=OSError" in caplog.text


def test_a_file_gone_from_the_disk_is_a_404(community, member, login, caplog):
    document = DocumentFactory(activity=ActivityFactory(community=community), uploaded_by=member)
    Path(document.file.path).unlink()
    assert login(member).get(document.get_absolute_url()).status_code == 404
    assert "event=file_missing" in caplog.text


def test_health_fails_when_the_media_folder_cannot_be_written(settings, client, tmp_path):
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the folder should be")
    settings.MEDIA_ROOT = blocker
    response = client.get("/sehat/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == {
        "status": "fail",
        "required": True,
        "error": "unreachable",
        "ms": response.json()["checks"]["storage"]["ms"],
    }
