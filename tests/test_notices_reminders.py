"""Reminders and the weekly digest, by travelling in time: each goes out once, not before
its moment, not after a cancellation or leaving, not when the person turned it off, and at
the right local hour in WIB, WITA and WIT. The tick is `notices.tick.tick`, as
`manage.py notices_tick` runs it every few minutes."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from activities.models import Activity
from communities import services as community_services
from communities.models import Membership
from notices.models import Digest, Notice
from notices.registry import Mode
from notices.services import preference_set
from notices.tick import tick
from tests.factories import (
    ActionPlanFactory,
    ActivityFactory,
    AttendanceFactory,
    CommunityFactory,
    MembershipFactory,
    ProblemFactory,
    PublicationFactory,
    ReflectionFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Thursday 11 June 2026, 07:00 UTC = 14:00 WIB, 15:00 WITA, 16:00 WIT.
MEETING = datetime(2026, 6, 11, 7, 0, tzinfo=UTC)
ZONES = {"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9}


def utc(local_day, local_hour, zone):
    """A local time in one of the three zones, as UTC."""
    return datetime(local_day.year, local_day.month, local_day.day, local_hour, tzinfo=UTC) - timedelta(
        hours=ZONES[zone]
    )


def at(moment):
    return time_machine.travel(moment, tick=False)


def kinds_of(user, kind=None):
    notices = Notice.objects.filter(recipient=user)
    if kind:
        notices = notices.filter(kind=kind)
    return list(notices.values_list("kind", flat=True))


@pytest.fixture
def meeting(community, coordinator, member):
    with at(MEETING - timedelta(days=10)):
        return ActivityFactory(
            community=community, proposed_by=coordinator, starts_at=MEETING, ends_at=MEETING + timedelta(hours=2)
        )


@pytest.mark.parametrize("zone", sorted(ZONES))
def test_day_before_reminder_at_four_in_the_afternoon_local_time(zone, meeting, member):
    member.time_zone = zone
    member.save()
    moment = utc(date(2026, 6, 10), 16, zone)
    with at(moment - timedelta(minutes=1)):
        tick()
    assert kinds_of(member, "reminder_day_before") == []
    with at(moment + timedelta(minutes=1)):
        tick()
        tick()  # a second tick, or a second ticker, changes nothing
    notice = Notice.objects.get(recipient=member, kind="reminder_day_before")
    local = {"Asia/Jakarta": "14.00 WIB", "Asia/Makassar": "15.00 WITA", "Asia/Jayapura": "16.00 WIT"}[zone]
    assert local in notice.title
    with at(moment + timedelta(hours=1)):
        tick()
    assert kinds_of(member, "reminder_day_before") == ["reminder_day_before"]


def test_hour_before_reminder_once_and_not_before(meeting, member, coordinator):
    with at(MEETING - timedelta(minutes=61)):
        tick()
    assert kinds_of(member, "reminder_hour_before") == []
    for minutes in (59, 30, 5):
        with at(MEETING - timedelta(minutes=minutes)):
            tick()
    assert kinds_of(member, "reminder_hour_before") == ["reminder_hour_before"]
    assert kinds_of(coordinator, "reminder_hour_before") == ["reminder_hour_before"]
    with at(MEETING + timedelta(minutes=5)):
        tick()
    assert Notice.objects.filter(kind="reminder_hour_before").count() == 2


def test_no_reminder_after_cancellation(meeting, member):
    Activity.objects.filter(pk=meeting.pk).update(status=Activity.Status.CANCELLED)
    for moment in (utc(date(2026, 6, 10), 16, "Asia/Jakarta"), MEETING - timedelta(minutes=30)):
        with at(moment):
            tick()
    assert Notice.objects.filter(kind__startswith="reminder").count() == 0


def test_no_reminder_after_leaving(meeting, member, community):
    membership = Membership.objects.get(user=member, community=community)
    community_services.membership_end(membership=membership, by=member)
    with at(MEETING - timedelta(minutes=30)):
        tick()
    assert kinds_of(member, "reminder_hour_before") == []
    assert Notice.objects.filter(kind="reminder_hour_before").count() == 1  # the coordinator's


def test_no_reminder_when_the_preference_is_off(meeting, member, coordinator):
    preference_set(user=member, kind="reminder_hour_before", mode=Mode.OFF)
    with at(MEETING - timedelta(minutes=30)):
        tick()
    assert kinds_of(member, "reminder_hour_before") == []
    assert kinds_of(coordinator, "reminder_hour_before") == ["reminder_hour_before"]


def test_a_tick_down_for_hours_drops_stale_reminders(meeting, member, settings):
    settings.KOMPRA_NOTICE_LATENESS_MINUTES = 120
    # The day-before moment (16:00 WIB) passed five hours ago: too late to say "tomorrow".
    with at(utc(date(2026, 6, 10), 21, "Asia/Jakarta")):
        tick()
    assert kinds_of(member, "reminder_day_before") == []
    # The hour-before moment is still in the future then, and comes in time.
    with at(MEETING - timedelta(minutes=50)):
        tick()
    assert kinds_of(member, "reminder_hour_before") == ["reminder_hour_before"]


def test_moved_activity_is_reminded_at_its_new_time(meeting, member):
    with at(MEETING - timedelta(minutes=30)):
        tick()
        new_start = MEETING + timedelta(days=1)
        Activity.objects.filter(pk=meeting.pk).update(starts_at=new_start, ends_at=new_start + timedelta(hours=2))
    with at(new_start - timedelta(minutes=30)):
        tick()
    assert kinds_of(member, "reminder_hour_before") == ["reminder_hour_before"] * 2


@pytest.mark.parametrize("zone", sorted(ZONES))
def test_action_due_in_two_days_and_overdue_at_seven_local(zone, community, member):
    member.time_zone = zone
    member.save()
    due = date(2026, 6, 15)
    plan = ActionPlanFactory(problem=ProblemFactory(community=community), owner=member, due=due)
    due_soon = utc(due - timedelta(days=2), 7, zone)
    with at(due_soon - timedelta(minutes=1)):
        tick()
    assert kinds_of(member) == []
    with at(due_soon + timedelta(minutes=1)):
        tick()
        tick()
    assert kinds_of(member) == ["action_due"]
    overdue = utc(due + timedelta(days=1), 7, zone)
    with at(overdue + timedelta(minutes=3)):
        tick()
    assert sorted(kinds_of(member)) == ["action_due", "action_overdue"]
    # Done: no more reminders, whatever comes.
    plan.status = "done"
    plan.save()
    with at(overdue + timedelta(days=1)):
        tick()
    assert len(kinds_of(member)) == 2


def test_reflection_prompt_the_day_after_to_those_who_attended(community, coordinator, member, school):
    absent = UserFactory(school=school)
    MembershipFactory(user=absent, community=community)
    with at(MEETING - timedelta(days=3)):
        held = ActivityFactory(
            community=community, proposed_by=coordinator, starts_at=MEETING, ends_at=MEETING + timedelta(hours=2)
        )
    Activity.objects.filter(pk=held.pk).update(status=Activity.Status.HELD)
    AttendanceFactory(activity=held, user=member)
    AttendanceFactory(activity=held, user=absent, status="absent")
    AttendanceFactory(activity=held, user=coordinator)
    ReflectionFactory(activity=held, community=community, author=coordinator)
    next_morning = utc(date(2026, 6, 12), 9, "Asia/Jakarta")
    with at(next_morning - timedelta(minutes=5)):
        tick()
    assert Notice.objects.filter(kind="reflection_prompt").count() == 0
    for minutes in (5, 10, 60):
        with at(next_morning + timedelta(minutes=minutes)):
            tick()
    assert kinds_of(member) == ["reflection_prompt"]
    assert kinds_of(absent) == []
    assert kinds_of(coordinator) == []  # already reflected


def test_tick_command_runs(meeting, member):
    with at(MEETING - timedelta(minutes=30)):
        call_command("notices_tick", verbosity=0)
    assert kinds_of(member, "reminder_hour_before") == ["reminder_hour_before"]


# --- The weekly digest --------------------------------------------------------------------

MONDAY = date(2026, 6, 8)


@pytest.fixture
def busy_week(community, coordinator, member):
    """A meeting this week, an action of the member due, a new problem and publication."""
    with at(utc(MONDAY, 5, "Asia/Jakarta") - timedelta(days=2)):
        ActivityFactory(
            community=community,
            proposed_by=coordinator,
            title="Bedah buku cerita",
            starts_at=utc(MONDAY + timedelta(days=3), 14, "Asia/Jakarta"),
            ends_at=utc(MONDAY + timedelta(days=3), 16, "Asia/Jakarta"),
        )
        problem = ProblemFactory(community=community, raised_by=coordinator, title="Siswa enggan bertanya")
        ActionPlanFactory(problem=problem, owner=member, due=MONDAY + timedelta(days=4), what="Kartu pertanyaan")
        PublicationFactory(community=community, title="Pojok baca kelas 2")


def send_digests(moment, run_tasks):
    with at(moment):
        tick()
        run_tasks()


def test_digest_monday_morning_with_the_weeks_news(busy_week, member, mailoutbox, run_tasks, settings):
    send_digests(utc(MONDAY, 5, "Asia/Jakarta") + timedelta(minutes=55), run_tasks)
    assert [m for m in mailoutbox if m.to == [member.email]] == []  # 05:55 WIB: not yet
    send_digests(utc(MONDAY, 6, "Asia/Jakarta") + timedelta(minutes=5), run_tasks)
    mine = [m for m in mailoutbox if m.to == [member.email]]
    assert len(mine) == 1
    body = mine[0].body
    for text in ("Bedah buku cerita", "Kartu pertanyaan", "Siswa enggan bertanya", "Pojok baca kelas 2", "Kompra"):
        assert text in body
    assert settings.KOMPRA_BASE_URL in body
    assert mine[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Later ticks the same morning send nothing more.
    send_digests(utc(MONDAY, 7, "Asia/Jakarta"), run_tasks)
    assert len([m for m in mailoutbox if m.to == [member.email]]) == 1
    assert Digest.objects.get(user=member).status == Digest.Status.SENT


def test_digest_follows_each_zone(busy_week, member, coordinator, mailoutbox, run_tasks):
    member.time_zone = "Asia/Jayapura"
    member.save()
    # 06:05 WIT is 04:05 WIB: the member's Monday morning, not yet the coordinator's.
    send_digests(utc(MONDAY, 6, "Asia/Jayapura") + timedelta(minutes=5), run_tasks)
    assert [m.to for m in mailoutbox] == [[member.email]]
    send_digests(utc(MONDAY, 6, "Asia/Jakarta") + timedelta(minutes=5), run_tasks)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([member.email, coordinator.email])


def test_empty_digest_is_not_sent(mailoutbox, run_tasks):
    lonely = UserFactory(school=SchoolFactory())
    send_digests(utc(MONDAY, 6, "Asia/Jakarta") + timedelta(minutes=5), run_tasks)
    assert mailoutbox == []
    assert Digest.objects.get(user=lonely).status == Digest.Status.EMPTY


def test_digest_off_means_none(busy_week, member, mailoutbox, run_tasks):
    preference_set(user=member, kind="digest", mode=Mode.OFF)
    send_digests(utc(MONDAY, 6, "Asia/Jakarta") + timedelta(minutes=5), run_tasks)
    assert member.email not in [m.to[0] for m in mailoutbox]


def test_notices_chosen_for_the_digest_are_in_it_once(community, coordinator, member, mailoutbox, run_tasks):
    # New problems go to the digest by default.
    with at(utc(MONDAY, 6, "Asia/Jakarta") - timedelta(days=2)):
        community_services.problem_raise(community=community, by=coordinator, title="Buku bacaan kurang")
    assert Notice.objects.get(recipient=member, kind="problem_new").email_status == Notice.Email.DIGEST
    send_digests(utc(MONDAY, 6, "Asia/Jakarta") + timedelta(minutes=5), run_tasks)
    assert Notice.objects.get(recipient=member, kind="problem_new").email_status == Notice.Email.DIGESTED
    body = next(m.body for m in mailoutbox if m.to == [member.email])
    assert body.count("Buku bacaan kurang") == 1  # in its section, not again as a notice


def test_digest_retries_when_the_mail_server_fails(busy_week, member, mailoutbox, run_tasks):
    from unittest import mock

    start = utc(MONDAY, 6, "Asia/Jakarta") + timedelta(minutes=5)
    failing = mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("down"))
    with failing:
        send_digests(start, run_tasks)
    assert mailoutbox == []
    assert not Digest.objects.filter(status=Digest.Status.SENT).exists()
    send_digests(start + timedelta(seconds=30), run_tasks)
    assert mailoutbox == []  # the retry waits (backoff: a minute, then longer)
    send_digests(start + timedelta(minutes=2), run_tasks)
    assert member.email in [m.to[0] for m in mailoutbox]
    send_digests(start + timedelta(hours=3), run_tasks)
    assert len([m for m in mailoutbox if m.to == [member.email]]) == 1


def test_tick_down_all_monday_sends_no_digest(busy_week, mailoutbox, run_tasks):
    send_digests(utc(MONDAY, 18, "Asia/Jakarta"), run_tasks)
    assert mailoutbox == []


def test_digest_for_a_community_of_another_zone(run_tasks, mailoutbox):
    """A member in WITA of a community whose other members are in WIB gets theirs at 06:00 WITA."""
    school = SchoolFactory()
    community = CommunityFactory(home_school=school)
    person = UserFactory(school=school, time_zone="Asia/Makassar")
    MembershipFactory(user=person, community=community)
    with at(utc(MONDAY, 6, "Asia/Makassar") - timedelta(days=1)):
        ProblemFactory(community=community, title="Jam pelajaran padat")
    send_digests(utc(MONDAY, 6, "Asia/Makassar") + timedelta(minutes=1), run_tasks)
    assert [m.to for m in mailoutbox] == [[person.email]]


def test_coordinators_digest_counts_the_readiness_steps_met(
    busy_week, community, coordinator, member, mailoutbox, run_tasks
):
    from communities.readiness import readiness_many

    checks = readiness_many([community])[community.pk]
    met = sum(1 for check in checks if check.met)
    send_digests(utc(MONDAY, 6, "Asia/Jakarta") + timedelta(minutes=5), run_tasks)
    (theirs,) = [m for m in mailoutbox if m.to == [coordinator.email]]
    (members,) = [m for m in mailoutbox if m.to == [member.email]]
    line = f"{community.name}: {met} dari {len(checks)} indikator kesiapan terpenuhi"
    assert checks and line in theirs.body
    assert "indikator kesiapan" not in members.body
