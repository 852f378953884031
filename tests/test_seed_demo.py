"""The demo data command: idempotent in development, refused in production."""

import io
import re
import zoneinfo
from datetime import UTC, datetime, time, timedelta
from itertools import pairwise

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.utils import timezone

from kompra.accounts.models import School, User

pytestmark = pytest.mark.django_db


def seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "schools": School.objects.count(),
        "users": User.objects.count(),
        "addresses": EmailAddress.objects.count(),
        "staff": User.objects.filter(is_staff=True).count(),
    }


def printed_password(output):
    match = re.search(r"Password for every demo account:\s*(?:\x1b\[[0-9;]*m)?\s*(\S+)", output)
    assert match, output
    return match.group(1)


def test_seed_demo_creates_schools_people_and_a_site_admin(settings):
    settings.DEBUG = True
    output = seed()

    schools = School.objects.annotate(
        principals=Count("people", filter=Q(people__role=User.Role.PRINCIPAL)),
        teachers=Count("people", filter=Q(people__role=User.Role.TEACHER)),
    )
    assert schools.count() == 3
    for school in schools:
        assert school.principals == 1, school
        assert school.teachers >= 4, school
        school.full_clean()  # the demo NPSNs are valid

    staff = User.objects.filter(is_staff=True)
    assert staff.count() == 1
    assert staff.get().is_superuser
    assert staff.get().school is None

    for user in User.objects.all():
        address = EmailAddress.objects.get(user=user)
        assert address.email == user.email
        assert address.verified and address.primary
        assert user.email in output


def test_seed_demo_prints_a_password_that_works_for_every_account(settings):
    settings.DEBUG = True
    password = printed_password(seed())
    users = list(User.objects.all())
    assert users
    assert all(user.check_password(password) for user in users)
    assert not any(user.check_password(password + "x") for user in users)


def test_seed_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    seed()
    first = snapshot()
    ids = set(User.objects.values_list("pk", flat=True))
    seed()
    assert snapshot() == first
    assert set(User.objects.values_list("pk", flat=True)) == ids


def test_seed_demo_restores_a_changed_demo_account(settings):
    settings.DEBUG = True
    password = printed_password(seed())
    user = User.objects.filter(role=User.Role.TEACHER).first()
    user.set_password("diganti-orang-lain")
    user.save()
    EmailAddress.objects.filter(user=user).update(verified=False)
    seed()
    user.refresh_from_db()
    assert user.check_password(password)
    assert EmailAddress.objects.get(user=user).verified


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        seed()
    assert snapshot() == {"schools": 0, "users": 0, "addresses": 0, "staff": 0}


def test_seed_demo_has_a_pengawas_and_a_dinas_over_the_demo_schools(settings):
    settings.DEBUG = True
    output = seed()
    pengawas = User.objects.get(role=User.Role.PENGAWAS)
    dinas = User.objects.get(role=User.Role.DINAS)
    assert pengawas.email in output and dinas.email in output
    sleman = set(School.objects.filter(district="Kabupaten Sleman"))
    assert len(sleman) == 2
    assert set(School.objects.supervised_by(pengawas)) == sleman
    assert set(School.objects.supervised_by(dinas)) == sleman
    for user in (pengawas, dinas):
        user.full_clean()
    seed()  # still idempotent
    assert User.objects.filter(role__in=User.SUPERVISOR_ROLES).count() == 2


DAYS = {"Senin": 0, "Selasa": 1, "Rabu": 2, "Kamis": 3, "Jumat": 4, "Sabtu": 5, "Minggu": 6}
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    "seeded_at",
    [
        datetime(2026, 11, 24, 21, 0, tzinfo=WIB),  # a Tuesday evening
        datetime(2026, 11, 26, 10, 0, tzinfo=WIB),  # a Thursday morning, before the meeting
        datetime(2026, 11, 26, 14, 0, tzinfo=WIB),  # a Thursday, during the meeting time
        datetime(2026, 11, 26, 16, 30, tzinfo=WIB),  # a Thursday afternoon, after it
        datetime(2026, 11, 29, 23, 45, tzinfo=WIB),  # a Sunday night
    ],
    ids=["tuesday-2100", "thursday-1000", "thursday-1400", "thursday-1630", "sunday-2345"],
)
def test_demo_meetings_fall_after_school_on_the_day_the_norms_name(seeded_at, settings, monkeypatch):
    from activities.models import Activity
    from communities.models import Community

    settings.DEBUG = True
    monkeypatch.setattr(timezone, "now", lambda: seeded_at.astimezone(UTC))
    seed()
    community = Community.objects.get(slug="literasi-membaca-kelas-7")
    (day,) = [number for name, number in DAYS.items() if name in community.rhythm_note]
    activities = list(community.activities.all())
    assert len(activities) >= 5
    for activity in activities:
        starts, ends = activity.starts_at.astimezone(WIB), activity.ends_at.astimezone(WIB)
        assert starts.weekday() == day, starts
        assert time(13, 15) <= starts.time() and ends.time() <= time(15, 30), (starts, ends)
        assert starts.date() == ends.date()
        if activity.status == Activity.Status.HELD:
            assert activity.ends_at <= seeded_at, activity
        else:
            assert activity.starts_at > seeded_at, activity
    # Every other week, as the rhythm says, the last one in the past two weeks.
    starts = sorted(activity.starts_at for activity in activities)
    assert {later - earlier for earlier, later in pairwise(starts)} == {timedelta(weeks=community.rhythm_weeks)}
    held = [a.ends_at for a in activities if a.status == Activity.Status.HELD]
    assert seeded_at - max(held) < timedelta(weeks=2)
