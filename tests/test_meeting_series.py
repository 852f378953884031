"""Recurring meetings: a coordinator plans the next N meetings in one step, in the local
time of the community's home school; each is independent afterwards."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from activities.models import Activity
from notices.models import Notice
from tests.html import Page

pytestmark = pytest.mark.django_db

# Friday 4 December 2026, morning in every Indonesian zone.
NOW = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)


def series_url(community):
    return reverse("activities:plan_series", args=[community.slug])


def plan(**overrides):
    data = {
        "title": "Pertemuan rutin",
        "weekday": "3",  # Thursday
        "starts": "14:00",
        "ends": "15:30",
        "place": "Perpustakaan",
        "every_weeks": "2",
        "count": "4",
        "first_day": "2026-12-05",
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_preview_lists_the_dates_with_a_box_to_skip_each(login, community, coordinator):
    response = login(coordinator).post(series_url(community), plan(preview="1"))
    assert response.status_code == 200
    assert [d.isoformat() for d in response.context["dates"]] == [
        "2026-12-10",
        "2026-12-24",
        "2027-01-07",
        "2027-01-21",
    ]
    page = Page(response.content.decode())
    assert not Activity.objects.exists()
    assert "Lewati" in page.text


@pytest.mark.parametrize(
    ("zone", "utc_hour"),
    [("Asia/Jakarta", 7), ("Asia/Makassar", 6), ("Asia/Jayapura", 5)],
)
def test_meetings_are_stored_at_the_schools_local_time(login, community, coordinator, zone, utc_hour):
    community.home_school.time_zone = zone
    community.home_school.save()
    # The coordinator's own time zone does not matter: the school's does.
    coordinator.time_zone = "Asia/Jayapura" if zone == "Asia/Jakarta" else "Asia/Jakarta"
    coordinator.save()
    response = login(coordinator).post(series_url(community), plan(create="1"))
    assert response.status_code == 302
    meetings = list(Activity.objects.order_by("starts_at"))
    assert len(meetings) == 4
    for meeting, day in zip(meetings, (10, 24, 7, 21), strict=True):
        assert meeting.starts_at.astimezone(UTC).hour == utc_hour
        assert meeting.starts_at.astimezone(UTC).minute == 0
        assert meeting.ends_at - meeting.starts_at == timedelta(minutes=90)
        assert meeting.starts_at.day == day
        assert (meeting.kind, meeting.status, meeting.place) == ("meeting", "planned", "Perpustakaan")
        assert meeting.proposed_by == coordinator


def test_skipped_dates_are_not_planned(login, community, coordinator):
    response = login(coordinator).post(series_url(community), plan(create="1", skip=["2026-12-24", "1999-01-01"]))
    assert response.status_code == 302
    days = [a.starts_at.date() for a in Activity.objects.order_by("starts_at")]
    assert days == [date(2026, 12, 10), date(2027, 1, 7), date(2027, 1, 21)]


def test_cancelling_one_meeting_leaves_the_rest(login, community, coordinator):
    login(coordinator).post(series_url(community), plan(create="1"))
    first, *rest = Activity.objects.order_by("starts_at")
    before = [(a.pk, a.starts_at, a.title, a.status) for a in rest]
    response = login(coordinator).post(
        reverse("activities:status", args=[community.slug, first.uid]), {"status": "cancelled"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "cancelled"
    assert [
        (a.pk, a.starts_at, a.title, a.status) for a in Activity.objects.exclude(pk=first.pk).order_by("starts_at")
    ] == before
    # Changing another moves only that one.
    second = rest[0]
    second.place = "Ruang guru"
    second.save()
    assert Activity.objects.filter(place="Perpustakaan").count() == 3


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends": "13:00"}, "ends"),
        ({"count": "0"}, "count"),
        ({"count": "27"}, "count"),
        ({"every_weeks": "0"}, "every_weeks"),
        ({"first_day": "2026-12-01"}, "first_day"),  # in the past
        ({"weekday": "9"}, "weekday"),
        ({"starts": "25:00"}, "starts"),
    ],
)
def test_bad_plans_are_refused_and_nothing_is_planned(login, community, coordinator, overrides, field):
    response = login(coordinator).post(series_url(community), plan(create="1", **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Activity.objects.exists()


def test_skipping_every_date_plans_nothing(login, community, coordinator):
    days = ["2026-12-10", "2026-12-24", "2027-01-07", "2027-01-21"]
    response = login(coordinator).post(series_url(community), plan(create="1", skip=days))
    assert response.status_code == 200
    assert "tidak ada yang direncanakan" in response.content.decode()
    assert not Activity.objects.exists()


def test_the_plan_starts_from_the_communitys_rhythm(login, community, coordinator):
    community.rhythm_weeks = 3
    community.save()
    form = login(coordinator).get(series_url(community)).context["form"]
    assert form.initial["every_weeks"] == 3
    page = login(coordinator).get(reverse("activities:list", args=[community.slug])).content.decode()
    assert series_url(community) in page


def test_members_are_told_once(login, community, coordinator, member):
    login(coordinator).post(series_url(community), plan(create="1"))
    assert Notice.objects.filter(recipient=member, kind="activity_planned").count() == 1
