"""A community's portfolio for a period: every read the printable page and the PDF
need, in a fixed number of queries however many activities and photos there are."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from activities.models import ActionPlan, Attendance, Document
from communities.models import Community, Membership
from publishing.models import Publication


@dataclass(frozen=True)
class Period:
    """Whole days, `start` to `end` inclusive, in the current time zone."""

    start: date
    end: date

    @property
    def starts_at(self):
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_before(self):
        """The first moment after the period: filters use `< ends_before`."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def q(self, field_name):
        return Q(**{f"{field_name}__gte": self.starts_at, f"{field_name}__lt": self.ends_before})


@dataclass
class ActivityEntry:
    activity: object
    present: list = field(default_factory=list)  # users, by name
    excused_count: int = 0
    absent_count: int = 0
    photos: list = field(default_factory=list)  # Documents with a thumbnail

    @property
    def present_count(self):
        return len(self.present)


@dataclass
class Portfolio:
    community: Community
    period: Period
    stage_changes: list
    members: list
    activities: list  # ActivityEntry, oldest first
    action_plans: list
    reflections: list
    products: list
    publications: list

    @property
    def photos(self):
        return [photo for entry in self.activities for photo in entry.photos]


def build_portfolio(community, period):
    """Reads the portfolio: ten queries, whatever the size of the community.

    Reflections appear only where their authors agreed (`in_reports`); publications only
    once published. Action plans are those alive during the period: written before it
    ended and not closed before it began (due in it, completed in it, or still open).
    """
    stage_changes = list(community.stage_changes.select_related("changed_by", "endorsed_by").order_by("created_at"))
    members = list(
        community.memberships.filter(status=Membership.Status.ACTIVE)
        .select_related("user__school")
        .order_by("role", "user__full_name")
    )
    activities = list(
        community.activities.filter(period.q("starts_at"))
        .select_related("problem")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related("user").order_by("user__full_name"),
                to_attr="attendance_list",
            ),
            Prefetch(
                "documents",
                # A portfolio travels (printed, mailed on): photos of students only with
                # the parents' consent confirmed, as for publication.
                queryset=Document.objects.photos().publishable().exclude(thumbnail="").order_by("created_at"),
                to_attr="photo_list",
            ),
        )
        .order_by("starts_at")
    )
    plans = list(
        community.action_plans.filter(created_at__lt=period.ends_before)
        .filter(
            Q(due__gte=period.start)
            | Q(completed_at__gte=period.starts_at)
            | Q(status__in=[ActionPlan.Status.PLANNED, ActionPlan.Status.DOING])
        )
        .select_related("problem", "owner")
        .order_by("due")
    )
    reflections = list(
        community.reflections.shared()
        .filter(period.q("created_at"))
        .select_related("author", "activity", "action_plan", "stage_change")
        .order_by("created_at")
    )
    for reflection in reflections:
        if reflection.stage_change:
            reflection.stage_change.community = community  # str() names it
    products = list(
        community.products.filter(period.q("created_at")).prefetch_related("authors").order_by("created_at")
    )
    publications = list(
        Publication.objects.published().filter(period.q("published_at"), community=community).order_by("published_at")
    )
    return Portfolio(
        community=community,
        period=period,
        stage_changes=stage_changes,
        members=members,
        activities=[_entry(activity, community) for activity in activities],
        action_plans=plans,
        reflections=reflections,
        products=products,
        publications=publications,
    )


def _entry(activity, community):
    entry = ActivityEntry(activity=activity, photos=activity.photo_list)
    for photo in entry.photos:
        photo.community = community  # its thumbnail URL names the community
    for attendance in activity.attendance_list:
        if attendance.status == Attendance.Status.PRESENT:
            entry.present.append(attendance.user)
        elif attendance.status == Attendance.Status.EXCUSED:
            entry.excused_count += 1
        elif attendance.status == Attendance.Status.ABSENT:
            entry.absent_count += 1
    return entry
