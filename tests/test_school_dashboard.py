"""The school dashboard, its printable report and the activities export: who may open
them, each health flag around its threshold, the filters, the month chart, community-level
figures only, and a query count that does not grow with the number of communities."""

import csv
import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import ActionPlan, Activity, Attendance, Document, Reflection
from communities.models import Community, Membership, Problem, Stage, StageChange
from kompra.accounts.models import School, User
from schools import selectors
from schools.forms import default_period
from schools.models import Feedback
from schools.views import spreadsheet_safe
from tests.factories import (
    ActionPlanFactory,
    ActivityFactory,
    AttendanceFactory,
    CommunityFactory,
    DocumentFactory,
    MembershipFactory,
    ProblemFactory,
    ReflectionFactory,
    SchoolFactory,
    StageChangeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


def dashboard_url(school, **query):
    url = reverse("schools:dashboard", args=[school.npsn])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def report_url(school, **query):
    url = reverse("schools:report", args=[school.npsn])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def export_url(school):
    return reverse("schools:export_activities", args=[school.npsn])


def held(community, days_ago, **kwargs):
    """An activity of `community` held `days_ago` days ago (fractions allowed)."""
    start = timezone.now() - timedelta(days=days_ago)
    return ActivityFactory(
        community=community, status="held", starts_at=start, ends_at=start + timedelta(hours=2), **kwargs
    )


def row_for(community):
    """The dashboard's figures for one community (archived ones too)."""
    rows = selectors.school_overview(community.home_school, archived=True)
    return next(row for row in rows if row.community.pk == community.pk)


def flags_of(community):
    return row_for(community).flags


def shown_slugs(response):
    return re.findall(r'class="card h-100 community-health" data-community="([^"]+)"', response.content.decode())


# --- Who may open it ---------------------------------------------------------------------------

PAGES = {
    "dashboard": dashboard_url,
    "report": report_url,
    "export": export_url,
}

ACCESS = [
    ("anonymous", "login"),
    ("teacher", 404),
    ("other_teacher", 404),
    ("other_principal", 404),
    ("coordinator", 404),
    ("member", 404),
    ("principal", 200),
    ("staff", 200),
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("persona", "expected"), ACCESS)
def test_access(page, persona, expected, school, community, member, request, login):
    response = login(request.getfixturevalue(persona)).get(PAGES[page](school))
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("page", PAGES)
def test_a_principal_sees_only_their_own_school(page, school, other_school, principal, other_principal, login):
    """School A's principal on school B's address, and the reverse: 404, as for an unknown NPSN."""
    assert login(principal).get(PAGES[page](other_school)).status_code == 404
    assert login(other_principal).get(PAGES[page](school)).status_code == 404
    assert login(principal).get(PAGES[page](School(npsn="99999999"))).status_code == 404


def test_rule_lives_in_one_queryset(school, other_school, principal, teacher, staff):
    assert list(selectors.schools_overseen_by(principal)) == [school]
    assert list(selectors.schools_overseen_by(teacher)) == []
    assert set(selectors.schools_overseen_by(staff)) == {school, other_school}
    no_school = UserFactory(school=None, role=User.Role.PRINCIPAL)
    assert list(selectors.schools_overseen_by(no_school)) == []


@pytest.mark.parametrize("role", ["teacher", "principal", "pengawas", "dinas", "other_dinas", "other_pengawas"])
@pytest.mark.parametrize("staff_flag", [False, True])
def test_oversees_is_the_rule_for_one_school(role, staff_flag, school, other_school, request):
    """The address check (one school read by its NPSN) agrees with the queryset rule for
    every kind of person, admin or not, and for schools in and out of their oversight."""
    person = request.getfixturevalue(role)
    person.is_staff = staff_flag
    schools = [school, other_school, SchoolFactory(npsn="20499999", name="SD Negeri 7 Bantul")]
    for candidate in schools:
        listed = selectors.schools_overseen_by(person).filter(pk=candidate.pk).exists()
        assert selectors.oversees(person, candidate) == listed, (role, staff_flag, candidate.npsn)
    assert not selectors.oversees(AnonymousUser(), school)


def test_my_school_link(school, principal, teacher, staff, login):
    response = login(principal).get(reverse("schools:mine"))
    assert response.status_code == 302
    assert response["Location"] == dashboard_url(school)
    assert login(teacher).get(reverse("schools:mine")).status_code == 404
    response = login(staff).get(reverse("schools:mine"))
    assert response.status_code == 200
    assert dashboard_url(school) in response.content.decode()


# --- The health flags, each around its threshold ----------------------------------------------


@pytest.mark.parametrize(
    ("rhythm_weeks", "quiet_days", "threshold"),
    [(None, 29, 30), (None, 31, 30), (3, 41, 42), (3, 43, 42), (6, 83, 84), (6, 85, 84)],
)
def test_no_recent_meeting(rhythm_weeks, quiet_days, threshold, school):
    community = CommunityFactory(home_school=school, rhythm_weeks=rhythm_weeks)
    held(community, quiet_days)
    row = row_for(community)
    assert row.quiet_days == threshold
    assert ("tanpa-pertemuan" in row.flags) == (quiet_days > threshold)


def test_a_later_meeting_clears_the_quiet_flag(school):
    community = CommunityFactory(home_school=school, rhythm_weeks=None)
    held(community, 45)
    assert "tanpa-pertemuan" in flags_of(community)
    held(community, 3)
    assert "tanpa-pertemuan" not in flags_of(community)


def test_planned_and_cancelled_activities_are_not_meetings(school):
    community = CommunityFactory(home_school=school, rhythm_weeks=None, created_at=timezone.now() - timedelta(days=60))
    start = timezone.now() - timedelta(days=3)
    ActivityFactory(community=community, status="cancelled", starts_at=start, ends_at=start + timedelta(hours=1))
    ActivityFactory(community=community)  # planned, next week
    assert "tanpa-pertemuan" in flags_of(community)


@pytest.mark.parametrize(("founded_days_ago", "flagged"), [(29, False), (31, True)])
def test_never_met(founded_days_ago, flagged, school):
    community = CommunityFactory(
        home_school=school, rhythm_weeks=6, created_at=timezone.now() - timedelta(days=founded_days_ago)
    )
    assert ("tanpa-pertemuan" in flags_of(community)) == flagged


def test_documentation_without_reflection(school):
    community = CommunityFactory(home_school=school)
    old = held(community, 91)
    DocumentFactory(activity=old)
    assert "tanpa-refleksi" not in flags_of(community), "outside the 90 days"
    recent = held(community, 89)
    assert "tanpa-refleksi" not in flags_of(community), "no documentation, nothing to reflect on yet"
    DocumentFactory(activity=recent)
    row = row_for(community)
    assert "tanpa-refleksi" in row.flags
    assert row.unreflected == 1
    ReflectionFactory(activity=recent)
    assert "tanpa-refleksi" not in flags_of(community)


def test_single_active_member(school, community, coordinator):
    assert "satu-anggota" in flags_of(community)
    left = MembershipFactory(community=community, status=Membership.Status.LEFT)
    invited = MembershipFactory(community=community, status=Membership.Status.INVITED)
    assert "satu-anggota" in flags_of(community), (left, invited)
    MembershipFactory(community=community)
    row = row_for(community)
    assert "satu-anggota" not in row.flags
    assert row.active_members == 2


@pytest.mark.parametrize(("days", "flagged"), [(13, False), (15, True)])
def test_overdue_endorsement(days, flagged, school, community):
    StageChangeFactory(community=community, created_at=timezone.now() - timedelta(days=days))
    assert ("dukungan-tertunda" in flags_of(community)) == flagged


def test_endorsed_or_superseded_change_is_not_overdue(school, community, principal):
    change = StageChangeFactory(community=community, created_at=timezone.now() - timedelta(days=40))
    assert "dukungan-tertunda" in flags_of(community)
    change.endorsed_by, change.endorsed_at = principal, timezone.now()
    change.save()
    assert "dukungan-tertunda" not in flags_of(community)
    StageChangeFactory(
        community=community,
        from_stage=Stage.MENUMBUHKAN,
        to_stage=Stage.MERINTIS,
        created_at=timezone.now() - timedelta(days=2),
    )
    row = row_for(community)
    assert "dukungan-tertunda" not in row.flags, "the latest change is only two days old"
    assert row.pending_change.to_stage == Stage.MERINTIS


def test_thresholds_are_stated_on_the_page(school, principal, login):
    html = english(login(principal)).get(dashboard_url(school)).content.decode()
    assert "over 30 days, or for over twice the agreed rhythm" in html
    assert "in the last 90 days has documentation but no reflection" in html
    assert "Only one active member" in html
    assert "older than 14 days and not endorsed" in html


# --- The other figures ----------------------------------------------------------------------


def test_figures_of_a_community(school, community, coordinator, member, principal, login):
    community.rhythm_weeks = 2
    community.stage_since = timezone.now() - timedelta(days=10)
    community.save()
    for days in (2, 20, 40, 70):
        held(community, days)
    recent = held(community, 5)
    ReflectionFactory(activity=recent, author=member)
    ReflectionFactory(activity=recent, author=coordinator)
    problem = ProblemFactory(community=community, raised_by=coordinator)
    ActionPlanFactory(problem=problem, owner=member)
    ActionPlanFactory(problem=problem, owner=member, due=timezone.localdate() - timedelta(days=1))
    ActionPlanFactory(problem=problem, owner=member, status="done")

    row = row_for(community)
    assert row.active_members == 2
    assert (row.held_in_window, row.expected) == (5, 5)  # 12 weeks / 2 - 1 missed
    assert (row.open_actions, row.overdue_actions) == (2, 1)
    assert (row.recent_held, row.recent_reflections) == (3, 2)
    assert timezone.now() - row.last_held < timedelta(days=3)
    assert row.readiness_total >= 5 and 0 <= row.readiness_met <= row.readiness_total

    html = english(login(principal)).get(dashboard_url(school)).content.decode()
    assert "every 2 weeks" in html
    assert "5 held of 5 expected in the last 12 weeks" in html
    assert "2 open, 1 overdue" in html
    assert "2 on the 3 activities held in the last 30 days" in html
    assert f"{row.readiness_met} of {row.readiness_total} indicators met" in html


def test_pending_endorsement_can_be_endorsed_from_the_dashboard(school, community, principal, staff, login):
    change = StageChangeFactory(community=community)
    endorse = reverse("communities:stage_endorse", args=[community.slug, change.uid])
    html = login(principal).get(dashboard_url(school)).content.decode()
    assert f'action="{endorse}"' in html
    assert f'action="{endorse}"' not in login(staff).get(dashboard_url(school)).content.decode()
    assert login(principal).post(endorse).status_code == 302
    change.refresh_from_db()
    assert change.endorsed_by == principal
    assert f'action="{endorse}"' not in login(principal).get(dashboard_url(school)).content.decode()


def test_no_names_of_teachers_anywhere(school, community, coordinator, member, principal, login):
    """Figures are community-level: nobody's name, address or personal count appears."""
    activity = held(community, 3)
    AttendanceFactory(activity=activity, user=member)
    AttendanceFactory(activity=activity, user=coordinator, status="excused")
    ReflectionFactory(activity=activity, author=member)
    DocumentFactory(activity=activity, uploaded_by=member)
    ActionPlanFactory(problem=ProblemFactory(community=community, raised_by=member), owner=member)
    StageChangeFactory(community=community, changed_by=coordinator)
    Feedback.objects.create(community=community, author=principal, body="Bagus.")
    Feedback.objects.create(
        community=community, author=coordinator, body="Terima kasih.", reply_to=Feedback.objects.get()
    )
    for response in (
        login(principal).get(dashboard_url(school)),
        login(principal).get(report_url(school)),
        login(principal).get(export_url(school)),
    ):
        assert response.status_code == 200
        content = response.content.decode("utf-8-sig")
        for person in (coordinator, member):
            assert person.full_name not in content
            assert person.email not in content
            assert person.get_short_name() not in content


def test_archived_communities_behind_a_toggle(school, principal, login):
    live = CommunityFactory(home_school=school, name="Aktif")
    gone = CommunityFactory(home_school=school, name="Lama", archived=True)
    client = login(principal)
    assert shown_slugs(client.get(dashboard_url(school))) == [live.slug]
    assert shown_slugs(client.get(dashboard_url(school, arsip=1))) == [live.slug, gone.slug]


def test_filters(school, principal, login):
    quiet = CommunityFactory(home_school=school, name="A sepi", created_at=timezone.now() - timedelta(days=90))
    busy = CommunityFactory(home_school=school, name="B ramai", stage=Stage.MENUMBUHKAN)
    MembershipFactory.create_batch(2, community=busy)
    MembershipFactory(community=quiet)
    held(busy, 2)
    client = login(principal)
    assert shown_slugs(client.get(dashboard_url(school))) == [quiet.slug, busy.slug]
    assert shown_slugs(client.get(dashboard_url(school, tahap="menumbuhkan"))) == [busy.slug]
    assert shown_slugs(client.get(dashboard_url(school, tahap="merintis"))) == [quiet.slug]
    assert shown_slugs(client.get(dashboard_url(school, tanda="tanpa-pertemuan"))) == [quiet.slug]
    assert shown_slugs(client.get(dashboard_url(school, tanda="satu-anggota"))) == [quiet.slug]
    assert shown_slugs(client.get(dashboard_url(school, tanda="tanpa-refleksi"))) == []
    assert shown_slugs(client.get(dashboard_url(school, tanda="satu-anggota", tahap="menumbuhkan"))) == []
    # Unknown values are ignored rather than hiding everything.
    assert shown_slugs(client.get(dashboard_url(school, tahap="bogus", tanda="x"))) == [quiet.slug, busy.slug]
    cache.clear()  # a fresh rendering, whose context can be read (a kept page has none)
    response = client.get(dashboard_url(school))
    counts = {flag.key: n for flag, n in response.context["flag_counts"]}
    assert counts == {"tanpa-pertemuan": 1, "tanpa-refleksi": 0, "satu-anggota": 1, "dukungan-tertunda": 0}


# --- The month chart --------------------------------------------------------------------------


def _in_month(first_day, day=10):
    """A moment in the month starting `first_day`, in the past (this month: just now)."""
    moment = timezone.make_aware(datetime.combine(first_day.replace(day=day), time(10)))
    return min(moment, timezone.now() - timedelta(minutes=5))


def test_month_chart(school, community, principal, login):
    months = selectors.last_months(timezone.localdate())
    plan = {months[0]: 7, months[2]: 3, months[5]: 2}  # oldest month, two months later, this month
    for month, n in plan.items():
        for _i in range(n):
            start = _in_month(month)
            ActivityFactory(community=community, status="held", starts_at=start, ends_at=start + timedelta(hours=1))
    start = _in_month(months[1])
    ActivityFactory(community=community, status="cancelled", starts_at=start, ends_at=start + timedelta(hours=1))
    too_old = timezone.make_aware(datetime.combine(months[0], time(10))) - timedelta(days=3)
    ActivityFactory(community=community, status="held", starts_at=too_old, ends_at=too_old + timedelta(hours=1))

    html = english(login(principal)).get(dashboard_url(school)).content.decode()
    svg = re.search(r"<svg class=\"month-chart\".*?</svg>", html, re.S).group(0)
    bars = re.findall(
        r'<rect class="chart-bar" x="(\d+)" y="(\d+)" width="14" height="(\d+)".*?data-count="(\d+)"', svg
    )
    expected_counts = [plan.get(month, 0) for month in months]
    assert [int(count) for _x, _y, _h, count in bars] == expected_counts
    # 8 units a meeting, capped at 5 meetings (40): 7 fills the chart and says 7 above.
    assert [int(height) for _x, _y, height, _c in bars] == [40, 0, 24, 0, 0, 16]
    assert [int(y) + int(h) for _x, y, h, _c in bars] == [50] * 6, "bars stand on the baseline"
    assert [int(x) for x, _y, _h, _c in bars] == [3, 23, 43, 63, 83, 103]
    assert re.search(r'<text class="chart-count" x="10" y="8"[^>]*>7</text>', svg)
    assert "<title>Activities held per month: " in svg
    label = re.search(r'aria-label="([^"]+)"', svg).group(1)
    for month in months:
        assert f"{month:%B %Y}: {plan.get(month, 0)}" in label
    assert 'role="img"' in svg
    assert "style" not in svg
    assert " style=" not in html, "the CSP forbids inline styles"


# --- One page, a fixed number of queries ------------------------------------------------------


def build_school(n_communities):
    """A school with `n_communities` communities and six months of life in each: members,
    two activities a month with attendance, documentation on half and reflections on a
    third, problems with action plans, a stage change each (every other one endorsed) and
    a feedback thread with a reply. Rows go in with bulk_create."""
    npsn = f"{40000000 + n_communities:08d}"
    school = School.objects.create(npsn=npsn, name=f"SMP Uji {n_communities}", level="smp", district="D", province="P")
    password = make_password(None)
    principal = User.objects.create(
        email=f"kepsek{npsn}@uji.id", full_name="Kepala", school=school, role=User.Role.PRINCIPAL, password=password
    )
    teachers = User.objects.bulk_create(
        User(email=f"guru{i}.{npsn}@uji.id", full_name=f"Guru {i}", school=school, password=password) for i in range(6)
    )
    now = timezone.now()
    communities = Community.objects.bulk_create(
        Community(
            slug=f"uji-{npsn}-{i}",
            name=f"Komunitas {i:03d}",
            concern="Membaca.",
            rhythm_weeks=2,
            home_school=school,
            stage=Stage.values[i % 3],
            created_at=now - timedelta(days=400),
        )
        for i in range(n_communities)
    )
    Membership.objects.bulk_create(
        Membership(
            user=teacher,
            community=community,
            role=Membership.Role.COORDINATOR if position == 0 else Membership.Role.MEMBER,
            joined_at=now - timedelta(days=300),
        )
        for community in communities
        for position, teacher in enumerate(teachers[:4])
    )
    activities = Activity.objects.bulk_create(
        Activity(
            community=community,
            title=f"Pertemuan {n}",
            starts_at=now - timedelta(days=3 + 15 * n),
            ends_at=now - timedelta(days=3 + 15 * n) + timedelta(hours=2),
            status=Activity.Status.HELD,
            proposed_by=teachers[0],
        )
        for community in communities
        for n in range(12)
    )
    Attendance.objects.bulk_create(
        Attendance(activity=activity, user=teacher, status=Attendance.Status.PRESENT)
        for activity in activities
        for teacher in teachers[:3]
    )
    Document.objects.bulk_create(
        Document(
            community_id=activity.community_id,
            activity=activity,
            kind=Document.Kind.FILE,
            file="documents/x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            uploaded_by=teachers[1],
        )
        for activity in activities[::2]
    )
    Reflection.objects.bulk_create(
        Reflection(community_id=a.community_id, activity=a, author=teachers[2], answers={"text": "Baik."})
        for a in activities[::3]
    )
    problems = Problem.objects.bulk_create(
        Problem(community=community, title="Membaca", raised_by=teachers[1]) for community in communities
    )
    ActionPlan.objects.bulk_create(
        ActionPlan(
            community_id=problem.community_id,
            problem=problem,
            what="Membaca berpasangan",
            owner=teachers[1],
            created_by=teachers[1],
            due=timezone.localdate() + timedelta(days=days),
        )
        for problem in problems
        for days in (-3, 7)
    )
    changes = StageChange.objects.bulk_create(
        StageChange(
            community=community,
            from_stage=Stage.MERINTIS,
            to_stage=Stage.MENUMBUHKAN,
            changed_by=teachers[0],
            note="Siap.",
            created_at=now - timedelta(days=20 + i),
            endorsed_by=principal if i % 2 else None,
            endorsed_at=now if i % 2 else None,
        )
        for i, community in enumerate(communities)
    )
    threads = Feedback.objects.bulk_create(
        Feedback(community=change.community, stage_change=change, author=principal, body="Bagus.") for change in changes
    )
    Feedback.objects.bulk_create(
        Feedback(community=t.community, stage_change=t.stage_change, reply_to=t, author=teachers[0], body="Siap.")
        for t in threads[::2]
    )
    return school, principal


# The count, measured: session and user (2), the school (1), the data versions of its
# communities (1, the key of the kept page, kompra/ops/pagecache.py), the communities (1), the
# readiness facts (8: memberships, problems, three for activities, three for action plans,
# self-reflections and products), and the dashboard's own aggregates (6: months, action
# plans, recent activities, reflections on them, latest stage changes, feedback).
DASHBOARD_QUERIES = 20  # and the bell's unread count (1)


def test_query_count_does_not_grow_with_communities(db, django_assert_max_num_queries):
    counts = []
    for n in (5, 50):
        school, principal = build_school(n)
        client = english(_client(principal))
        with django_assert_max_num_queries(DASHBOARD_QUERIES), CaptureQueriesContext(connection) as captured:
            response = client.get(dashboard_url(school))
        assert response.status_code == 200
        assert len(shown_slugs(response)) == n
        counts.append(len(captured))
    assert counts[0] == counts[1], f"{counts[0]} queries for 5 communities, {counts[1]} for 50"


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# --- The printable report ---------------------------------------------------------------------


def local(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_report_figures_for_a_period(school, community, coordinator, member, principal, login):
    start, end = date(2026, 1, 1), date(2026, 3, 31)
    community.created_at = local(date(2025, 6, 1))
    community.save()
    Membership.objects.filter(community=community).update(joined_at=local(date(2025, 7, 1)))
    MembershipFactory(community=community, joined_at=local(date(2026, 2, 1)))  # joined in the period
    MembershipFactory(community=community, joined_at=local(date(2026, 5, 1)))  # after: not counted
    MembershipFactory(  # left after the period: a member at its end
        community=community,
        status=Membership.Status.LEFT,
        joined_at=local(date(2025, 8, 1)),
        left_at=local(end) + timedelta(days=30),
    )
    MembershipFactory(  # left during the period: not a member at its end
        community=community,
        status=Membership.Status.LEFT,
        joined_at=local(date(2025, 8, 1)),
        left_at=local(date(2026, 2, 1)),
    )

    def activity(day, status="held"):
        return ActivityFactory(
            community=community, status=status, starts_at=local(day), ends_at=local(day) + timedelta(hours=2)
        )

    first, second = (
        activity(
            start,
        ),
        activity(date(2026, 2, 10)),
    )
    activity(date(2026, 3, 31))  # the last day is included
    activity(date(2025, 12, 31))  # before
    activity(date(2026, 4, 1))  # after
    activity(date(2026, 3, 3), status="cancelled")
    DocumentFactory(activity=first)
    DocumentFactory(activity=first)
    DocumentFactory(activity=second)
    ReflectionFactory(activity=first, author=member)
    StageChangeFactory(
        community=community,
        created_at=local(date(2026, 2, 15)),
        endorsed_by=principal,
        endorsed_at=local(date(2026, 2, 16)),
    )
    StageChangeFactory(community=community, created_at=local(date(2026, 4, 15)))
    other = CommunityFactory(home_school=school, name="Didirikan kemudian", created_at=local(date(2026, 6, 1)))

    response = english(login(principal)).get(report_url(school, dari="2026-01-01", sampai="2026-03-31"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.community for row in rows] == [community], f"{other} was founded after the period"
    row = rows[0]
    assert (row.held, row.documented, row.reflected, row.cancelled) == (3, 2, 1, 1)
    assert (row.members, row.joined) == (4, 1)  # coordinator, member, joined in Feb, left later
    assert row.stage_changes == 1
    html = response.content.decode()
    assert "Period: 1 January 2026 to 31 March 2026" in html
    assert 'data-figure="held">3<' in html
    assert "endorsed on 16 Feb 2026" in html
    assert "css/school.css" in html


def test_report_default_period_is_the_last_six_months(school, principal, login):
    response = login(principal).get(report_url(school))
    assert response.status_code == 200
    start, end = default_period()
    assert (response.context["start"], response.context["end"]) == (start, end)
    assert start.day == 1 and (end.year - start.year) * 12 + end.month - start.month == 5


@pytest.mark.parametrize(
    ("dari", "sampai", "message"),
    [
        ("2026-03-01", "2026-02-28", "must not be before its start"),
        ("2020-01-01", "2023-01-01", "at most 3 years"),
        ("2026-13-01", "2026-12-01", "Enter a valid date"),
        ("kemarin", "2026-12-01", "Enter a valid date"),
        ("1900-01-01", "1900-02-01", "between the years 2000 and 2100"),
    ],
)
def test_bad_period_computes_nothing(dari, sampai, message, school, community, principal, login):
    with CaptureQueriesContext(connection) as captured:
        response = english(login(principal)).get(report_url(school, dari=dari, sampai=sampai))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "rows" not in response.context
    assert not [q for q in captured.captured_queries if "activities_activity" in q["sql"]]


def test_exactly_three_years_is_allowed(school, principal, login):
    assert login(principal).get(report_url(school, dari="2023-01-01", sampai="2025-12-31")).status_code == 200


# --- The activities export --------------------------------------------------------------------


def test_export_activities(school, other_school, community, coordinator, member, principal, login):
    activity = held(community, 3, title="Membaca berpasangan", kind="share_practice")
    AttendanceFactory(activity=activity, user=coordinator, status="present")
    AttendanceFactory(activity=activity, user=member, status="present")
    AttendanceFactory(activity=activity, user=UserFactory(school=school), status="excused")
    AttendanceFactory(activity=activity, user=UserFactory(school=school), status="absent")
    ActivityFactory(community=community, title="Rencana")
    archived = CommunityFactory(home_school=school, name="Arsip", archived=True)
    held(archived, 100, title="Lama")
    held(CommunityFactory(home_school=other_school), 3, title="Sekolah lain")

    response = english(login(principal)).get(export_url(school))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="kegiatan-{school.npsn}.csv"' in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Community", "Date", "Title", "Kind", "Status", "Present", "Excused", "Absent"]
    body = {row[2]: row for row in rows[1:]}
    assert set(body) == {"Membaca berpasangan", "Rencana", "Lama"}
    started = timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")
    assert body["Membaca berpasangan"] == [
        community.name,
        started,
        "Membaca berpasangan",
        "sharing good practice",
        "held",
        "2",
        "1",
        "1",
    ]
    assert body["Rencana"][4:] == ["planned", "0", "0", "0"]


def test_export_is_safe_from_formula_injection(school, principal, login):
    community = CommunityFactory(home_school=school, name='=HYPERLINK("http://jahat.example")')
    for title in ("+SUM(A1:A9)", "-2+3", "@cmd", "=1+1", "Biasa - aman"):
        held(community, 2, title=title)
    rows = list(csv.reader(io.StringIO(login(principal).get(export_url(school)).content.decode("utf-8-sig"))))
    titles = sorted(row[2] for row in rows[1:])
    assert titles == sorted(["'+SUM(A1:A9)", "'-2+3", "'@cmd", "'=1+1", "Biasa - aman"])
    assert {row[0] for row in rows[1:]} == {'\'=HYPERLINK("http://jahat.example")'}
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1", "'=1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\t=1", "'\t=1"), ("a=1", "a=1"), (3, 3)],
)
def test_spreadsheet_safe(value, safe):
    assert spreadsheet_safe(value) == safe
