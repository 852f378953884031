"""Readiness indicators that read activities, documentation and reflections.

Registered into communities.readiness when the app is ready. The thresholds are
Kompra's proposal (no official checklist exists) and are stated in each label.
"""

import math
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Document
from communities.models import Stage
from communities.readiness import indicator

RHYTHM_WINDOW_WEEKS = 12
DEFAULT_RHYTHM_WEEKS = 4
MIN_MEETINGS_IN_WINDOW = 3
SUSTAINED_MONTHS = 6


def _held_since(community, since):
    return community.activities.filter(status=Activity.Status.HELD, starts_at__gte=since)


def expected_meetings(community, weeks=RHYTHM_WINDOW_WEEKS):
    """Meetings the agreed rhythm asks for in `weeks`, allowing one to be missed."""
    rhythm = community.rhythm_weeks or DEFAULT_RHYTHM_WEEKS
    return max(MIN_MEETINGS_IN_WINDOW, math.ceil(weeks / rhythm) - 1)


def _held_counts(community):
    """Held activities, and how many of them have documentation and a reflection."""
    return Activity.objects.filter(community=community, status=Activity.Status.HELD).aggregate(
        held=Count("pk", distinct=True),
        documented=Count("pk", filter=Q(documents__isnull=False), distinct=True),
        reflected=Count("pk", filter=Q(reflections__isnull=False), distinct=True),
    )


@indicator(key="first_meeting", stage=Stage.MERINTIS, label=_("A first meeting held"), order=60)
def _first_meeting(community):
    count = community.activities.filter(status=Activity.Status.HELD).count()
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
def _rhythm_kept(community):
    since = timezone.now() - timedelta(weeks=RHYTHM_WINDOW_WEEKS)
    held = _held_since(community, since).count()
    needed = expected_meetings(community)
    return held >= needed, _("%(held)d of %(needed)d held") % {"held": held, "needed": needed}


@indicator(
    key="documented",
    stage=Stage.MENUMBUHKAN,
    label=_("Documentation after most meetings (more than half of those held)"),
    order=50,
)
def _documented(community):
    counts = _held_counts(community)
    met = counts["held"] > 0 and counts["documented"] * 2 > counts["held"]
    return met, _("%(n)d of %(held)d documented") % {"n": counts["documented"], "held": counts["held"]}


@indicator(
    key="reflected",
    stage=Stage.MENUMBUHKAN,
    label=_("Reflections after most meetings (more than half of those held)"),
    order=60,
)
def _reflected(community):
    counts = _held_counts(community)
    met = counts["held"] > 0 and counts["reflected"] * 2 > counts["held"]
    return met, _("%(n)d of %(held)d with a reflection") % {"n": counts["reflected"], "held": counts["held"]}


@indicator(key="action_plan", stage=Stage.MENUMBUHKAN, label=_("At least one action plan"), order=70)
def _action_plan(community):
    count = community.action_plans.count()
    return count >= 1, _("%(count)d action plan(s)") % {"count": count}


@indicator(
    key="sustained",
    stage=Stage.MERAWAT,
    label=format_lazy(_("Activity in each of the last {months} months"), months=SUSTAINED_MONTHS),
    order=30,
)
def _sustained(community):
    now = timezone.now()
    since = now - timedelta(days=30 * SUSTAINED_MONTHS)
    starts = _held_since(community, since).values_list("starts_at", flat=True)
    months = {(now - start).days // 30 for start in starts}
    active = len(months & set(range(SUSTAINED_MONTHS)))
    return active >= SUSTAINED_MONTHS, _("%(n)d of %(months)d months") % {"n": active, "months": SUSTAINED_MONTHS}


@indicator(
    key="self_reflection",
    stage=Stage.MERAWAT,
    label=_("A reflection on the community itself (on a stage change) in the last six months"),
    order=40,
)
def _self_reflection(community):
    since = timezone.now() - timedelta(days=182)
    count = community.reflections.filter(stage_change__isnull=False, created_at__gte=since).count()
    return count >= 1, _("%(count)d written") % {"count": count}


@indicator(key="products", stage=Stage.MERAWAT, label=_("Members' products documented (at least two)"), order=50)
def _products(community):
    count = community.products.filter(documents__kind__in=Document.Kind.values).distinct().count()
    return count >= 2, _("%(count)d product(s) with files") % {"count": count}
