"""Readiness indicators that read activities, documentation and reflections.

Registered into communities.readiness when the app is ready. The thresholds are
Kompra's proposal (no official checklist exists) and are stated in each label.
"""

import math
from datetime import timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from activities.models import ActionPlan, Activity, Document, Product, Reflection
from communities.models import Stage
from communities.readiness import fact_provider, indicator

RHYTHM_WINDOW_WEEKS = 12
DEFAULT_RHYTHM_WEEKS = 4
MIN_MEETINGS_IN_WINDOW = 3
SUSTAINED_MONTHS = 6
MONTH_DAYS = 30
SELF_REFLECTION_DAYS = 182


def expected_meetings(community, weeks=RHYTHM_WINDOW_WEEKS):
    """Meetings the agreed rhythm asks for in `weeks`, allowing one to be missed."""
    rhythm = community.rhythm_weeks or DEFAULT_RHYTHM_WEEKS
    return max(MIN_MEETINGS_IN_WINDOW, math.ceil(weeks / rhythm) - 1)


def months_ago(moment, now):
    """0 for the last 30 days, 1 for the 30 before, and so on."""
    return (now - moment).days // MONTH_DAYS


@fact_provider
def activity_facts(ids):
    """Held activities: in all, in the rhythm window, documented, reflected, the months
    with activity, and when the last one was. Two queries."""
    now = timezone.now()
    window = now - timedelta(weeks=RHYTHM_WINDOW_WEEKS)
    held = Activity.objects.filter(community_id__in=ids, status=Activity.Status.HELD)
    rows = held.values("community_id").annotate(
        held=Count("pk"),
        held_in_window=Count("pk", filter=Q(starts_at__gte=window)),
        documented=Count("pk", filter=Q(Exists(Document.objects.filter(activity=OuterRef("pk"))))),
        reflected=Count("pk", filter=Q(Exists(Reflection.objects.filter(activity=OuterRef("pk"))))),
    )
    facts = {pk: {"held_months": set(), "last_held": None} for pk in ids}
    for row in rows:
        facts[row.pop("community_id")].update(row)
    since = now - timedelta(days=MONTH_DAYS * SUSTAINED_MONTHS)
    for community_id, starts_at in held.filter(starts_at__gte=since, starts_at__lte=now).values_list(
        "community_id", "starts_at"
    ):
        facts[community_id]["held_months"].add(months_ago(starts_at, now))
    rows = held.filter(starts_at__lte=now).values("community_id").annotate(last=Max("starts_at"))
    for community_id, last in rows.values_list("community_id", "last"):
        facts[community_id]["last_held"] = last
    return facts


@fact_provider
def practice_facts(ids):
    """Action plans, recent reflections on the community itself, products with files. Three queries."""
    since = timezone.now() - timedelta(days=SELF_REFLECTION_DAYS)
    facts = {pk: {"action_plans": 0, "self_reflections": 0, "products_with_files": 0} for pk in ids}
    for pk, n in (
        ActionPlan.objects.filter(community_id__in=ids)
        .values("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
    ):
        facts[pk]["action_plans"] = n
    for pk, n in (
        Reflection.objects.filter(community_id__in=ids, stage_change__isnull=False, created_at__gte=since)
        .values("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
    ):
        facts[pk]["self_reflections"] = n
    for pk, n in (
        Product.objects.filter(community_id__in=ids, documents__isnull=False)
        .values("community_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("community_id", "n")
    ):
        facts[pk]["products_with_files"] = n
    return facts


@indicator(key="first_meeting", stage=Stage.MERINTIS, label=_("A first meeting held"), order=60)
def _first_meeting(community, facts):
    count = facts.get("held", 0)
    return count >= 1, _("%(count)d held") % {"count": count}


@indicator(
    key="rhythm_kept",
    stage=Stage.MENUMBUHKAN,
    label=format_lazy(
        _("Meetings held on the agreed rhythm over the last {weeks} weeks (allowing one missed, at least {min})"),
        weeks=RHYTHM_WINDOW_WEEKS,
        min=MIN_MEETINGS_IN_WINDOW,
    ),
    order=40,
)
def _rhythm_kept(community, facts):
    held = facts.get("held_in_window", 0)
    needed = expected_meetings(community)
    return held >= needed, _("%(held)d of %(needed)d held") % {"held": held, "needed": needed}


@indicator(
    key="documented",
    stage=Stage.MENUMBUHKAN,
    label=_("Documentation after most meetings (more than half of those held)"),
    order=50,
)
def _documented(community, facts):
    held, documented = facts.get("held", 0), facts.get("documented", 0)
    return held > 0 and documented * 2 > held, _("%(n)d of %(held)d documented") % {"n": documented, "held": held}


@indicator(
    key="reflected",
    stage=Stage.MENUMBUHKAN,
    label=_("Reflections after most meetings (more than half of those held)"),
    order=60,
)
def _reflected(community, facts):
    held, reflected = facts.get("held", 0), facts.get("reflected", 0)
    detail = _("%(n)d of %(held)d with a reflection") % {"n": reflected, "held": held}
    return held > 0 and reflected * 2 > held, detail


@indicator(key="action_plan", stage=Stage.MENUMBUHKAN, label=_("At least one action plan"), order=70)
def _action_plan(community, facts):
    count = facts.get("action_plans", 0)
    return count >= 1, _("%(count)d action plan(s)") % {"count": count}


@indicator(
    key="sustained",
    stage=Stage.MERAWAT,
    label=format_lazy(_("Activity in each of the last {months} months"), months=SUSTAINED_MONTHS),
    order=30,
)
def _sustained(community, facts):
    active = len(facts.get("held_months", set()) & set(range(SUSTAINED_MONTHS)))
    detail = _("%(n)d of %(months)d months") % {"n": active, "months": SUSTAINED_MONTHS}
    return active >= SUSTAINED_MONTHS, detail


@indicator(
    key="self_reflection",
    stage=Stage.MERAWAT,
    label=_("A reflection on the community itself (on a stage change) in the last six months"),
    order=40,
)
def _self_reflection(community, facts):
    count = facts.get("self_reflections", 0)
    return count >= 1, _("%(count)d written") % {"count": count}


@indicator(key="products", stage=Stage.MERAWAT, label=_("Members' products documented (at least two)"), order=50)
def _products(community, facts):
    count = facts.get("products_with_files", 0)
    return count >= 2, _("%(count)d product(s) with files") % {"count": count}
