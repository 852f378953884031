"""Readiness indicators read from the practice cycle (activities/readiness.py): each one
just below its threshold, then at it; their labels on the stage page; the rhythm rule."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from activities.models import Activity
from activities.readiness import expected_meetings
from communities.models import Stage, StageChange
from communities.readiness import indicators_for, readiness
from tests.conftest import client_for
from tests.factories import (
    ActionPlanFactory,
    ActivityFactory,
    CommunityFactory,
    DocumentFactory,
    ProblemFactory,
    ProductFactory,
    ReflectionFactory,
)

pytestmark = pytest.mark.django_db


def days_ago(days, hours=2):
    start = timezone.now() - timedelta(days=days)
    return {"starts_at": start, "ends_at": start + timedelta(hours=hours)}


def held(community, days=7, **extra):
    return ActivityFactory(community=community, status=Activity.Status.HELD, **days_ago(days), **extra)


def result(community, key):
    community.refresh_from_db()
    found = [r for r in readiness(community) if r.indicator.key == key]
    assert len(found) == 1, f"{key} is not shown in the {community.stage} stage"
    return found[0]


def stage_change(community, coordinator):
    return StageChange.objects.create(
        community=community, from_stage=Stage.MENUMBUHKAN, to_stage=Stage.MERAWAT, changed_by=coordinator, note="Ok."
    )


# For each indicator: its stage, what builds the record just below the threshold, and
# the one more thing that reaches it.


def first_meeting_below(community, coordinator, problem):
    # Planned (even in the past) and cancelled activities are no meeting held.
    ActivityFactory(community=community, **days_ago(3))
    ActivityFactory(community=community, status=Activity.Status.CANCELLED, **days_ago(2))


def first_meeting_reach(community, coordinator, problem):
    held(community)


def rhythm_below(community, coordinator, problem):
    # Every 3 weeks over 12 weeks, one may be missed: 3 needed. Two in the window, one
    # just outside it, one planned.
    held(community, days=7)
    held(community, days=40)
    held(community, days=12 * 7 + 2)
    ActivityFactory(community=community, **days_ago(1))


def rhythm_reach(community, coordinator, problem):
    held(community, days=12 * 7 - 2)


def documented_below(community, coordinator, problem):
    # Exactly half of the four held are documented: not more than half.
    activities = [held(community, days=d) for d in (5, 10, 15, 20)]
    DocumentFactory(activity=activities[0])
    DocumentFactory(activity=activities[0])
    DocumentFactory(activity=activities[1])
    DocumentFactory(activity=ActivityFactory(community=community))  # a planned one does not count


def documented_reach(community, coordinator, problem):
    DocumentFactory(activity=community.activities.held().order_by("starts_at").first())


def reflected_below(community, coordinator, problem):
    activities = [held(community, days=d) for d in (5, 10, 15, 20)]
    ReflectionFactory(activity=activities[0])
    ReflectionFactory(activity=activities[0])
    ReflectionFactory(activity=activities[1])
    # Reflections on other things are not reflections after a meeting.
    ReflectionFactory(activity=None, action_plan=ActionPlanFactory(problem=problem))


def reflected_reach(community, coordinator, problem):
    ReflectionFactory(activity=community.activities.held().order_by("starts_at").first())


def action_plan_below(community, coordinator, problem):
    ActionPlanFactory(problem=problem_elsewhere(community))


def action_plan_reach(community, coordinator, problem):
    ActionPlanFactory(problem=problem, owner=coordinator)


def problem_elsewhere(community):
    """A problem of another community of the same school."""
    return ProblemFactory(community=CommunityFactory(home_school=community.home_school))


def sustained_below(community, coordinator, problem):
    # Months are 30-day steps back from now: activity in months 0-4, and in month 6,
    # but none in month 5.
    for month in (0, 1, 2, 3, 4, 6):
        held(community, days=30 * month + 10)
    ActivityFactory(community=community, **days_ago(30 * 5 + 10))  # planned, never held


def sustained_reach(community, coordinator, problem):
    held(community, days=30 * 5 + 10)


def self_reflection_below(community, coordinator, problem):
    change = stage_change(community, coordinator)
    ReflectionFactory(
        activity=None, stage_change=change, author=coordinator, created_at=timezone.now() - timedelta(days=183)
    )
    ReflectionFactory(activity=held(community), author=coordinator)  # on a meeting, not on the community


def self_reflection_reach(community, coordinator, problem):
    change = StageChange.objects.get(community=community)
    ReflectionFactory(
        activity=None, stage_change=change, author=coordinator, created_at=timezone.now() - timedelta(days=181)
    )


def products_below(community, coordinator, problem):
    with_files = ProductFactory(community=community, created_by=coordinator)
    DocumentFactory(activity=None, product=with_files)
    DocumentFactory(activity=None, product=with_files, kind="file")
    ProductFactory(community=community, created_by=coordinator)  # no files


def products_reach(community, coordinator, problem):
    product = community.products.filter(documents__isnull=True).get()
    DocumentFactory(activity=None, product=product, kind="file")


INDICATORS = {
    "first_meeting": (Stage.MERINTIS, first_meeting_below, first_meeting_reach, ("0 held", "1 held")),
    "rhythm_kept": (Stage.MENUMBUHKAN, rhythm_below, rhythm_reach, ("2 of 3 held", "3 of 3 held")),
    "documented": (Stage.MENUMBUHKAN, documented_below, documented_reach, ("2 of 4 documented", "3 of 4 documented")),
    "reflected": (
        Stage.MENUMBUHKAN,
        reflected_below,
        reflected_reach,
        ("2 of 4 with a reflection", "3 of 4 with a reflection"),
    ),
    "action_plan": (Stage.MENUMBUHKAN, action_plan_below, action_plan_reach, ("0 action plan(s)", "1 action plan(s)")),
    "sustained": (Stage.MERAWAT, sustained_below, sustained_reach, ("5 of 6 months", "6 of 6 months")),
    "self_reflection": (Stage.MERAWAT, self_reflection_below, self_reflection_reach, ("0 written", "1 written")),
    "products": (Stage.MERAWAT, products_below, products_reach, ("1 product(s) with files", "2 product(s) with files")),
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("key", sorted(INDICATORS))
def test_indicator_flips_at_its_threshold(key, community, coordinator, problem):
    stage, below, reach, (detail_below, detail_at) = INDICATORS[key]
    type(community).objects.filter(pk=community.pk).update(stage=stage)
    below(community, coordinator, problem)
    before = result(community, key)
    assert (before.met, str(before.detail)) == (False, detail_below)
    reach(community, coordinator, problem)
    after = result(community, key)
    assert (after.met, str(after.detail)) == (True, detail_at)


def test_indicators_do_not_count_another_communitys_records(community, coordinator, problem, school):
    other = CommunityFactory(home_school=school)
    for month in range(6):
        held(other, days=30 * month + 10)
    ActionPlanFactory(problem=problem_elsewhere(community))
    for stage in (Stage.MERINTIS, Stage.MENUMBUHKAN):
        type(community).objects.filter(pk=community.pk).update(stage=stage)
        keys = {"first_meeting", "rhythm_kept", "action_plan"}
        assert not any(r.met for r in readiness(community) if r.indicator.key in keys)


LABELS = {
    Stage.MERINTIS: {"first_meeting": "A first meeting held"},
    Stage.MENUMBUHKAN: {
        "rhythm_kept": "Meetings held on the agreed rhythm over the last 12 weeks (allowing one missed, at least 3)",
        "documented": "Documentation after most meetings (more than half of those held)",
        "reflected": "Reflections after most meetings (more than half of those held)",
        "action_plan": "At least one action plan",
    },
    Stage.MERAWAT: {
        "sustained": "Activity in each of the last 6 months",
        "self_reflection": "A reflection on the community itself (on a stage change) in the last six months",
        "products": "Members' products documented (at least two)",
    },
}


@pytest.mark.parametrize("stage", list(LABELS))
def test_stage_page_states_each_indicator_with_its_threshold(stage, community, member):
    type(community).objects.filter(pk=community.pk).update(stage=stage)
    held(community)
    client = client_for(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("communities:stage", args=[community.slug])).content.decode()
    for key, label in LABELS[stage].items():
        assert f'data-indicator="{key}"' in page
        assert escape(label) in page
    # Every indicator this app registers for the stage has its label checked here.
    registered = {i.key for i in indicators_for(stage) if i.check.__module__ == "activities.readiness"}
    assert registered == set(LABELS[stage])


@pytest.mark.parametrize(("rhythm", "expected"), [(1, 11), (2, 5), (3, 3), (4, 3), (12, 3), (None, 3)])
def test_expected_meetings_in_12_weeks(rhythm, expected):
    community = CommunityFactory.build(rhythm_weeks=rhythm)
    assert expected_meetings(community) == expected


def test_expected_meetings_over_a_longer_window():
    assert expected_meetings(CommunityFactory.build(rhythm_weeks=2), weeks=24) == 11
    assert expected_meetings(CommunityFactory.build(rhythm_weeks=4), weeks=24) == 5
