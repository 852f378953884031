"""Stage readiness: indicators computed from a community's own records.

No official checklist says when a community is ready for its next stage; these are
Kompra's suggestions, and the coordinator decides.

Two small registries make this extensible. Fact providers gather numbers for many
communities at once (a fixed number of queries, however many communities), and
indicators turn one community's facts into (met, detail). Other apps register both
in their AppConfig.ready(), so the list grows with the records kept.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from communities.models import Membership, Problem, Stage

MIN_ACTIVE_MEMBERS = 3
MIN_GROWING_MEMBERS = 5
RENEWAL_DAYS = 182


@dataclass(frozen=True)
class Indicator:
    key: str
    stage: str  # shown while the community is in this stage
    label: str
    check: Callable  # check(community, facts) -> (met: bool, detail: str)
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
FACT_PROVIDERS: list[Callable] = []


def indicator(*, key, stage, label, order=100):
    """Registers check(community, facts) -> (met, detail) as a readiness indicator."""

    def register(check):
        REGISTRY[key] = Indicator(key=key, stage=stage, label=label, check=check, order=order)
        return check

    return register


def fact_provider(provide):
    """Registers provide(community_ids) -> {community_id: {fact: value}}. It must use a
    fixed number of queries, whatever the number of communities."""
    FACT_PROVIDERS.append(provide)
    return provide


def indicators_for(stage):
    return sorted((i for i in REGISTRY.values() if i.stage == stage), key=lambda i: (i.order, i.key))


def facts_for(communities, ids=None):
    """{community_id: facts} for all of them: one pass of every provider. `ids`, if
    given, are their pks in a form the providers may filter on (see
    schools.selectors.PkSet); by default, the list of them."""
    ids = [c.pk for c in communities] if ids is None else ids
    facts = {pk: {} for pk in ids}
    for provide in FACT_PROVIDERS:
        for pk, values in provide(ids).items():
            facts[pk].update(values)
    return facts


def readiness(community, facts=None):
    """The checklist for the community's current stage."""
    if facts is None:
        facts = facts_for([community])[community.pk]
    return [
        Result(indicator=item, met=met, detail=detail)
        for item in indicators_for(community.stage)
        for met, detail in [item.check(community, facts)]
    ]


def readiness_many(communities):
    """{community_id: [Result]} for a list of communities, in a fixed number of queries."""
    facts = facts_for(communities)
    return {c.pk: readiness(c, facts[c.pk]) for c in communities}


# Facts from memberships and problems


@fact_provider
def _membership_facts(ids):
    since = timezone.now() - timedelta(days=RENEWAL_DAYS)
    active = Q(status=Membership.Status.ACTIVE)
    rows = (
        Membership.objects.filter(community_id__in=ids)
        .values("community_id")
        .annotate(
            active_members=Count("pk", filter=active),
            coordinators=Count("pk", filter=active & Q(role=Membership.Role.COORDINATOR)),
            recent_joins=Count("pk", filter=active & Q(joined_at__gte=since)),
        )
    )
    return {row.pop("community_id"): row for row in rows}


@fact_provider
def _problem_facts(ids):
    rows = (
        Problem.objects.filter(community_id__in=ids)
        .values("community_id")
        .annotate(problems=Count("pk"), resolved_problems=Count("pk", filter=Q(status=Problem.Status.RESOLVED)))
    )
    return {row.pop("community_id"): row for row in rows}


# Merintis: ready to start growing?


@indicator(
    key="members",
    stage=Stage.MERINTIS,
    label=format_lazy(_("At least {n} active members"), n=MIN_ACTIVE_MEMBERS),
    order=10,
)
def _members(community, facts):
    count = facts.get("active_members", 0)
    return count >= MIN_ACTIVE_MEMBERS, _("%(count)d active members") % {"count": count}


@indicator(key="profile", stage=Stage.MERINTIS, label=_("Shared concern, goal and norms written down"), order=20)
def _profile(community, facts):
    missing = [
        str(community._meta.get_field(name).verbose_name)
        for name in ("concern", "goal", "norms")
        if not getattr(community, name).strip()
    ]
    if missing:
        return False, _("Still missing: %(fields)s") % {"fields": ", ".join(missing)}
    return True, _("All three are filled in")


@indicator(key="rhythm", stage=Stage.MERINTIS, label=_("A meeting rhythm agreed"), order=30)
def _rhythm(community, facts):
    if community.rhythm_weeks:
        return True, _("Every %(weeks)d week(s)") % {"weeks": community.rhythm_weeks}
    return False, _("Set how often you meet in the community profile")


@indicator(key="problem", stage=Stage.MERINTIS, label=_("At least one shared problem recorded"), order=40)
def _problem(community, facts):
    count = facts.get("problems", 0)
    return count >= 1, _("%(count)d problem(s) recorded") % {"count": count}


@indicator(key="principal", stage=Stage.MERINTIS, label=_("The principal has been informed"), order=50)
def _principal(community, facts):
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
def _members_growing(community, facts):
    count = facts.get("active_members", 0)
    return count >= MIN_GROWING_MEMBERS, _("%(count)d active members") % {"count": count}


@indicator(
    key="shared_roles", stage=Stage.MENUMBUHKAN, label=_("Organising is shared: two or more coordinators"), order=20
)
def _shared_roles(community, facts):
    count = facts.get("coordinators", 0)
    return count >= 2, _("%(count)d coordinator(s)") % {"count": count}


@indicator(key="problem_resolved", stage=Stage.MENUMBUHKAN, label=_("At least one shared problem resolved"), order=30)
def _problem_resolved(community, facts):
    count = facts.get("resolved_problems", 0)
    return count >= 1, _("%(count)d resolved") % {"count": count}


# Merawat: keeping the community healthy.


@indicator(key="renewal", stage=Stage.MERAWAT, label=_("New members joined in the last six months"), order=10)
def _renewal(community, facts):
    count = facts.get("recent_joins", 0)
    return count >= 1, _("%(count)d joined in the last six months") % {"count": count}


@indicator(
    key="leaders_renewed", stage=Stage.MERAWAT, label=_("Organising is shared: two or more coordinators"), order=20
)
def _leaders_renewed(community, facts):
    return _shared_roles(community, facts)
