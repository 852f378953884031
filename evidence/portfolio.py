"""A teacher's own portfolio for a period: their evidence of professional development
(communities and roles, meetings attended, activities led, actions owned, reflections,
products, publications), read in a fixed number of queries however much there is."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Prefetch, Q

from activities.models import ActionPlan, Activity, Attendance, Document, Product, Reflection
from communities.models import Membership
from publishing.models import Publication
from reports.portfolio import Period

__all__ = ["Period", "PersonalPortfolio", "build_personal_portfolio"]


@dataclass
class PersonalPortfolio:
    person: object
    period: Period
    for_owner: bool
    memberships: list
    attended: list  # Attendance, with their activity and community
    led: list  # Activity
    actions: list  # ActionPlan
    reflections: list
    products: list  # Product, with .thumbnails (publishable photos)
    publications: list

    @property
    def hours(self):
        """Hours of the meetings attended, to the quarter hour."""
        total = sum((a.activity.ends_at - a.activity.starts_at for a in self.attended), timedelta())
        return round(total.total_seconds() / 3600 * 4) / 4

    @property
    def photos(self):
        return [photo for product in self.products for photo in product.thumbnails]


def memberships_in(person, period):
    """Communities the person belonged to at some moment of the period, with their role."""
    joined = Q(joined_at__lt=period.ends_before) | Q(joined_at__isnull=True, created_at__lt=period.ends_before)
    return (
        Membership.objects.filter(user=person, status__in=[Membership.Status.ACTIVE, Membership.Status.LEFT])
        .filter(joined)
        .filter(Q(left_at__isnull=True) | Q(left_at__gte=period.starts_at))
        .select_related("community")
        .order_by("community__name")
    )


def attended_in(person, period):
    return (
        Attendance.objects.filter(user=person, status=Attendance.Status.PRESENT)
        .exclude(activity__status=Activity.Status.CANCELLED)
        .filter(period.q("activity__starts_at"))
        .select_related("activity__community")
        .order_by("activity__starts_at")
    )


def led_in(person, period):
    return (
        Activity.objects.filter(proposed_by=person)
        .exclude(status=Activity.Status.CANCELLED)
        .filter(period.q("starts_at"))
        .select_related("community")
        .order_by("starts_at")
    )


def actions_in(person, period):
    return (
        ActionPlan.objects.filter(owner=person, due__gte=period.start, due__lte=period.end)
        .select_related("community", "problem")
        .order_by("due")
    )


def reflections_in(person, period, *, for_owner):
    """All of the person's reflections for themself; for a reader they shared with, only
    those agreed for reports (the rest never leave the community)."""
    reflections = Reflection.objects.filter(author=person).filter(period.q("created_at"))
    if not for_owner:
        reflections = reflections.filter(in_reports=True)
    return reflections.select_related("community", "activity", "action_plan").order_by("created_at")


def products_in(person, period):
    # Photos that may leave the community only: never students without consent.
    thumbnails = Document.objects.publishable().photos().exclude(thumbnail="").select_related("community")
    return (
        Product.objects.filter(authors=person)
        .filter(period.q("created_at"))
        .select_related("community", "activity")
        .prefetch_related(Prefetch("documents", queryset=thumbnails, to_attr="thumbnails"))
        .order_by("created_at")
    )


def publications_in(person, period):
    return (
        Publication.objects.filter(published_by=person, status=Publication.Status.PUBLISHED)
        .filter(period.q("published_at"))
        .select_related("community")
        .order_by("published_at")
    )


def build_personal_portfolio(person, period, *, for_owner=True):
    return PersonalPortfolio(
        person=person,
        period=period,
        for_owner=for_owner,
        memberships=list(memberships_in(person, period)),
        attended=list(attended_in(person, period)),
        led=list(led_in(person, period)),
        actions=list(actions_in(person, period)),
        reflections=list(reflections_in(person, period, for_owner=for_owner)),
        products=list(products_in(person, period)),
        publications=list(publications_in(person, period)),
    )
