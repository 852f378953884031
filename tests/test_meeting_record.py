"""Recording a meeting as held: one that took place earlier than planned (its date and
time corrected in the same step), and one recorded after the fact, in one form with
its attendance, minutes and photos. The coordinator's to do; all or nothing."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Attendance, Document
from kompra.accounts.models import User
from tests.factories import ActivityFactory, jpeg_bytes
from tests.html import Page
from tests.pdfs import JS_ACTION, one_page

pytestmark = pytest.mark.django_db

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


def url(name, community, *args):
    return reverse(f"activities:{name}", args=[community.slug, *args])


def messages_of(response, level):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == level]


def indonesian(client):
    client.cookies["django_language"] = "id"
    return client


def photo(name="kelas.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes((40, 30)), content_type="image/jpeg")


def media_files():
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def days_ago(n):
    return (timezone.localdate() - timedelta(days=n)).isoformat()


@pytest.fixture
def planned(community, coordinator):
    """A meeting planned for next week, 13:30 to 15:00 WIB."""
    day = timezone.localdate() + timedelta(days=7)
    return ActivityFactory(
        community=community,
        proposed_by=coordinator,
        title="Berbagi praktik membaca nyaring",
        starts_at=datetime(day.year, day.month, day.day, 13, 30, tzinfo=WIB),
        ends_at=datetime(day.year, day.month, day.day, 15, 0, tzinfo=WIB),
    )


def held_form(member, coordinator, **extra):
    return {
        "date": days_ago(2),
        "starts": "13:30",
        "ends": "14:45",
        f"hadir-{member.pk}": "present",
        f"hadir-{coordinator.pk}": "present",
        "minutes": "Kami sepakat mencoba membaca berpasangan.",
        **extra,
    }


def state(activity):
    activity = Activity.objects.get(pk=activity.pk)
    return (
        activity.status,
        activity.starts_at,
        activity.ends_at,
        activity.minutes,
        sorted(activity.attendances.values_list("user_id", "status")),
        activity.documents.count(),
    )


# A meeting held earlier than planned


def test_a_meeting_held_earlier_is_recorded_with_its_real_date_attendance_minutes_and_photos(
    planned, community, coordinator, member, login
):
    client = indonesian(login(coordinator))
    response = client.post(
        url("record_held", community, planned.uid), held_form(member, coordinator, files=[photo()], caption="Diskusi")
    )
    assert response.status_code == 302
    assert response["Location"] == planned.get_absolute_url()
    assert messages_of(response, "error") == []
    planned.refresh_from_db()
    day = timezone.localdate() - timedelta(days=2)
    assert planned.status == Activity.Status.HELD
    assert planned.starts_at == datetime(day.year, day.month, day.day, 13, 30, tzinfo=WIB)
    assert planned.ends_at == datetime(day.year, day.month, day.day, 14, 45, tzinfo=WIB)
    assert planned.minutes == "Kami sepakat mencoba membaca berpasangan."
    assert sorted(planned.attendances.values_list("user_id", "status")) == sorted(
        [(member.pk, Attendance.Status.PRESENT), (coordinator.pk, Attendance.Status.PRESENT)]
    )
    (document,) = planned.documents.all()
    assert (document.kind, document.caption, document.uploaded_by) == ("photo", "Diskusi", coordinator)
    # Held, so those who came may now reflect on it.
    page = indonesian(login(member)).get(planned.get_absolute_url()).content.decode()
    assert url("reflect_activity", community, planned.uid) in page


def test_marking_a_future_meeting_held_leads_to_the_form_instead_of_a_dead_end(planned, community, coordinator, login):
    client = indonesian(login(coordinator))
    response = client.post(url("status", community, planned.uid), {"status": Activity.Status.HELD})
    assert response.status_code == 302
    assert response["Location"] == url("record_held", community, planned.uid)
    assert messages_of(response, "error") == []
    assert messages_of(response, "info") == [
        "Kegiatan ini dijadwalkan pada waktu yang belum tiba. Jika sudah terlaksana lebih awal, isi tanggal dan "
        "jam sebenarnya."
    ]
    assert Activity.objects.get(pk=planned.pk).status == Activity.Status.PLANNED


def test_the_form_starts_from_today_for_a_meeting_planned_later(planned, community, coordinator, member, login):
    page = Page(indonesian(login(coordinator)).get(url("record_held", community, planned.uid)).content.decode())
    assert "Tanggal terlaksana" in page.text
    html = indonesian(login(coordinator)).get(url("record_held", community, planned.uid)).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert 'value="13:30"' in html and 'value="15:00"' in html
    assert member.full_name in page.text  # the attendance list
    (form,) = page.forms_to(url("record_held", community, planned.uid))
    assert (form.csrf_fields, form.submits) == (1, ["Simpan sebagai terlaksana"])


def test_the_coordinator_is_offered_the_form_on_a_planned_meeting(planned, community, coordinator, member, login):
    record = url("record_held", community, planned.uid)
    assert record in indonesian(login(coordinator)).get(planned.get_absolute_url()).content.decode()
    assert record not in indonesian(login(member)).get(planned.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"date": days_ago(-1)},
            "Tanggal dan jam itu belum tiba. Pertemuan baru bisa dicatat terlaksana setelah berlangsung; untuk "
            "pertemuan yang akan datang, pakai Rencanakan kegiatan.",
        ),
        ({"ends": "13:00"}, "Jam selesai harus setelah jam mulai."),
        ({"date": ""}, "Bidang ini tidak boleh kosong."),
        (
            {"hadir-{member}": "datang"},
            "Masukkan pilihan yang valid. datang bukan salah satu dari pilihan yang tersedia.",
        ),
    ],
)
def test_bad_input_is_explained_in_indonesian_and_changes_nothing(
    change, message, planned, community, coordinator, member, login
):
    change = {key.replace("{member}", str(member.pk)): value for key, value in change.items()}
    before = state(planned)
    response = indonesian(login(coordinator)).post(
        url("record_held", community, planned.uid), held_form(member, coordinator, **change)
    )
    assert response.status_code == 200
    assert message in Page(response.content.decode()).text
    # What was typed is still there.
    assert "Kami sepakat mencoba membaca berpasangan." in response.content.decode()
    assert state(planned) == before


def test_a_rejected_file_stores_nothing_at_all(planned, community, coordinator, member, login):
    hostile = SimpleUploadedFile("materi.pdf", one_page(b"/OpenAction 4 0 R", extra={4: JS_ACTION}))
    before = state(planned)
    response = indonesian(login(coordinator)).post(
        url("record_held", community, planned.uid), held_form(member, coordinator, files=[photo(), hostile])
    )
    assert response.status_code == 200
    assert "materi.pdf: PDF ini berisi konten aktif" in Page(response.content.decode()).text
    assert "Kami sepakat mencoba membaca berpasangan." in response.content.decode()
    assert state(planned) == before
    assert not Document.objects.exists()
    assert media_files() == []


def test_times_are_read_in_the_coordinators_time_zone(planned, community, coordinator, member, login):
    User.objects.filter(pk=coordinator.pk).update(time_zone=User.TimeZone.WITA)
    login(coordinator).post(url("record_held", community, planned.uid), held_form(member, coordinator))
    planned.refresh_from_db()
    day = timezone.localdate() - timedelta(days=2)
    assert planned.starts_at == datetime(
        day.year, day.month, day.day, 13, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Makassar")
    )


def test_a_member_cannot_record_the_meeting(planned, community, coordinator, member, login):
    before = state(planned)
    assert login(member).get(url("record_held", community, planned.uid)).status_code == 403
    response = login(member).post(url("record_held", community, planned.uid), held_form(member, coordinator))
    assert response.status_code == 403
    assert state(planned) == before


# A meeting recorded after the fact


def past_form(member, coordinator, **extra):
    what = {"kind": Activity.Kind.MEETING, "title": "Pertemuan rutin Kamis", "place": "Ruang guru"}
    return held_form(member, coordinator, **{**what, **extra})


def test_a_past_meeting_is_recorded_in_one_form(community, coordinator, member, login):
    client = indonesian(login(coordinator))
    page = Page(client.get(url("record_past", community)).content.decode())
    (form,) = page.forms_to(url("record_past", community))
    assert (form.csrf_fields, form.submits) == (1, ["Simpan sebagai terlaksana"])
    response = client.post(url("record_past", community), past_form(member, coordinator, files=[photo()]))
    activity = Activity.objects.get(community=community)
    assert response["Location"] == activity.get_absolute_url()
    day = timezone.localdate() - timedelta(days=2)
    assert (activity.title, activity.kind, activity.status, activity.place, activity.proposed_by) == (
        "Pertemuan rutin Kamis",
        Activity.Kind.MEETING,
        Activity.Status.HELD,
        "Ruang guru",
        coordinator,
    )
    assert activity.starts_at == datetime(day.year, day.month, day.day, 13, 30, tzinfo=WIB)
    assert activity.minutes == "Kami sepakat mencoba membaca berpasangan."
    assert activity.attendances.count() == 2
    assert activity.documents.count() == 1


def test_the_activity_list_offers_it_to_coordinators(community, coordinator, member, login):
    record = url("record_past", community)
    assert record in indonesian(login(coordinator)).get(url("list", community)).content.decode()
    assert record not in indonesian(login(member)).get(url("list", community)).content.decode()


def test_a_past_meeting_with_a_rejected_file_is_not_recorded(community, coordinator, member, login):
    bad = SimpleUploadedFile("foto.jpg", b"<html><script>alert(1)</script></html>")
    response = indonesian(login(coordinator)).post(
        url("record_past", community), past_form(member, coordinator, files=[photo(), bad])
    )
    assert response.status_code == 200
    assert "foto.jpg: Jenis berkas ini tidak diterima" in Page(response.content.decode()).text
    assert not Activity.objects.exists()
    assert not Attendance.objects.exists()
    assert media_files() == []


def test_a_past_meeting_needs_a_title_and_a_past_date(community, coordinator, member, login):
    response = indonesian(login(coordinator)).post(
        url("record_past", community), past_form(member, coordinator, title="", date=days_ago(-3))
    )
    assert response.status_code == 200
    text = Page(response.content.decode()).text
    assert "Bidang ini tidak boleh kosong." in text
    assert "Tanggal dan jam itu belum tiba." in text
    assert not Activity.objects.exists()


def test_an_archived_community_records_nothing(planned, community, coordinator, member, login):
    type(community).objects.filter(pk=community.pk).update(archived=True)
    before = state(planned)
    client = login(coordinator)
    client.cookies["django_language"] = "en"
    for address, data in (
        (url("record_held", community, planned.uid), held_form(member, coordinator)),
        (url("record_past", community), past_form(member, coordinator)),
    ):
        response = client.post(address, data)
        assert "archived" in " ".join(messages_of(response, "error"))
    assert state(planned) == before
    assert Activity.objects.count() == 1
