"""The practice cycle through its pages: plan an activity, take attendance, document it,
act on a problem, reflect, share products. Every bad input gets a clear message and
leaves nothing stored."""

import io
import os
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from PIL import Image

from activities import services
from activities.models import (
    REFLECTION_TEMPLATES,
    ActionPlan,
    Activity,
    Attendance,
    Document,
    Product,
    Reflection,
    ReflectionDismissal,
)
from communities.models import Membership
from communities.services import Refused
from tests.conftest import client_for
from tests.factories import (
    ActionPlanFactory,
    ActivityFactory,
    AttendanceFactory,
    CommunityFactory,
    DocumentFactory,
    MembershipFactory,
    ProblemFactory,
    ProductFactory,
    ReflectionFactory,
    UserFactory,
    jpeg_bytes,
)
from tests.html import Page
from tests.pdfs import JS_ACTION, one_page

pytestmark = pytest.mark.django_db

ACTIVITY_FORM = {
    "kind": "share_practice",
    "title": "Berbagi praktik membaca nyaring",
    "starts_at": "2030-01-10T09:00",
    "ends_at": "2030-01-10T11:00",
    "place": "Ruang guru",
    "agenda": "1. Cerita praktik\n2. Diskusi",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML_AS_JPEG = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture
def login():
    """Signed-in clients that read the pages in English, so messages can be asserted."""

    def make(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def colleague(community, school):
    """A second ordinary member."""
    user = UserFactory(school=school, full_name="Citra Anggota Lain", email="citra@smpn1.sch.id")
    MembershipFactory(user=user, community=community)
    return user


@pytest.fixture
def held(community, coordinator, member):
    """An activity held yesterday, the member present."""
    start = timezone.now() - timedelta(days=1)
    activity = ActivityFactory(
        community=community,
        proposed_by=coordinator,
        status=Activity.Status.HELD,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        title="Lesson study kelas 2",
    )
    AttendanceFactory(activity=activity, user=member)
    return activity


def messages_of(response, level=None):
    return [str(m) for m in get_messages(response.wsgi_request) if level is None or m.level_tag == level]


def assert_refused(response, text):
    """A redirect back with an error message containing `text`."""
    assert response.status_code == 302
    errors = messages_of(response, "error")
    assert errors, "a refusal must say why"
    assert any(text in error for error in errors), errors


def media_files():
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def url(name, *args):
    return reverse(f"activities:{name}", args=args)


# Planning an activity


def test_member_proposes_an_activity(community, member, login):
    response = login(member).post(url("new", community.slug), ACTIVITY_FORM)
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    assert activity.status == Activity.Status.PLANNED
    assert activity.community == community
    assert activity.proposed_by == member
    assert activity.title == ACTIVITY_FORM["title"]
    page = login(member).get(activity.get_absolute_url()).content.decode()
    assert ACTIVITY_FORM["title"] in page


def test_proposer_and_coordinators_edit_another_member_may_not(community, member, coordinator, colleague, login):
    activity = ActivityFactory(community=community, proposed_by=member)
    edit = url("edit", community.slug, activity.uid)
    for editor, title in ((member, "Diubah pengusul"), (coordinator, "Diubah koordinator")):
        assert login(editor).get(edit).status_code == 200
        response = login(editor).post(edit, {**ACTIVITY_FORM, "title": title})
        assert response.status_code == 302
        activity.refresh_from_db()
        assert activity.title == title
    assert login(colleague).get(edit).status_code == 403
    assert login(colleague).post(edit, {**ACTIVITY_FORM, "title": "Dibajak"}).status_code == 403
    minutes = url("minutes", community.slug, activity.uid)
    assert login(colleague).post(minutes, {"minutes": "Dibajak"}).status_code == 403
    activity.refresh_from_db()
    assert activity.title == "Diubah koordinator"
    assert activity.minutes == ""


@pytest.mark.parametrize("ends_at", ["2030-01-10T08:59", "2030-01-10T09:00"])
def test_end_before_start_is_a_form_error(ends_at, community, member, login):
    response = login(member).post(url("new", community.slug), {**ACTIVITY_FORM, "ends_at": ends_at})
    assert response.status_code == 200
    assert "The end must be after the start." in response.context["form"].errors["ends_at"]
    assert not Activity.objects.exists()


def test_service_refuses_end_before_start(community, member):
    start = timezone.now()
    activity = Activity(community=community, title="x", starts_at=start, ends_at=start, proposed_by=member)
    with pytest.raises(Refused, match="end must be after"):
        services.activity_save(activity=activity)
    assert not Activity.objects.exists()


def test_problem_of_another_community_cannot_be_linked(community, member, problem, school, login):
    elsewhere = ProblemFactory(community=CommunityFactory(home_school=school), title="Masalah komunitas lain")
    response = login(member).post(url("new", community.slug), {**ACTIVITY_FORM, "problem": elsewhere.pk})
    assert response.status_code == 200
    assert "problem" in response.context["form"].errors
    assert "valid choice" in response.context["form"].errors["problem"][0]
    assert not Activity.objects.exists()
    # Its own community's problem is fine.
    login(member).post(url("new", community.slug), {**ACTIVITY_FORM, "problem": problem.pk})
    assert Activity.objects.get().problem == problem


def test_malformed_problem_in_the_address_is_ignored(community, member, login):
    response = login(member).get(url("new", community.slug) + "?masalah=bukan-uuid")
    assert response.status_code == 200
    assert response.context["form"].initial.get("problem") is None


def test_problem_in_the_address_is_preselected_only_from_this_community(community, member, problem, school, login):
    response = login(member).get(url("new", community.slug) + f"?masalah={problem.uid}")
    assert response.context["form"].initial["problem"] == problem
    elsewhere = ProblemFactory(community=CommunityFactory(home_school=school))
    response = login(member).get(url("new", community.slug) + f"?masalah={elsewhere.uid}")
    assert response.context["form"].initial["problem"] is None


def test_status_changes(community, coordinator, member, login):
    start = timezone.now() + timedelta(days=1)
    activity = ActivityFactory(
        community=community, proposed_by=member, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    status = url("status", community.slug, activity.uid)
    # The member who proposed it may not record it; a coordinator is led to the record form.
    assert_refused(login(member).post(status, {"status": "held"}), "only once it has started")
    response = login(coordinator).post(status, {"status": "held"})
    assert response["Location"] == url("record_held", community.slug, activity.uid)
    assert_refused(login(coordinator).post(status, {"status": "postponed"}), "Unknown status")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PLANNED
    response = login(coordinator).post(status, {"status": "cancelled"})
    assert messages_of(response, "success")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED


# Attendance


def test_coordinator_records_attendance(community, coordinator, member, colleague, login):
    activity = ActivityFactory(community=community, proposed_by=coordinator)
    page = login(coordinator).get(url("attendance", community.slug, activity.uid)).content.decode()
    for person in (coordinator, member, colleague):
        assert f'name="hadir-{person.pk}"' in page
    response = login(coordinator).post(
        url("attendance", community.slug, activity.uid),
        {f"hadir-{member.pk}": "present", f"hadir-{colleague.pk}": "excused", f"hadir-{coordinator.pk}": "absent"},
    )
    assert response.status_code == 302
    assert messages_of(response, "success")
    statuses = dict(activity.attendances.values_list("user_id", "status"))
    assert statuses == {member.pk: "present", colleague.pk: "excused", coordinator.pk: "absent"}
    # Changing the list, and clearing one row.
    login(coordinator).post(
        url("attendance", community.slug, activity.uid),
        {f"hadir-{member.pk}": "absent", f"hadir-{colleague.pk}": "", f"hadir-{coordinator.pk}": "absent"},
    )
    statuses = dict(activity.attendances.values_list("user_id", "status"))
    assert statuses == {member.pk: "absent", coordinator.pk: "absent"}


def test_everyone_present_without_javascript_saves_every_member_present(
    community, coordinator, member, colleague, login
):
    activity = ActivityFactory(community=community, proposed_by=coordinator)
    page = login(coordinator).get(url("attendance", community.slug, activity.uid)).content.decode()
    assert 'name="semua" value="hadir"' in page
    # One radio group per person, each choice a labelled button of its own.
    assert page.count(f'name="hadir-{member.pk}"') == 4
    assert f'<label class="btn btn-outline-success" for="hadir-{member.pk}-present">' in page
    response = login(coordinator).post(
        url("attendance", community.slug, activity.uid), {"semua": "hadir", f"hadir-{member.pk}": "absent"}
    )
    assert messages_of(response, "success")
    statuses = dict(activity.attendances.values_list("user_id", "status"))
    assert statuses == {member.pk: "present", colleague.pk: "present", coordinator.pk: "present"}


def test_attendance_of_a_non_member_is_not_recorded(community, coordinator, member, teacher, login):
    activity = ActivityFactory(community=community, proposed_by=coordinator)
    login(coordinator).post(
        url("attendance", community.slug, activity.uid),
        {f"hadir-{member.pk}": "present", f"hadir-{teacher.pk}": "present"},
    )
    # The list has a row per member only; whatever else is posted is not read.
    assert not activity.attendances.filter(user=teacher).exists()
    assert activity.attendances.get(user=member).status == "present"


def test_attendance_service_refuses_non_members_and_stores_nothing(community, coordinator, member, teacher):
    activity = ActivityFactory(community=community, proposed_by=coordinator)
    with pytest.raises(Refused, match="only for members"):
        services.attendance_record(activity=activity, statuses={member.pk: "present", teacher.pk: "present"})
    with pytest.raises(Refused, match="Unknown attendance status"):
        services.attendance_record(activity=activity, statuses={member.pk: "present", coordinator.pk: "late"})
    assert not Attendance.objects.exists()


def test_attendance_of_a_cancelled_activity_is_refused(community, coordinator, member, login):
    activity = ActivityFactory(community=community, proposed_by=coordinator, status=Activity.Status.CANCELLED)
    response = login(coordinator).post(
        url("attendance", community.slug, activity.uid), {f"hadir-{member.pk}": "present"}
    )
    assert_refused(response, "cancelled")
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("starts_in", "status", "refusal"),
    [
        pytest.param(timedelta(minutes=29), Activity.Status.PLANNED, None, id="29-minutes-before"),
        pytest.param(timedelta(minutes=-60), Activity.Status.PLANNED, None, id="during"),
        pytest.param(timedelta(minutes=-60), Activity.Status.HELD, None, id="during-marked-held"),
        pytest.param(timedelta(minutes=31), Activity.Status.PLANNED, "opens 30 minutes before", id="too-early"),
        pytest.param(timedelta(hours=-2, minutes=-1), Activity.Status.PLANNED, "has ended", id="ended"),
        pytest.param(timedelta(minutes=-60), Activity.Status.CANCELLED, "cancelled", id="cancelled"),
    ],
)
def test_members_check_themselves_in_during_the_activity(starts_in, status, refusal, community, member, login):
    start = timezone.now() + starts_in
    activity = ActivityFactory(community=community, status=status, starts_at=start, ends_at=start + timedelta(hours=2))
    response = login(member).post(url("check_in", community.slug, activity.uid))
    if refusal:
        assert_refused(response, refusal)
        assert not Attendance.objects.exists()
    else:
        assert response.status_code == 302
        assert messages_of(response, "success") == ["You are checked in. Welcome!"]
        attendance = Attendance.objects.get()
        assert (attendance.user, attendance.status) == (member, "present")
        assert attendance.checked_in_at is not None


def test_check_in_twice_keeps_one_row(community, member, login):
    start = timezone.now()
    activity = ActivityFactory(community=community, starts_at=start, ends_at=start + timedelta(hours=1))
    AttendanceFactory(activity=activity, user=member, status="absent")
    login(member).post(url("check_in", community.slug, activity.uid))
    login(member).post(url("check_in", community.slug, activity.uid))
    assert list(Attendance.objects.values_list("user_id", "status")) == [(member.pk, "present")]


def test_present_count_shows_on_the_activity_page(community, coordinator, member, colleague, login):
    activity = ActivityFactory(community=community, proposed_by=coordinator)
    AttendanceFactory(activity=activity, user=member, status="present")
    AttendanceFactory(activity=activity, user=coordinator, status="present")
    AttendanceFactory(activity=activity, user=colleague, status="excused")
    page = login(member).get(activity.get_absolute_url()).content.decode()
    badge = re.search(r'class="[^"]*present-count[^"]*">([^<]*)<', page)
    assert badge is not None
    assert badge.group(1).strip() == "2 present"


def test_printable_list_has_every_active_member(community, coordinator, member, colleague, teacher, school, login):
    activity = ActivityFactory(community=community, proposed_by=coordinator)
    AttendanceFactory(activity=activity, user=member, status="present")
    gone = UserFactory(school=school, full_name="Dedi Sudah Keluar")
    MembershipFactory(user=gone, community=community, status=Membership.Status.LEFT)
    invited = UserFactory(school=school, full_name="Eka Baru Diundang")
    MembershipFactory(user=invited, community=community, status=Membership.Status.INVITED)
    response = login(colleague).get(url("attendance_print", community.slug, activity.uid))
    page = response.content.decode()
    assert response.status_code == 200
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", page)
    assert [name for _n, name in rows] == sorted(p.full_name for p in (coordinator, member, colleague))
    for outsider in (gone, invited, teacher):
        assert outsider.full_name not in page
    assert "3 members" in page
    assert community.home_school.name in page


# Documentation


def gps_jpeg():
    """A photo as a phone writes it: camera make and a GPS position in the EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "KameraHP"
    exif[0x8825] = {1: "S", 2: (7.0, 45.0, 12.5), 3: "E", 4: (110.0, 22.0, 1.0)}
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (30, 140, 90)).save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825), "the test photo carries a location"
    return data


def photo(name="kelas.jpg", data=None):
    """A small JPEG; different names give different pictures (identical ones are stored once)."""
    shade = sum(name.encode()) % 200
    return SimpleUploadedFile(name, data or jpeg_bytes((40, 30), (shade, 120, 200)), content_type="image/jpeg")


def read(response):
    # Consuming the stream lets the test client close the response itself; closing it
    # again here would fire request_finished and close the test's database connection.
    return b"".join(response.streaming_content)


def test_photo_upload_strips_location_and_is_served_privately(community, member, login):
    activity = ActivityFactory(community=community)
    response = login(member).post(
        url("upload", community.slug, activity.uid),
        {"files": [SimpleUploadedFile("IMG_2024.jpg", gps_jpeg(), content_type="image/jpeg")], "caption": "Diskusi"},
    )
    assert response.status_code == 302
    assert messages_of(response, "success") == ["1 file(s) uploaded."]
    document = Document.objects.get()
    assert (document.activity, document.kind, document.uploaded_by) == (activity, "photo", member)
    assert document.caption == "Diskusi"
    with Image.open(document.file.path) as stored:
        assert dict(stored.getexif()) == {}
        assert stored.format == "JPEG"
    assert document.thumbnail
    assert document.thumbnail.storage.exists(document.thumbnail.name)

    served = login(member).get(f"/k/{community.slug}/berkas/{document.uid}/")
    assert served.status_code == 200
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "private" in served["Cache-Control"]
    assert served["Content-Type"] == "image/jpeg"
    assert served["Content-Disposition"].startswith("inline")
    assert read(served) == document.file.open("rb").read()
    document.file.close()
    thumb = login(member).get(document.get_thumbnail_url())
    assert thumb.status_code == 200
    assert thumb["Content-Type"] == "image/jpeg"
    assert read(thumb)[:3] == b"\xff\xd8\xff"


def test_pdf_is_served_as_an_attachment(community, member, login):
    activity = ActivityFactory(community=community)
    files = [SimpleUploadedFile("notulen rapat.pdf", PDF, content_type="application/pdf")]
    login(member).post(url("upload", community.slug, activity.uid), {"files": files})
    document = Document.objects.get()
    assert (document.kind, document.content_type, document.thumbnail.name) == ("file", "application/pdf", "")
    served = login(member).get(document.get_absolute_url())
    assert served.status_code == 200
    assert served["Content-Disposition"].startswith("attachment")
    assert "notulen" in served["Content-Disposition"]
    assert served["X-Content-Type-Options"] == "nosniff"
    assert read(served) == PDF
    assert login(member).get(document.get_thumbnail_url()).status_code == 404


@pytest.mark.parametrize(
    ("shows_students", "consent", "stored"),
    [(True, True, (True, True)), (True, False, (True, False)), (False, True, (False, False))],
)
def test_students_and_consent_flags_are_recorded(shows_students, consent, stored, community, member, login):
    activity = ActivityFactory(community=community)
    data = {"files": [photo()]}
    if shows_students:
        data["shows_students"] = "on"
    if consent:
        data["consent_confirmed"] = "on"
    response = login(member).post(url("upload", community.slug, activity.uid), data)
    document = Document.objects.get()
    assert (document.shows_students, document.consent_confirmed) == stored
    internal_only = "Photos of students without confirmed consent stay inside the community."
    assert (internal_only in messages_of(response, "info")) == (shows_students and not consent)


@pytest.mark.parametrize("n", [21, 101])
def test_too_many_files_at_once(n, community, member, login):
    activity = ActivityFactory(community=community)
    small = jpeg_bytes((4, 4))
    files = [SimpleUploadedFile(f"foto{i}.jpg", small, content_type="image/jpeg") for i in range(n)]
    response = login(member).post(url("upload", community.slug, activity.uid), {"files": files})
    assert_refused(response, "Upload at most 20 files at once.")
    assert not Document.objects.exists()
    assert media_files() == []


def test_twenty_files_at_once_are_fine(community, member, login):
    activity = ActivityFactory(community=community)
    files = [
        SimpleUploadedFile(f"foto{i}.jpg", jpeg_bytes((4, 4), (10 * i, 0, 0)), content_type="image/jpeg")
        for i in range(20)
    ]
    login(member).post(url("upload", community.slug, activity.uid), {"files": files})
    assert Document.objects.count() == 20


def test_one_bad_file_stores_nothing(community, member, login):
    activity = ActivityFactory(community=community)
    files = [
        photo("satu.jpg"),
        SimpleUploadedFile("dua.jpg", HTML_AS_JPEG, content_type="image/jpeg"),
        photo("tiga.jpg"),
    ]
    response = login(member).post(url("upload", community.slug, activity.uid), {"files": files})
    assert_refused(response, "dua.jpg: This kind of file is not accepted")
    assert not Document.objects.exists()
    assert media_files() == []


@pytest.mark.parametrize("target", ["activity", "product"])
def test_upload_form_has_one_button_and_one_csrf_field(target, community, member, login):
    if target == "activity":
        page, action = ActivityFactory(community=community), "upload"
    else:
        page, action = ProductFactory(community=community, created_by=member), "product_upload"
    client = login(member)
    client.cookies["django_language"] = "id"
    html = Page(client.get(page.get_absolute_url()).content.decode())
    (form,) = html.forms_to(url(action, community.slug, page.uid))
    assert (form.method, form.csrf_fields, form.submits) == ("post", 1, ["Unggah"])
    assert sum(submits.count("Unggah") for submits in (f.submits for f in html.forms)) == 1


def test_pdf_with_javascript_is_refused_in_indonesian_and_nothing_is_stored(community, member, login):
    activity = ActivityFactory(community=community)
    hostile = one_page(b"/OpenAction 4 0 R", extra={4: JS_ACTION})
    files = [photo("satu.jpg"), SimpleUploadedFile("materi.pdf", hostile, content_type="application/pdf")]
    client = login(member)
    client.cookies["django_language"] = "id"
    response = client.post(url("upload", community.slug, activity.uid), {"files": files})
    assert response.status_code == 302
    assert messages_of(response, "error") == [
        "materi.pdf: PDF ini berisi konten aktif (skrip, berkas sisipan, tindakan otomatis, atau formulir XFA) "
        "sehingga tidak dapat diterima. Simpan ulang sebagai PDF biasa (misalnya lewat Cetak, lalu Simpan sebagai "
        "PDF), kemudian unggah berkas itu."
    ]
    assert not Document.objects.exists()
    assert media_files() == []


def test_no_file_chosen(community, member, login):
    activity = ActivityFactory(community=community)
    response = login(member).post(url("upload", community.slug, activity.uid), {"caption": "tanpa berkas"})
    assert_refused(response, "Choose at least one photo or file.")
    assert not Document.objects.exists()


def test_failure_after_files_were_written_leaves_no_rows_and_no_files(community, member, monkeypatch):
    activity = ActivityFactory(community=community)
    real_save = Document.save
    calls = []

    def failing_save(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Document, "save", failing_save)
    with pytest.raises(RuntimeError, match="disk full"):
        services.document_add_many(
            community=community, by=member, activity=activity, files=[photo("a.jpg"), photo("b.jpg"), photo("c.jpg")]
        )
    assert len(calls) == 2
    assert not Document.objects.exists()
    assert media_files() == []


def test_gallery_pages_by_24_with_thumbnails(community, member, login):
    activity = ActivityFactory(community=community, title="Pameran karya")
    now = timezone.now()
    documents = [DocumentFactory(activity=activity, created_at=now - timedelta(minutes=i)) for i in range(25)]
    DocumentFactory(activity=activity, kind="file", original_name="notulen.pdf")  # files are not in the gallery
    first = login(member).get(url("gallery", community.slug)).content.decode()
    second = login(member).get(url("gallery", community.slug) + "?halaman=2").content.decode()
    thumbs = re.compile(r'<img src="([^"]+)"[^>]*class="img-fluid rounded"')
    assert thumbs.findall(first) == [d.get_thumbnail_url() for d in documents[:24]]
    assert thumbs.findall(second) == [documents[24].get_thumbnail_url()]
    assert "Pameran karya" in first


@pytest.mark.parametrize("who", ["uploader", "coordinator"])
def test_delete_removes_row_and_files(who, community, member, coordinator, login, django_capture_on_commit_callbacks):
    activity = ActivityFactory(community=community)
    document = DocumentFactory(activity=activity, uploaded_by=member)
    paths = [document.file.path, document.thumbnail.path]
    assert all(map(_exists, paths))
    with django_capture_on_commit_callbacks(execute=True):
        response = login(member if who == "uploader" else coordinator).post(
            url("document_delete", community.slug, document.uid)
        )
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    assert not Document.objects.exists()
    assert not any(map(_exists, paths))


def test_another_member_cannot_delete(community, member, colleague, login):
    document = DocumentFactory(activity=ActivityFactory(community=community), uploaded_by=member)
    assert login(colleague).post(url("document_delete", community.slug, document.uid)).status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()
    assert _exists(document.file.path)


def _exists(path):
    return os.path.exists(path)


# Action plans


def test_action_plan_from_a_problem(community, member, problem, login):
    response = login(member).post(
        url("action_new", community.slug, problem.uid),
        {"what": "Membaca 15 menit tiap pagi", "owner": member.pk, "due": "2030-02-01"},
    )
    plan = ActionPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == problem.get_absolute_url()
    assert (plan.community, plan.problem, plan.owner, plan.created_by) == (community, problem, member, member)
    assert plan.what == "Membaca 15 menit tiap pagi"
    assert str(plan.due) == "2030-02-01"
    assert plan.status == ActionPlan.Status.PLANNED


def test_action_plan_owner_must_be_a_member(community, member, teacher, problem, login):
    response = login(member).post(
        url("action_new", community.slug, problem.uid),
        {"what": "Membaca 15 menit tiap pagi", "owner": teacher.pk, "due": "2030-02-01"},
    )
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    plan = ActionPlan(
        community=community, problem=problem, what="x", owner=teacher, due="2030-02-01", created_by=member
    )
    with pytest.raises(Refused, match="must be a member"):
        services.action_plan_save(plan=plan)
    assert not ActionPlan.objects.exists()


def test_action_plan_needs_what_who_and_when(community, member, problem, login):
    response = login(member).post(url("action_new", community.slug, problem.uid), {"what": "", "owner": "", "due": ""})
    assert set(response.context["form"].errors) == {"what", "owner", "due"}
    assert not ActionPlan.objects.exists()


def test_overdue_action_is_flagged_on_its_page_and_the_dashboard(community, member, problem, login):
    late = ActionPlanFactory(problem=problem, owner=member, due=timezone.localdate() - timedelta(days=1))
    on_time = ActionPlanFactory(problem=problem, owner=member, due=timezone.localdate() + timedelta(days=1))
    assert 'text-bg-danger">overdue</span>' in login(member).get(late.get_absolute_url()).content.decode()
    assert "overdue" not in login(member).get(on_time.get_absolute_url()).content.decode()
    dashboard = login(member).get(reverse("dashboard")).content.decode()
    section = dashboard.split('id="dash-actions"', 1)[1].split("</section>", 1)[0]
    assert section.count("overdue") == 1
    assert late.get_absolute_url() in section
    assert on_time.get_absolute_url() in section


def test_completing_an_action_invites_a_reflection(community, member, problem, login):
    plan = ActionPlanFactory(problem=problem, owner=member)
    response = login(member).post(plan.get_absolute_url(), {"status": "done", "outcome": "Semua siswa ikut."})
    assert response.status_code == 302
    assert response["Location"] == url("reflect_action", community.slug, plan.uid)
    assert any("reflect" in m for m in messages_of(response, "success"))
    plan.refresh_from_db()
    assert (plan.status, plan.outcome) == ("done", "Semua siswa ikut.")
    assert plan.completed_at is not None
    # Saving a done plan again is an ordinary update.
    response = login(member).post(plan.get_absolute_url(), {"status": "done", "outcome": "Ditambah."})
    assert response["Location"] == plan.get_absolute_url()


def test_another_member_cannot_update_someone_elses_action(community, member, colleague, problem, login):
    plan = ActionPlanFactory(problem=problem, owner=member)
    assert login(colleague).post(plan.get_absolute_url(), {"status": "dropped", "outcome": ""}).status_code == 403
    plan.refresh_from_db()
    assert plan.status == "planned"


# Reflections


@pytest.mark.parametrize("model", list(REFLECTION_TEMPLATES))
def test_each_reflection_template_asks_its_questions(model, community, member, problem, login):
    plan = ActionPlanFactory(problem=problem, owner=member)
    page = login(member).get(url("reflect_action", community.slug, plan.uid) + f"?model={model}").content.decode()
    for key, label in REFLECTION_TEMPLATES[model]:
        assert f'name="{key}"' in page
        assert escape(str(label)) in page
    others = {key for m, questions in REFLECTION_TEMPLATES.items() if m != model for key, _ in questions}
    for key in others - {key for key, _ in REFLECTION_TEMPLATES[model]}:
        assert f'name="{key}"' not in page


def test_attendee_reflects_after_the_activity_with_a_value_tag(community, member, held, login):
    reflect = url("reflect_activity", community.slug, held.uid)
    assert login(member).get(reflect).status_code == 200
    response = login(member).post(
        reflect,
        {"model": "4p", "peristiwa": "Siswa membaca berpasangan.", "penerapan": "Saya ulangi.", "value": "applied"},
    )
    assert response.status_code == 302
    assert response["Location"] == held.get_absolute_url()
    reflection = Reflection.objects.get()
    assert (reflection.activity, reflection.author, reflection.template) == (held, member, "4p")
    assert reflection.value == Reflection.Value.APPLIED
    assert reflection.answers["peristiwa"] == "Siswa membaca berpasangan."
    page = login(member).get(held.get_absolute_url()).content.decode()
    assert "Siswa membaca berpasangan." in page
    assert escape(str(Reflection.Value.APPLIED.label)) in page


def test_member_who_did_not_attend_cannot_reflect(community, member, colleague, held, login):
    AttendanceFactory(activity=held, user=colleague, status="excused")
    reflect = url("reflect_activity", community.slug, held.uid)
    assert_refused(login(colleague).get(reflect), "Only members who attended")
    response = login(colleague).post(reflect, {"model": "free", "text": "Saya tidak hadir tapi..."})
    assert_refused(response, "Only members who attended")
    assert not Reflection.objects.exists()


def test_coordinator_reflects_without_attending(community, coordinator, held, login):
    reflect = url("reflect_activity", community.slug, held.uid)
    assert login(coordinator).get(reflect).status_code == 200
    login(coordinator).post(reflect, {"model": "free", "text": "Sebagai koordinator saya melihat..."})
    assert Reflection.objects.get().author == coordinator


def test_no_reflection_before_the_activity_is_held(community, member, login):
    start = timezone.now() - timedelta(minutes=10)
    planned = ActivityFactory(community=community, starts_at=start, ends_at=start + timedelta(hours=1))
    AttendanceFactory(activity=planned, user=member)
    response = login(member).post(url("reflect_activity", community.slug, planned.uid), {"model": "free", "text": "x"})
    assert_refused(response, "after the activity has been held")
    assert not Reflection.objects.exists()


def test_second_reflection_on_the_same_activity(community, member, held, login):
    reflect = url("reflect_activity", community.slug, held.uid)
    login(member).post(reflect, {"model": "free", "text": "Pertama."})
    response = login(member).post(reflect, {"model": "deal", "describe": "Kedua."})
    assert_refused(response, "You already wrote a reflection on this activity")
    assert list(Reflection.objects.values_list("answers", flat=True)) == [{"text": "Pertama."}]


def test_empty_reflection_is_a_form_error(community, member, held, login):
    response = login(member).post(url("reflect_activity", community.slug, held.uid), {"model": "4p", "peristiwa": " "})
    assert response.status_code == 200
    assert "Write at least one answer." in response.context["form"].non_field_errors()
    assert not Reflection.objects.exists()


def test_author_edits_own_reflection_another_member_may_not(community, member, colleague, held, login):
    reflection = ReflectionFactory(activity=held, author=member, answers={"text": "Awal."})
    edit = url("reflection_edit", community.slug, reflection.uid)
    assert login(colleague).get(edit).status_code == 403
    assert login(colleague).post(edit, {"text": "Dibajak."}).status_code == 403
    response = login(member).post(edit, {"text": "Sesudah dipikir lagi.", "value": "reframing"})
    assert response.status_code == 302
    reflection.refresh_from_db()
    assert reflection.answers == {"text": "Sesudah dipikir lagi."}
    assert reflection.value == "reframing"


def _todo(page):
    """The dashboard's "reflections to write" section ("" when the page leaves it out)."""
    _before, found, after = page.partition('id="dash-reflect"')
    return after.split("</section>", 1)[0] if found else ""


def test_dashboard_asks_attendees_for_a_reflection_until_written(community, member, colleague, held, login):
    assert held.title in _todo(login(member).get(reverse("dashboard")).content.decode())
    # Only attendees are asked.
    assert held.title not in login(colleague).get(reverse("dashboard")).content.decode()
    login(member).post(url("reflect_activity", community.slug, held.uid), {"model": "free", "text": "Selesai."})
    assert held.title not in _todo(login(member).get(reverse("dashboard")).content.decode())


def test_dashboard_prompt_can_be_dismissed(community, member, held, login):
    response = login(member).post(url("reflection_dismiss", community.slug, held.uid))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert ReflectionDismissal.objects.filter(user=member, activity=held).exists()
    page = login(member).get(reverse("dashboard")).content.decode()
    assert held.title not in page
    assert not Reflection.objects.exists()


# Products


def test_product_with_authors_and_files(community, member, colleague, coordinator, login):
    response = login(member).post(
        url("product_new", community.slug),
        {"title": "Kartu kata bergambar", "description": "Untuk kelas 1.", "authors": [member.pk, colleague.pk]},
    )
    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == product.get_absolute_url()
    assert set(product.authors.all()) == {member, colleague}
    assert product.created_by == member

    login(member).post(url("product_upload", community.slug, product.uid), {"files": [photo()]})
    document = Document.objects.get()
    assert (document.product, document.activity) == (product, None)
    detail = login(coordinator).get(product.get_absolute_url()).content.decode()
    assert document.get_thumbnail_url() in detail

    assert "Kartu kata bergambar" in login(coordinator).get(url("products", community.slug)).content.decode()
    for person in (member, colleague):
        membership = community.memberships.get(user=person)
        profile = login(coordinator).get(url("member_profile", community.slug, membership.uid)).content.decode()
        assert product.get_absolute_url() in profile
    coordinator_profile = url("member_profile", community.slug, community.memberships.get(user=coordinator).uid)
    assert product.get_absolute_url() not in login(member).get(coordinator_profile).content.decode()


def test_product_authors_must_be_members(community, member, teacher, login):
    response = login(member).post(
        url("product_new", community.slug), {"title": "Karya", "description": "", "authors": [member.pk, teacher.pk]}
    )
    assert response.status_code == 200
    assert "authors" in response.context["form"].errors
    product = Product(community=community, title="Karya", created_by=member)
    with pytest.raises(Refused, match="Authors must be members"):
        services.product_save(product=product, authors=[member, teacher])
    with pytest.raises(Refused, match="Authors must be members"):
        services.product_save(product=product, authors=[])
    assert not Product.objects.exists()


# The practice cycle of a problem


def test_problem_page_shows_the_cycle_in_time_order(community, coordinator, member, problem, login):
    now = timezone.now()

    def ago(days):
        return now - timedelta(days=days)

    # Made in the reverse order, so only the dates can put them in order.
    product = ProductFactory(community=community, problem=problem, created_by=member, created_at=ago(1))
    activity = ActivityFactory(
        community=community,
        problem=problem,
        status=Activity.Status.HELD,
        starts_at=ago(4),
        ends_at=ago(4) + timedelta(hours=2),
        title="Uji coba membaca berpasangan",
    )
    reflection = ReflectionFactory(activity=activity, author=member, created_at=ago(2))
    document = DocumentFactory(activity=activity, created_at=ago(3))
    plan = ActionPlanFactory(problem=problem, owner=member, created_at=ago(5))
    type(problem).objects.filter(pk=problem.pk).update(created_at=ago(6))
    # Not part of this problem's cycle.
    ActivityFactory(community=community, title="Rapat lain tanpa masalah")

    page = login(member).get(problem.get_absolute_url()).content.decode()
    kinds = re.findall(r'<li class="[^"]*cycle-[a-z]+" data-kind="([a-z]+)"', page)
    assert kinds == ["problem", "action", "activity", "document", "reflection", "product"]
    for link in (
        plan.get_absolute_url(),
        activity.get_absolute_url(),
        document.get_thumbnail_url(),
        reflection.get_absolute_url(),
        product.get_absolute_url(),
    ):
        assert link in page
    assert "Rapat lain tanpa masalah" not in page


# An archived community keeps its records, unchanged


def test_archived_community_refuses_new_records(community, member, held, login):
    community.archived = True
    community.save(update_fields=["archived"])
    archived = "This community is archived"

    assert_refused(login(member).post(url("new", community.slug), ACTIVITY_FORM), archived)
    assert Activity.objects.count() == 1

    response = login(member).post(url("upload", community.slug, held.uid), {"files": [photo()]})
    assert_refused(response, archived)
    assert not Document.objects.exists()
    assert media_files() == []

    response = login(member).post(url("reflect_activity", community.slug, held.uid), {"model": "free", "text": "x"})
    assert_refused(response, archived)
    assert not Reflection.objects.exists()

    page = login(member).get(held.get_absolute_url()).content.decode()
    assert url("upload", community.slug, held.uid) not in page
