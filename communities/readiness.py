"""Stage readiness: indicators computed from a community's own records.

No official checklist says when a community is ready for its next stage; these are
Kompra's suggestions, and the coordinator decides. Other apps add indicators with
`@indicator(...)` in their `ready()`, so the list grows with the records kept.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from communities.models import Membership, Problem, Stage

MIN_ACTIVE_MEMBERS = 3
MIN_GROWING_MEMBERS = 5


@dataclass(frozen=True)
class Indicator:
    key: str
    stage: str  # shown while the community is in this stage
    label: str
    check: Callable  # check(community) -> (met: bool, detail: str)
    order: int = 100


@dataclass(frozen=True)
class Result:
    indicator: Indicator
    met: bool
    detail: str

    @property
    def label(self):
        return self.indicator.label


REGISTRY: dict[str, Indicator] = {}


def indicator(*, key, stage, label, order=100):
    """Registers check(community) -> (met, detail) as a readiness indicator."""

    def register(check):
        REGISTRY[key] = Indicator(key=key, stage=stage, label=label, check=check, order=order)
        return check

    return register


def indicators_for(stage):
    return sorted((i for i in REGISTRY.values() if i.stage == stage), key=lambda i: (i.order, i.key))


def readiness(community):
    """The checklist for the community's current stage. Each indicator runs a query or two."""
    results = []
    for item in indicators_for(community.stage):
        met, detail = item.check(community)
        results.append(Result(indicator=item, met=met, detail=detail))
    return results


def _active_members(community):
    return community.memberships.filter(status=Membership.Status.ACTIVE).count()


# Merintis: ready to start growing?


@indicator(
    key="members",
    stage=Stage.MERINTIS,
    label=format_lazy(_("At least {n} active members"), n=MIN_ACTIVE_MEMBERS),
    order=10,
)
def _members(community):
    count = _active_members(community)
    return count >= MIN_ACTIVE_MEMBERS, _("%(count)d active members") % {"count": count}


@indicator(key="profile", stage=Stage.MERINTIS, label=_("Shared concern, goal and norms written down"), order=20)
def _profile(community):
    missing = [
        str(community._meta.get_field(name).verbose_name)
        for name in ("concern", "goal", "norms")
        if not getattr(community, name).strip()
    ]
    if missing:
        return False, _("Still missing: %(fields)s") % {"fields": ", ".join(missing)}
    return True, _("All three are filled in")


@indicator(key="rhythm", stage=Stage.MERINTIS, label=_("A meeting rhythm agreed"), order=30)
def _rhythm(community):
    if community.rhythm_weeks:
        return True, _("Every %(weeks)d week(s)") % {"weeks": community.rhythm_weeks}
    return False, _("Set how often you meet in the community profile")


@indicator(key="problem", stage=Stage.MERINTIS, label=_("At least one shared problem recorded"), order=40)
def _problem(community):
    count = community.problems.count()
    return count >= 1, _("%(count)d problem(s) recorded") % {"count": count}


@indicator(key="principal", stage=Stage.MERINTIS, label=_("The principal has been informed"), order=50)
def _principal(community):
    if community.principal_informed_at:
        return True, _("Informed on %(date)s") % {"date": community.principal_informed_at.date().isoformat()}
    return False, _("Use “Inform the principal” on the stage page")


# Menumbuhkan: ready to sustain?


@indicator(
    key="members_growing",
    stage=Stage.MENUMBUHKAN,
    label=format_lazy(_("At least {n} active members"), n=MIN_GROWING_MEMBERS),
    order=10,
)
def _members_growing(community):
    count = _active_members(community)
    return count >= MIN_GROWING_MEMBERS, _("%(count)d active members") % {"count": count}


@indicator(
    key="shared_roles",
    stage=Stage.MENUMBUHKAN,
    label=_("Organising is shared: two or more coordinators"),
    order=20,
)
def _shared_roles(community):
    count = community.memberships.coordinators().count()
    return count >= 2, _("%(count)d coordinator(s)") % {"count": count}


@indicator(key="problem_resolved", stage=Stage.MENUMBUHKAN, label=_("At least one shared problem resolved"), order=30)
def _problem_resolved(community):
    count = community.problems.filter(status=Problem.Status.RESOLVED).count()
    return count >= 1, _("%(count)d resolved") % {"count": count}


# Merawat: keeping the community healthy.


@indicator(key="renewal", stage=Stage.MERAWAT, label=_("New members joined in the last six months"), order=10)
def _renewal(community):
    since = timezone.now() - timedelta(days=182)
    count = community.memberships.active().filter(joined_at__gte=since).count()
    return count >= 1, _("%(count)d joined since %(date)s") % {
        "count": count,
        "date": since.date().isoformat(),
    }


@indicator(
    key="leaders_renewed",
    stage=Stage.MERAWAT,
    label=_("Organising is shared: two or more coordinators"),
    order=20,
)
def _leaders_renewed(community):
    return _shared_roles(community)
