"""The benchmark district (`manage.py seed_scale`): the sizes its docstring promises,
people who can sign in, and a refusal to build twice or at a scale out of range."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from activities.models import Activity, Attendance
from communities.models import Community, Membership
from kompra.accounts.models import School
from kompra.management.commands import seed_scale
from publishing.models import Publication


@pytest.mark.django_db(transaction=True)  # it gathers planner statistics (VACUUM on PostgreSQL)
def test_one_x_is_the_promised_district_and_its_people_sign_in():
    call_command("seed_scale", scale=1, quiet=True)
    schools = seed_scale.SCHOOLS
    communities = schools * seed_scale.COMMUNITIES
    assert School.objects.count() == schools
    assert Community.objects.count() == communities
    assert Activity.objects.count() == communities * seed_scale.ACTIVITIES
    assert Activity.objects.filter(status="planned").count() == communities * seed_scale.PLANNED
    assert Membership.objects.filter(status="active").count() == communities * seed_scale.MEMBERS
    assert Attendance.objects.exists()
    assert Publication.objects.filter(community__isnull=False).values("community").distinct().count() == communities
    client = Client()
    response = client.post("/akun/login/", {"login": seed_scale.teacher_email(0, 0), "password": seed_scale.PASSWORD})
    assert response.status_code == 302
    assert client.get("/dasbor/").status_code == 200
    with pytest.raises(CommandError, match="already holds"):
        call_command("seed_scale", scale=1, quiet=True)
    assert School.objects.count() == schools


@pytest.mark.parametrize("scale", [0, 1001])
@pytest.mark.django_db
def test_a_scale_out_of_range_is_refused(scale):
    with pytest.raises(CommandError, match="between 1 and 1000"):
        call_command("seed_scale", scale=scale, quiet=True)
    assert not School.objects.exists()
