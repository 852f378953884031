"""Reads for the supervisor's dashboard, the district report and the feedback threads.

Every figure is about a school's communities, never about a person: the same health
flags as the school dashboard (schools.selectors.communities_health), counted per school.
Each function states its queries; none grows with the number of schools.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from communities.models import Community, Stage, StageChange
from schools.selectors import FLAGS, PkSet, communities_health, schools_overseen_by, threads_of
from supervision.models import SchoolFeedback

ACTIVE_DAYS = 90  # "activity in the last 90 days"
MOVEMENT_DAYS = 365  # "how the stages moved over the last year"
FEEDBACK_DASHBOARD_DAYS = 30


@dataclass
class SchoolRow:
    """One school as the supervisor's dashboard shows it."""

    school: object
    communities: int = 0
    by_stage: dict = field(default_factory=lambda: dict.fromkeys(Stage.values, 0))
    flagged: int = 0  # communities with at least one health flag
    flag_counts: dict = field(default_factory=lambda: dict.fromkeys(FLAGS, 0))
    held_recent: int = 0  # activities held in the last ACTIVE_DAYS
    active_communities: int = 0  # communities that held one in that time
    readiness_met: int = 0
    readiness_total: int = 0
    advances: int = 0  # stage changes forward in the last MOVEMENT_DAYS
    slips: int = 0  # and back
    feedback_threads: int = 0
    feedback_unanswered: int = 0

    @property
    def stages(self):
        """(stage value, label, count) in stage order."""
        return [(value, label, self.by_stage[value]) for value, label in Stage.choices]

    @property
    def readiness_percent(self):
        return round(100 * self.readiness_met / self.readiness_total) if self.readiness_total else None

    @property
    def movement(self):
        return self.advances - self.slips

    @property
    def flags(self):
        """(Flag, count) for the flags that apply to at least one community."""
        return [(FLAGS[key], n) for key, n in self.flag_counts.items() if n]


# Sort keys of the dashboard (?urut=key or ?urut=-key), and what each sorts by. Rows
# with no figure (no readiness indicators) sort last either way.
SORTS = {
    "sekolah": (_("School"), lambda row: row.school.name.casefold()),
    "komunitas": (_("Communities"), lambda row: row.communities),
    "tanda": (_("With a health flag"), lambda row: row.flagged),
    "kegiatan": (_("Activities, last 90 days"), lambda row: row.held_recent),
    "kesiapan": (_("Readiness met"), lambda row: row.readiness_percent),
    "gerak": (_("Stage movement, last year"), lambda row: row.movement),
}
DEFAULT_SORT = "sekolah"


def parse_sort(value):
    """(key, descending) from ?urut=; unknown values fall back to the school name."""
    value = value or ""
    descending = value.startswith("-")
    key = value.removeprefix("-")
    if key not in SORTS:
        return DEFAULT_SORT, False
    return key, descending


def sort_rows(rows, key, descending):
    measure = SORTS[key][1]
    known = [row for row in rows if measure(row) is not None]
    unknown = [row for row in rows if measure(row) is None]
    known.sort(key=lambda row: row.school.name.casefold())
    known.sort(key=measure, reverse=descending)  # stable: equal figures stay by name
    return known + unknown


def oversight_rows(user):
    """A SchoolRow for every school the user oversees, by name. A fixed number of
    queries, whatever the number of schools: the schools, their live communities, those
    of communities_health (without its monthly chart), and three aggregates (recent
    activities, stage movement, feedback threads)."""
    schools = list(schools_overseen_by(user).order_by("name", "npsn"))
    rows = {school.pk: SchoolRow(school=school) for school in schools}
    if not rows:
        return []
    live = Community.objects.filter(home_school__in=schools_overseen_by(user), archived=False)
    communities = list(live.order_by("name"))
    ids = PkSet(live, rows=communities)
    for health in communities_health(communities, ids, chart=False):
        community = health.community
        row = rows[community.home_school_id]
        row.communities += 1
        row.by_stage[community.stage] += 1
        row.flagged += bool(health.flags)
        for key in health.flags:
            row.flag_counts[key] += 1
        row.readiness_met += health.readiness_met
        row.readiness_total += health.readiness_total
    _add_recent_activity(rows, ids)
    _add_movement(rows, ids)
    _add_feedback_counts(rows)
    return list(rows.values())


def _add_recent_activity(rows, ids):
    """Activities held in the last ACTIVE_DAYS per school, and how many communities held
    one. One query."""
    now = timezone.now()
    held = (
        Activity.objects.filter(
            community_id__in=ids,
            status=Activity.Status.HELD,
            starts_at__lte=now,
            starts_at__gte=now - timedelta(days=ACTIVE_DAYS),
        )
        .values("community__home_school_id")
        .annotate(held=Count("pk"), active=Count("community_id", distinct=True))
    )
    for item in held:
        row = rows[item["community__home_school_id"]]
        row.held_recent, row.active_communities = item["held"], item["active"]


def _add_movement(rows, ids):
    """Stage changes forward and back in the last MOVEMENT_DAYS, per school. One query."""
    since = timezone.now() - timedelta(days=MOVEMENT_DAYS)
    changes = (
        StageChange.objects.filter(community_id__in=ids, created_at__gte=since)
        .values("community__home_school_id", "from_stage", "to_stage")
        .annotate(n=Count("pk"))
    )
    for item in changes:
        row = rows[item["community__home_school_id"]]
        if Stage.order(item["to_stage"]) > Stage.order(item["from_stage"]):
            row.advances += item["n"]
        else:
            row.slips += item["n"]


def _add_feedback_counts(rows):
    """Supervisors' threads per school, and those the principal has not answered. One query."""
    principal_replied = Exists(SchoolFeedback.objects.filter(reply_to=OuterRef("pk"), author__role="principal"))
    counts = (
        SchoolFeedback.objects.filter(school_id__in=list(rows), reply_to__isnull=True)
        .values("school_id")
        .annotate(threads=Count("pk"), unanswered=Count("pk", filter=~Q(principal_replied)))
    )
    for item in counts:
        row = rows[item["school_id"]]
        row.feedback_threads, row.feedback_unanswered = item["threads"], item["unanswered"]


@dataclass
class Totals:
    schools: int
    communities: int
    by_stage: dict
    flagged: int
    flag_counts: dict
    held_recent: int
    active_communities: int
    readiness_met: int
    readiness_total: int
    advances: int
    slips: int

    @property
    def readiness_percent(self):
        return round(100 * self.readiness_met / self.readiness_total) if self.readiness_total else None

    @property
    def flags(self):
        return [(FLAGS[key], n) for key, n in self.flag_counts.items()]


def totals_of(rows):
    def total(name):
        return sum(getattr(row, name) for row in rows)

    return Totals(
        schools=len(rows),
        communities=total("communities"),
        by_stage={stage: sum(row.by_stage[stage] for row in rows) for stage in Stage.values},
        flagged=total("flagged"),
        flag_counts={key: sum(row.flag_counts[key] for row in rows) for key in FLAGS},
        held_recent=total("held_recent"),
        active_communities=total("active_communities"),
        readiness_met=total("readiness_met"),
        readiness_total=total("readiness_total"),
        advances=total("advances"),
        slips=total("slips"),
    )


# The stage distribution chart, in SVG user units: per stage, its label on one line and
# a horizontal bar below it, so the bars stay long on a phone's narrow screen.
CHART_WIDTH = 320
CHART_ROW = 40
BAR_HEIGHT = 16
COUNT_ROOM = 70  # after the longest bar: its count and share
MINI_WIDTH = 90
MINI_HEIGHT = 10


@dataclass(frozen=True)
class StageBar:
    stage: str
    label: str
    count: int
    percent: int
    index: int
    width: int

    @property
    def label_y(self):
        return self.index * CHART_ROW + 12

    @property
    def y(self):
        return self.index * CHART_ROW + 17

    @property
    def value_x(self):
        return self.width + 4

    @property
    def value_y(self):
        return self.y + BAR_HEIGHT - 4


def stage_chart(by_stage):
    """Bars of the stage distribution, widths proportional to the largest stage."""
    total = sum(by_stage.values())
    largest = max(by_stage.values(), default=0) or 1
    bars = [
        StageBar(
            stage=value,
            label=label,
            count=by_stage.get(value, 0),
            percent=round(100 * by_stage.get(value, 0) / total) if total else 0,
            index=index,
            width=round((CHART_WIDTH - COUNT_ROOM) * by_stage.get(value, 0) / largest),
        )
        for index, (value, label) in enumerate(Stage.choices)
    ]
    return {"bars": bars, "width": CHART_WIDTH, "height": len(bars) * CHART_ROW, "bar_height": BAR_HEIGHT}


@dataclass(frozen=True)
class Segment:
    stage: str
    label: str
    count: int
    x: int
    width: int


def mini_bar(row):
    """One school's stage distribution as a stacked bar of MINI_WIDTH units."""
    segments, x = [], 0
    for value, label, count in row.stages:
        width = round(MINI_WIDTH * count / row.communities) if row.communities else 0
        segments.append(Segment(stage=value, label=label, count=count, x=x, width=width))
        x += width
    return segments


# Feedback threads


def feedback_threads(school):
    """The school's threads, newest first, each with its replies (oldest first) in
    `thread.thread_replies`. One query."""
    return threads_of(
        SchoolFeedback.objects.filter(school=school).select_related("author").order_by("created_at", "pk")
    )


def feedback_for_principal(user):
    """Supervisors' threads of the last 30 days at the principal's school that no
    principal has answered yet, newest first, five at most. One query (none for others)."""
    if not (user.is_authenticated and user.is_principal and user.school_id):
        return []
    principal_replied = SchoolFeedback.objects.filter(reply_to=OuterRef("pk"), author__role="principal")
    return list(
        SchoolFeedback.objects.filter(
            school_id=user.school_id,
            reply_to__isnull=True,
            created_at__gte=timezone.now() - timedelta(days=FEEDBACK_DASHBOARD_DAYS),
        )
        .exclude(Exists(principal_replied))
        .select_related("author", "school")
        .order_by("-created_at")[:5]
    )
