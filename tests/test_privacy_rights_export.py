"""Downloading one's own data: prepared by the task worker, announced by email, private
to its owner, and gone once it expires."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from activities.models import Attendance
from communities.services import problem_comment
from privacy_rights.export import collect
from privacy_rights.models import ExportRequest
from privacy_rights.services import exports_expire
from tests.factories import (
    TINY_JPEG,
    ActionPlanFactory,
    DocumentFactory,
    ProductFactory,
    ReflectionFactory,
    held_activity,
)
from tests.test_privacy_rights_erasure import rows_mentioning

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(community, member, coordinator, problem):
    activity = held_activity(community, proposed_by=coordinator, title="Berbagi praktik baik")
    Attendance.objects.create(activity=activity, user=member, status="present")
    ReflectionFactory(community=community, author=member, activity=activity, answers={"text": "Refleksi Ani."})
    problem_comment(problem=problem, by=member, body="Komentar Ani.")
    ActionPlanFactory(community=community, problem=problem, owner=member, created_by=coordinator, what="Aksi Ani.")
    product = ProductFactory(community=community, created_by=member, title="Modul Ani")
    DocumentFactory(activity=None, product=product, uploaded_by=member, original_name="modul ani.jpg")
    DocumentFactory(activity=activity, uploaded_by=member, original_name="../kelas.jpg")
    # Someone else's reflection is not hers to take.
    ReflectionFactory(community=community, author=coordinator, activity=activity, answers={"text": "Punya Budi."})
    return activity


def ready_export(login, member, run_tasks):
    client = login(member)
    response = client.post(reverse("privacy:exports"))
    assert response.status_code == 302
    run_tasks()
    return client, ExportRequest.objects.get(user=member)


def test_a_teacher_gets_a_zip_of_everything_about_them(login, member, records, run_tasks):
    client, export = ready_export(login, member, run_tasks)
    assert export.state == ExportRequest.State.READY and export.size > 0

    # Announced by email, in their language, with a link that needs signing in.
    (message,) = [m for m in mail.outbox if m.to == [member.email]]
    assert reverse("privacy:exports") in message.body
    assert "siap" in message.subject

    page = client.get(reverse("privacy:exports")).content.decode()
    download = reverse("privacy:export_download", args=[export.uid])
    assert download in page
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    for section in ("profile", "memberships", "attendance", "reflections", "comments", "problems", "action_plans"):
        assert f"{section}.json" in names
    assert {"products.json", "uploads.json", "index.html"} <= names
    files = sorted(name for name in names if name.startswith("files/"))
    assert len(files) == 2 and all(".." not in name and name.count("/") == 1 for name in files)
    assert archive.read(files[0]) == TINY_JPEG

    profile = json.loads(archive.read("profile.json"))
    assert profile["full_name"] == member.full_name and profile["email"] == member.email
    reflections = json.loads(archive.read("reflections.json"))
    assert [r["answers"][0]["answer"] for r in reflections] == ["Refleksi Ani."]
    assert json.loads(archive.read("comments.json"))[0]["comment"] == "Komentar Ani."
    assert json.loads(archive.read("attendance.json"))[0]["activity"] == "Berbagi praktik baik"
    assert json.loads(archive.read("products.json"))[0]["title"] == "Modul Ani"
    index = archive.read("index.html").decode()
    assert member.full_name in index and "Refleksi Ani." in index and "Punya Budi." not in index


def test_collecting_takes_a_fixed_number_of_queries(
    member, records, community, coordinator, django_assert_max_num_queries
):
    for _ in range(5):
        activity = held_activity(community, proposed_by=coordinator)
        Attendance.objects.create(activity=activity, user=member, status="present")
        ReflectionFactory(community=community, author=member, activity=activity)
    with django_assert_max_num_queries(14):
        data, files = collect(member)
    assert len(data["attendance"]) == 6 and len(data["reflections"]) == 6


def test_someone_else_gets_404_and_nothing_changes(login, member, records, run_tasks, coordinator, staff):
    _, export = ready_export(login, member, run_tasks)
    url = reverse("privacy:export_download", args=[export.uid])
    for other in (coordinator, staff):
        assert login(other).get(url).status_code == 404
    export.refresh_from_db()
    assert export.state == ExportRequest.State.READY and export.file


def test_an_expired_download_says_so_and_its_file_goes(login, member, records, run_tasks):
    client, export = ready_export(login, member, run_tasks)
    ExportRequest.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    url = reverse("privacy:export_download", args=[export.uid])
    response = client.get(url)
    assert response.status_code == 410
    assert "kedaluwarsa" in response.content.decode()
    storage, name = export.file.storage, export.file.name
    assert storage.exists(name)

    assert exports_expire() == 1
    export.refresh_from_db()
    assert export.state == ExportRequest.State.EXPIRED and not export.file
    assert not storage.exists(name)
    assert client.get(url).status_code == 410


def test_a_second_request_while_one_is_prepared_changes_nothing(login, member):
    client = login(member)
    client.post(reverse("privacy:exports"))
    response = client.post(reverse("privacy:exports"), follow=True)
    assert "sedang disiapkan" in response.content.decode()
    assert ExportRequest.objects.filter(user=member).count() == 1


def test_the_tick_deletes_expired_downloads(login, member, records, run_tasks):
    from notices.tick import tick

    _, export = ready_export(login, member, run_tasks)
    ExportRequest.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    tick()
    run_tasks()
    export.refresh_from_db()
    assert export.state == ExportRequest.State.EXPIRED


def test_the_downloads_page_takes_a_fixed_number_of_queries(login, member, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(member)
    ExportRequest.objects.create(user=member, state=ExportRequest.State.EXPIRED)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("privacy:exports"))
    for _ in range(5):
        ExportRequest.objects.create(user=member, state=ExportRequest.State.EXPIRED)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("privacy:exports"))
    assert response.content.decode().count("data-export-state") == 6


def test_erasure_deletes_the_downloads_and_cancels_one_being_prepared(login, member, records, run_tasks):
    from privacy_rights.erasure import account_erase

    _, ready = ready_export(login, member, run_tasks)
    storage, name = ready.file.storage, ready.file.name
    queued = ExportRequest.objects.create(user=member)
    email, name = member.email, member.full_name
    assert rows_mentioning(email)  # the queued email's arguments, at least
    account_erase(user=member)
    run_tasks()
    assert rows_mentioning(email, name) == []
    assert not storage.exists(name)
    for export in (ready, queued):
        export.refresh_from_db()
        assert export.state == ExportRequest.State.EXPIRED and not export.file
