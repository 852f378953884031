"""Reads for the school dashboard, the school report and feedback, shaped once.

Every figure here is about a community, never about a person: the principal sees how
each community is doing, not who logged in or how often (DOMAIN.md, "Who uses it").
Each function states its queries; none grows with the number of communities.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from activities.models import ActionPlan, Activity, Attendance, Document, Reflection
from activities.readiness import RHYTHM_WINDOW_WEEKS, expected_meetings
from communities.freshness import cached_for_many
from communities.models import Community, Membership, StageChange
from communities.readiness import facts_for, readiness
from kompra.accounts.models import School
from schools.models import Feedback

# Health flags: Kompra's proposal, stated on the dashboard next to each flag.
QUIET_MIN_DAYS = 30  # no meeting for this long (or twice the agreed rhythm, if longer)
UNREFLECTED_DAYS = 90  # held and documented in this window, but nobody reflected
ENDORSEMENT_DAYS = 14  # a stage change waiting this long for the principal
RECENT_DAYS = 30  # "reflections after the last meetings": activities held this recently
CHART_MONTHS = 6
FEEDBACK_DASHBOARD_DAYS = 30


@dataclass(frozen=True)
class Flag:
    key: str  # the value of ?tanda= in the dashboard's address
    label: str
    rule: str


FLAGS = {
    flag.key: flag
    for flag in [
        Flag(
            "tanpa-pertemuan",
            _("No recent meeting"),
            format_lazy(
                _(
                    "No activity held for over {days} days, or for over twice the agreed rhythm when that is "
                    "longer; also a community founded over {days} days ago that has never met."
                ),
                days=QUIET_MIN_DAYS,
            ),
        ),
        Flag(
            "tanpa-refleksi",
            _("Documentation without reflection"),
            format_lazy(
                _("An activity held in the last {days} days has documentation but no reflection yet."),
                days=UNREFLECTED_DAYS,
            ),
        ),
        Flag("satu-anggota", _("A single active member"), _("Only one active member (or none).")),
        Flag(
            "dukungan-tertunda",
            _("Stage endorsement overdue"),
            format_lazy(
                _("The latest stage change is older than {days} days and not endorsed by the principal yet."),
                days=ENDORSEMENT_DAYS,
            ),
        ),
    ]
}


# Who oversees which school: the one place this rule lives.


def schools_overseen_by(user):
    """Schools whose dashboard and report the user may open: a principal their own
    school, a supervisor (pengawas, dinas) the schools they oversee, read-only, site
    admins every school, everyone else none."""
    if not user.is_authenticated:
        return School.objects.none()
    if user.is_staff:
        return School.objects.all()
    if user.is_supervisor:
        return School.objects.supervised_by(user)
    if user.is_principal and user.school_id:
        return School.objects.filter(pk=user.school_id)
    return School.objects.none()


def oversees(user, school):
    """schools_overseen_by's rule for one school: no query for a principal or an admin."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if user.is_supervisor:
        return schools_overseen_by(user).filter(pk=school.pk).exists()
    return bool(user.is_principal and user.school_id and user.school_id == school.pk)


# The dashboard


@dataclass(frozen=True)
class Bar:
    month: date  # the first day of the month
    count: int
    x: int
    y: int
    height: int
    label_y: int

    @property
    def width(self):
        return BAR_WIDTH

    @property
    def center(self):
        return self.x + BAR_WIDTH // 2


# The bar chart's geometry, in SVG user units: a meeting is BAR_UNIT high, and a month
# with BAR_CAP meetings or more fills the chart (its number is printed above the bar).
BAR_UNIT = 8
BAR_CAP = 5
BAR_WIDTH = 14
BAR_STEP = 20
CHART_BASELINE = 50
CHART_WIDTH = BAR_STEP * CHART_MONTHS
CHART_HEIGHT = CHART_BASELINE + 14


def bars_for(counts, months):
    """One bar per month, its height proportional to the count (capped)."""
    bars = []
    for index, month in enumerate(months):
        count = counts.get(month, 0)
        height = min(count, BAR_CAP) * BAR_UNIT
        bars.append(
            Bar(
                month=month,
                count=count,
                x=index * BAR_STEP + (BAR_STEP - BAR_WIDTH) // 2,
                y=CHART_BASELINE - height,
                height=height,
                label_y=CHART_BASELINE - height - 2,
            )
        )
    return bars


def last_months(today, n=CHART_MONTHS):
    """The first days of the last `n` calendar months, oldest first, this month last."""
    year, month = today.year, today.month
    months = []
    for _i in range(n):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class CommunityHealth:
    """A community as the school dashboard shows it."""

    community: Community
    active_members: int
    held_in_window: int
    expected: int
    last_held: datetime | None
    quiet_days: int  # the "no recent meeting" threshold for this community
    bars: list
    open_actions: int
    overdue_actions: int
    recent_held: int
    recent_reflections: int
    unreflected: int
    latest_change: StageChange | None
    readiness_met: int
    readiness_total: int
    feedback_threads: int
    feedback_unanswered: int
    flags: list = field(default_factory=list)

    @property
    def window_weeks(self):
        return RHYTHM_WINDOW_WEEKS

    @property
    def pending_change(self):
        """The latest stage change, if the principal has not endorsed it yet."""
        change = self.latest_change
        return change if change is not None and change.endorsed_at is None else None

    @property
    def flag_list(self):
        return [FLAGS[key] for key in self.flags]

    @property
    def chart_label(self):
        """The chart's numbers in words, for screen readers (in the active language)."""
        months = ", ".join(
            _("%(month)s: %(count)d") % {"month": date_format(bar.month, "F Y"), "count": bar.count}
            for bar in self.bars
        )
        return _("Activities held per month: %(months)s") % {"months": months}


def quiet_threshold(community):
    """Days without a meeting before the flag: 30, or twice the agreed rhythm if longer."""
    return max(QUIET_MIN_DAYS, 2 * (community.rhythm_weeks or 0) * 7)


def school_overview(school, *, archived=False):
    """A CommunityHealth for every community of the school (archived ones too if asked),
    live ones first, by name. A fixed number of queries, whatever the number of
    communities: the communities, then those of `communities_health` (none while the
    communities' data versions and the minute are unchanged)."""
    communities = Community.objects.filter(home_school=school).order_by("archived", "name")
    if not archived:
        communities = communities.filter(archived=False)
    communities = list(communities)
    # The same for every viewer (figures about communities, naming no one): kept while
    # the data of every community of the school, and the minute, are unchanged.
    return cached_for_many(communities, "school-health", lambda: communities_health(communities), school.pk)


class PkSet(list):
    """The pks of a queryset's rows. Iterated, it is a list; in a filter
    (`community_id__in=pks`) the database gets the queryset as a subquery instead of
    thousands of parameters, which a district's dashboard would otherwise send to every
    one of its aggregates. `rows`: the queryset's rows if already read (no query then)."""

    def __init__(self, queryset, rows=None):
        self.queryset = queryset.values_list("pk", flat=True)
        super().__init__([row.pk for row in rows] if rows is not None else self.queryset)

    def resolve_expression(self, *args, **kwargs):
        return self.queryset.resolve_expression(*args, **kwargs)


def communities_health(communities, ids=None, *, chart=True):
    """A CommunityHealth for each of `communities` (of one school or of many), in their
    order. A fixed number of queries, whatever their number: the readiness facts (one
    pass of every provider) and six aggregates (months, action plans, recent activities
    and their reflections, latest stage changes, feedback). Many communities are better
    passed with their `ids` as a PkSet of the same queryset; without the `chart` of
    activities per month, one query fewer."""
    if not communities:
        return []
    now = timezone.now()
    ids = [c.pk for c in communities] if ids is None else ids
    facts = facts_for(communities, ids)
    months = last_months(timezone.localdate(now))
    monthly = _monthly_counts(ids, months, now) if chart else {}
    actions = _action_counts(ids)
    recent = _recent_counts(ids, now)
    changes = _latest_changes(ids)
    feedback = _feedback_counts(ids)

    rows = []
    for community in communities:
        fact = facts[community.pk]
        results = readiness(community, fact)
        row = CommunityHealth(
            community=community,
            active_members=fact.get("active_members", 0),
            held_in_window=fact.get("held_in_window", 0),
            expected=expected_meetings(community),
            last_held=fact.get("last_held"),
            quiet_days=quiet_threshold(community),
            bars=bars_for(monthly.get(community.pk, {}), months) if chart else [],
            open_actions=actions.get(community.pk, {}).get("open", 0),
            overdue_actions=actions.get(community.pk, {}).get("overdue", 0),
            recent_held=recent.get(community.pk, {}).get("recent_held", 0),
            recent_reflections=recent.get(community.pk, {}).get("recent_reflections", 0),
            unreflected=recent.get(community.pk, {}).get("unreflected", 0),
            latest_change=changes.get(community.pk),
            readiness_met=sum(1 for r in results if r.met),
            readiness_total=len(results),
            feedback_threads=feedback.get(community.pk, {}).get("threads", 0),
            feedback_unanswered=feedback.get(community.pk, {}).get("unanswered", 0),
        )
        row.flags = health_flags(row, now)
        rows.append(row)
    return rows


def health_flags(row, now):
    """The keys of FLAGS that apply to one community."""
    flags = []
    community = row.community
    if row.last_held is not None:
        quiet = now - row.last_held > timedelta(days=row.quiet_days)
    else:
        quiet = now - community.created_at > timedelta(days=QUIET_MIN_DAYS)
    if quiet:
        flags.append("tanpa-pertemuan")
    if row.unreflected:
        flags.append("tanpa-refleksi")
    if row.active_members <= 1:
        flags.append("satu-anggota")
    change = row.pending_change
    if change is not None and now - change.created_at > timedelta(days=ENDORSEMENT_DAYS):
        flags.append("dukungan-tertunda")
    return flags


def _held(ids, now):
    return Activity.objects.filter(community_id__in=ids, status=Activity.Status.HELD, starts_at__lte=now)


def _monthly_counts(ids, months, now):
    """{community_id: {first day of month: activities held}} for the chart. One query."""
    rows = (
        _held(ids, now)
        .filter(starts_at__gte=local_midnight(months[0]))
        .annotate(month=TruncMonth("starts_at", tzinfo=timezone.get_current_timezone()))
        .values("community_id", "month")
        .annotate(n=Count("pk"))
    )
    counts = {}
    for row in rows:
        month = timezone.localtime(row["month"]).date().replace(day=1)
        counts.setdefault(row["community_id"], {})[month] = row["n"]
    return counts


def _action_counts(ids):
    """Open and overdue action plans per community. One query."""
    rows = (
        ActionPlan.objects.open()
        .filter(community_id__in=ids)
        .values("community_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due__lt=timezone.localdate())))
    )
    return {row.pop("community_id"): row for row in rows}


def _recent_counts(ids, now):
    """Activities held in the last RECENT_DAYS and the reflections on them, and the
    activities held in the last UNREFLECTED_DAYS with documentation but no reflection.
    Two queries."""
    recent = Q(starts_at__gte=now - timedelta(days=RECENT_DAYS))
    documented = Exists(Document.objects.filter(activity=OuterRef("pk")))
    reflected = Exists(Reflection.objects.filter(activity=OuterRef("pk")))
    rows = (
        _held(ids, now)
        .filter(starts_at__gte=now - timedelta(days=UNREFLECTED_DAYS))
        .values("community_id")
        .annotate(
            recent_held=Count("pk", filter=recent),
            unreflected=Count("pk", filter=Q(documented) & ~Q(reflected)),
        )
    )
    counts = {row.pop("community_id"): row for row in rows}
    reflections = (
        Reflection.objects.filter(activity__in=_held(ids, now).filter(recent))
        .values("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
    )
    for pk, n in reflections:
        counts.setdefault(pk, {})["recent_reflections"] = n
    return counts


def _latest_changes(ids):
    """{community_id: its latest StageChange}. One query."""
    latest = StageChange.objects.filter(community=OuterRef("community")).order_by("-created_at", "-pk").values("pk")
    changes = StageChange.objects.filter(community_id__in=ids, pk=Subquery(latest[:1]))
    return {change.community_id: change for change in changes}


def _feedback_counts(ids):
    """Feedback threads per community, and those nobody has answered yet. One query."""
    rows = (
        Feedback.objects.filter(community_id__in=ids, reply_to__isnull=True)
        .values("community_id")
        .annotate(
            threads=Count("pk"),
            unanswered=Count("pk", filter=~Q(Exists(Feedback.objects.filter(reply_to=OuterRef("pk"))))),
        )
    )
    return {row.pop("community_id"): row for row in rows}


def filter_rows(rows, *, stage=None, flag=None):
    if stage:
        rows = [row for row in rows if row.community.stage == stage]
    if flag:
        rows = [row for row in rows if flag in row.flags]
    return rows


def flag_counts(rows):
    """(Flag, number of communities it applies to) for every flag, in order."""
    return [(flag, sum(1 for row in rows if key in row.flags)) for key, flag in FLAGS.items()]


# The report for a period


@dataclass
class ReportRow:
    community: Community
    held: int = 0
    documented: int = 0
    reflected: int = 0
    cancelled: int = 0
    members: int = 0
    joined: int = 0
    stage_changes: int = 0


def school_report(school, start, end):
    """The dashboard's figures for the days from `start` to `end` (both included), for
    every community of the school founded by then. Four queries: communities,
    activities, memberships and stage changes.

    Returns (rows, totals, stage changes in the period)."""
    since, until = local_midnight(start), local_midnight(end + timedelta(days=1))
    communities = list(Community.objects.filter(home_school=school, created_at__lt=until).order_by("archived", "name"))
    rows = {c.pk: ReportRow(community=c) for c in communities}
    ids = list(rows)

    documented = Exists(Document.objects.filter(activity=OuterRef("pk")))
    reflected = Exists(Reflection.objects.filter(activity=OuterRef("pk")))
    held = Q(status=Activity.Status.HELD)
    activity_rows = (
        Activity.objects.filter(community_id__in=ids, starts_at__gte=since, starts_at__lt=until)
        .values("community_id")
        .annotate(
            held=Count("pk", filter=held),
            documented=Count("pk", filter=held & Q(documented)),
            reflected=Count("pk", filter=held & Q(reflected)),
            cancelled=Count("pk", filter=Q(status=Activity.Status.CANCELLED)),
        )
    )
    for row in activity_rows:
        vars(rows[row.pop("community_id")]).update(row)

    joined_at = Coalesce("joined_at", "created_at")
    member_rows = (
        Membership.objects.filter(community_id__in=ids)
        .annotate(joined_on=joined_at)
        .values("community_id")
        .annotate(
            # Members on the last day: joined by then, and still active or left later.
            members=Count(
                "pk",
                filter=Q(joined_on__lt=until)
                & (Q(status=Membership.Status.ACTIVE) | Q(status=Membership.Status.LEFT, left_at__gte=until)),
            ),
            joined=Count(
                "pk",
                filter=Q(joined_on__gte=since, joined_on__lt=until)
                & Q(status__in=[Membership.Status.ACTIVE, Membership.Status.LEFT]),
            ),
        )
    )
    for row in member_rows:
        vars(rows[row.pop("community_id")]).update(row)

    changes = list(
        StageChange.objects.filter(community_id__in=ids, created_at__gte=since, created_at__lt=until)
        .select_related("community")
        .order_by("created_at")
    )
    for change in changes:
        rows[change.community_id].stage_changes += 1

    report = list(rows.values())
    totals = ReportRow(community=None)
    for name in ("held", "documented", "reflected", "cancelled", "members", "joined", "stage_changes"):
        setattr(totals, name, sum(getattr(row, name) for row in report))
    return report, totals, changes


# The activities export


def activities_for_export(school):
    """Every activity of every community of the school, with attendance counts and no
    names. One query."""

    def status(value):
        return Count("attendances", filter=Q(attendances__status=value))

    return (
        Activity.objects.filter(community__home_school=school)
        .select_related("community")
        .annotate(
            present=status(Attendance.Status.PRESENT),
            excused=status(Attendance.Status.EXCUSED),
            absent=status(Attendance.Status.ABSENT),
        )
        .order_by("community__name", "community_id", "starts_at", "pk")
    )


# Feedback


def feedback_threads(community):
    """Every feedback thread of the community, newest first, each with its replies (in
    `thread.thread_replies`, oldest first). One query."""
    return threads_of(
        Feedback.objects.filter(community=community)
        .select_related("author", "activity", "stage_change")
        .defer("author__password")
        .order_by("created_at", "pk")
    )


def threads_of(notes):
    """Notes (oldest first, with `reply_to_id`) as threads, newest first, each with its
    replies in `thread.thread_replies`, oldest first."""
    notes = list(notes)
    threads = [note for note in notes if note.reply_to_id is None]
    by_pk = {note.pk: note for note in threads}
    for note in threads:
        note.thread_replies = []
    for note in notes:
        if note.reply_to_id is not None and note.reply_to_id in by_pk:
            by_pk[note.reply_to_id].thread_replies.append(note)
    threads.reverse()
    return threads


def feedback_for_dashboard(user):
    """Feedback threads of the last 30 days that no coordinator has answered yet, in
    the live communities the user coordinates; newest first, ten at most. One query."""
    if not user.is_authenticated:
        return []
    coordinators = Membership.objects.coordinators().filter(community=OuterRef("community"))
    answered = Feedback.objects.filter(reply_to=OuterRef("pk"), author__in=coordinators.values("user"))
    return list(
        Feedback.objects.filter(
            reply_to__isnull=True,
            created_at__gte=timezone.now() - timedelta(days=FEEDBACK_DASHBOARD_DAYS),
            community__in=Community.objects.managed_by(user).filter(archived=False),
        )
        .exclude(Exists(answered))
        .select_related("community", "activity", "stage_change", "author")
        .defer("author__password")
        .order_by("-created_at")[:10]
    )
