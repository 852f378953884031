"""NIP and NUPTK on the profile: optional, validated with a clear message, and read only
by the person, the principal of their school and site admins."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kompra.accounts.models import User
from tests.factories import ActivityFactory, UserFactory
from tests.html import Page

pytestmark = pytest.mark.django_db

NIP = "198503152010011002"
NUPTK = "1234567890123456"


def profile_data(user, **overrides):
    data = {"full_name": user.full_name, "short_name": "", "language": "id", "time_zone": "Asia/Jakarta"}
    data.update(overrides)
    return data


def test_profile_saves_nip_and_nuptk_typed_with_spaces(login, teacher):
    response = login(teacher).post(
        "/profil/", profile_data(teacher, nip="19850315 201001 1 002", nuptk="1234-5678-9012-3456")
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert (teacher.nip, teacher.nuptk) == (NIP, NUPTK)


def test_both_numbers_are_optional(login, teacher):
    teacher.nip = NIP
    teacher.save()
    response = login(teacher).post("/profil/", profile_data(teacher, nip="", nuptk=""))
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.nip == "" and teacher.nuptk == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nip", "19850315201001100", "NIP harus tepat 18 angka"),  # 17 digits
        ("nip", "1985031520100110021", "NIP harus tepat 18 angka"),  # 19 digits
        ("nip", "19850315201001100X", "NIP harus tepat 18 angka"),
        ("nuptk", "123456789012345", "NUPTK harus tepat 16 angka"),
        ("nuptk", "12345678901234567", "NUPTK harus tepat 16 angka"),
        ("nuptk", "abcdefghijklmnop", "NUPTK harus tepat 16 angka"),
    ],
)
def test_bad_numbers_are_refused_with_a_clear_message_and_nothing_changes(login, teacher, field, value, message):
    before = teacher.full_name
    response = login(teacher).post("/profil/", profile_data(teacher, full_name="Nama Baru", **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.full_name == before
    assert getattr(teacher, field) == ""


def test_a_number_taken_by_someone_else_is_refused(login, teacher, school):
    UserFactory(school=school, nip=NIP)
    response = login(teacher).post("/profil/", profile_data(teacher, nip=NIP))
    assert response.status_code == 200
    assert "Akun lain sudah memakai NIP ini." in response.content.decode()


def test_the_database_refuses_malformed_and_duplicate_numbers(school):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(school=school, nip="123")
    UserFactory(school=school, nuptk=NUPTK)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(school=school, nuptk=NUPTK)
    # Many people have no number at all.
    UserFactory(school=school)
    UserFactory(school=school)


def test_model_validation_names_the_field():
    user = User(email="x@example.id", full_name="X", nip="12", nuptk="34")
    with pytest.raises(ValidationError) as excinfo:
        user.full_clean()
    assert {"nip", "nuptk"} <= set(excinfo.value.message_dict)


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        ("teacher", True),  # the person
        ("principal", True),  # the principal of their school
        ("staff", True),
        ("other_principal", False),
        ("coordinator", False),
        ("member", False),
        ("other_teacher", False),
        ("pengawas", False),
        ("dinas", False),
    ],
)
def test_who_reads_the_numbers(request, teacher, viewer, sees):
    assert teacher.identifiers_visible_to(request.getfixturevalue(viewer)) is sees


def test_anonymous_reads_no_number(teacher):
    assert teacher.identifiers_visible_to(AnonymousUser()) is False


def _print_sheet(client, activity):
    url = f"/k/{activity.community.slug}/kegiatan/{activity.uid}/daftar-hadir/cetak/"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_attendance_sheet_shows_the_nip_to_whom_may_read_it(login, community, coordinator, member, principal, staff):
    member.nip = NIP
    member.save()
    coordinator.nip = "197001012000011001"
    coordinator.save()
    activity = ActivityFactory(community=community)
    # The principal of their school and site admins read both numbers.
    for viewer in (principal, staff):
        page = _print_sheet(login(viewer), activity)
        assert NIP in page and "197001012000011001" in page
    # Each member reads their own, not a colleague's.
    page = _print_sheet(login(member), activity)
    assert NIP in page and "197001012000011001" not in page
    page = _print_sheet(login(coordinator), activity)
    assert NIP not in page and "197001012000011001" in page
    assert "NIP" in Page(page).text
