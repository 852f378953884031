"""Personas shared by every test, as STYLE.md lists them.

Two schools: `school` (home of the community under test) and `other_school`.
"""

import pytest
from django.test import Client

from communities.models import Membership
from kompra.accounts.models import User
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    PrincipalFactory,
    ProblemFactory,
    SchoolFactory,
    UserFactory,
)
from tests.servers import redis_server, s3_bucket, s3_endpoint  # noqa: F401 - fixtures for every test module


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with a cold cache (the bell's counts live there)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def school(db):
    return SchoolFactory(npsn="20400123", name="SMP Negeri 1 Sleman")


@pytest.fixture
def other_school(db):
    return SchoolFactory(
        npsn="20533456", name="SD Negeri Kauman 2 Malang", district="Kota Malang", province="Jawa Timur"
    )


@pytest.fixture
def teacher(school):
    """A teacher of the same school who is not a member of the community."""
    return UserFactory(school=school, full_name="Tari Guru Sekolah", email="tari@smpn1.sch.id")


@pytest.fixture
def other_teacher(other_school):
    return UserFactory(school=other_school, full_name="Oki Guru Lain", email="oki@sdkauman.sch.id")


@pytest.fixture
def principal(school):
    return PrincipalFactory(school=school, full_name="Sri Kepala Sekolah", email="kepsek@smpn1.sch.id")


@pytest.fixture
def other_principal(other_school):
    return PrincipalFactory(school=other_school, full_name="Hadi Kepala Lain", email="kepsek@sdkauman.sch.id")


@pytest.fixture
def staff(db):
    return UserFactory(
        school=None, full_name="Admin Situs", email="admin@kompra.test", is_staff=True, is_superuser=True
    )


@pytest.fixture
def pengawas(school):
    """A school supervisor an admin assigned the community's school."""
    user = UserFactory(school=None, role=User.Role.PENGAWAS, full_name="Agus Pengawas", email="agus@pengawas.go.id")
    user.supervised_schools.add(school)
    return user


@pytest.fixture
def dinas(school):
    """The education office of the school's kabupaten (Sleman), which oversees its SMPs."""
    return UserFactory(
        school=None,
        role=User.Role.DINAS,
        full_name="Dinas Pendidikan Sleman",
        email="disdik@slemankab.go.id",
        office_district=school.district,
        office_province=school.province,
    )


@pytest.fixture
def other_dinas(other_school):
    return UserFactory(
        school=None,
        role=User.Role.DINAS,
        full_name="Dinas Pendidikan Kota Malang",
        email="disdik@malangkota.go.id",
        office_district=other_school.district,
        office_province=other_school.province,
    )


@pytest.fixture
def other_pengawas(other_school):
    """A pengawas of other schools, in the same district as the community's school too."""
    user = UserFactory(school=None, role=User.Role.PENGAWAS, full_name="Wati Pengawas", email="wati@pengawas.go.id")
    user.supervised_schools.add(other_school, SchoolFactory(npsn="20400999", name="SMP Negeri 9 Sleman"))
    return user


@pytest.fixture
def anonymous():
    return None


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def login():
    """login(user) -> a test client signed in as that user (None: anonymous)."""
    return client_for


@pytest.fixture
def community(school):
    """A within-school community, visible to the whole school, in the merintis stage."""
    return CommunityFactory(name="Literasi Kelas Rendah", home_school=school)


@pytest.fixture
def coordinator(community, school):
    user = UserFactory(school=school, full_name="Budi Koordinator", email="budi@smpn1.sch.id")
    MembershipFactory(user=user, community=community, role=Membership.Role.COORDINATOR)
    return user


@pytest.fixture
def member(community, school, coordinator):
    user = UserFactory(school=school, full_name="Ani Anggota", email="ani@smpn1.sch.id")
    MembershipFactory(user=user, community=community, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def problem(community, coordinator):
    return ProblemFactory(community=community, raised_by=coordinator, title="Siswa belum lancar membaca")


def run_queued_tasks():
    """Runs every task that is due, as `manage.py db_worker --batch` would, in this
    process and transaction. Returns the finished task rows."""
    from unittest import mock

    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    before = set(DBTaskResult.objects.finished().values_list("pk", flat=True))
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    # The worker closes stale connections between tasks; inside a test's transaction
    # that would close the test's own connection.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        worker.run()
    return list(DBTaskResult.objects.finished().exclude(pk__in=before))


@pytest.fixture
def run_tasks():
    return run_queued_tasks


# Lines a test wants at the end of the run (the page checks print their counts): the test
# puts them in its report's user_properties, which also travel from pytest-xdist workers.
_SUMMARY: list[str] = []


def pytest_runtest_logreport(report):
    if report.when == "call":
        _SUMMARY.extend(line for key, lines in report.user_properties if key == "summary" for line in lines)


def pytest_terminal_summary(terminalreporter):
    if _SUMMARY:
        terminalreporter.section("page checks")
        for line in _SUMMARY:
            terminalreporter.write_line(line)


@pytest.fixture
def early_in_the_minute():
    """Starts the test at least five seconds before the minute turns: pages are kept for
    the minute (kompra/ops/pagecache.py), so a test that expects a kept page on its second
    request must not see the minute change in between."""
    import time

    from django.utils import timezone

    second = timezone.now().second + timezone.now().microsecond / 1e6
    if second > 55:
        time.sleep(60.2 - second)
