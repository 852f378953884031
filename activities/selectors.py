"""Reads shaped once: the dashboard's to-dos and a problem's practice cycle."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import ActionPlan, Activity, Attendance, Document, Reflection, ReflectionDismissal
from communities.models import Community

UPCOMING_DAYS = 14
REFLECTION_PROMPT_DAYS = 30
ACTIONS_DUE_DAYS = 7


def dashboard_for(user):
    """Upcoming activities, reflections to write and actions due. Three queries."""
    now = timezone.now()
    mine = Community.objects.of_member(user).filter(archived=False)
    upcoming = list(
        Activity.objects.filter(community__in=mine, status=Activity.Status.PLANNED)
        .filter(ends_at__gte=now, starts_at__lte=now + timedelta(days=UPCOMING_DAYS))
        .select_related("community")
        .order_by("starts_at")[:10]
    )
    to_reflect = list(
        Activity.objects.filter(
            community__in=mine,
            status=Activity.Status.HELD,
            starts_at__gte=now - timedelta(days=REFLECTION_PROMPT_DAYS),
            attendances__user=user,
            attendances__status=Attendance.Status.PRESENT,
        )
        .exclude(Exists(Reflection.objects.filter(activity=OuterRef("pk"), author=user)))
        .exclude(Exists(ReflectionDismissal.objects.filter(activity=OuterRef("pk"), user=user)))
        .select_related("community")
        .order_by("-starts_at")[:10]
    )
    actions = list(
        ActionPlan.objects.open()
        .filter(owner=user, community__archived=False, due__lte=timezone.localdate() + timedelta(days=ACTIONS_DUE_DAYS))
        .select_related("community", "problem")
        .order_by("due")[:10]
    )
    return {"upcoming": upcoming, "to_reflect": to_reflect, "actions_due": actions}


def cycle_for(problem, access):
    """The problem's practice cycle in time order: action plans, activities, their
    documentation and reflections (those the viewer, `access`, may see), and products.
    Five queries, whatever the numbers."""
    plans = list(problem.action_plans.select_related("owner", "community"))
    activities = list(problem.activities.select_related("proposed_by", "community"))
    documents = list(
        Document.objects.visible_to(access)
        .filter(activity__in=activities)
        .select_related("activity", "community")
        .order_by("created_at")
    )
    reflections = list(
        Reflection.objects.visible_to(access)
        .filter(Q(activity__in=activities) | Q(action_plan__in=plans))
        .select_related("author", "community")
        .order_by("created_at")
    )
    products = list(problem.products.select_related("community"))
    events = [("problem", problem.created_at, problem)]
    events += [("action", plan.created_at, plan) for plan in plans]
    events += [("activity", activity.starts_at, activity) for activity in activities]
    events += [("document", document.created_at, document) for document in documents]
    events += [("reflection", reflection.created_at, reflection) for reflection in reflections]
    events += [("product", product.created_at, product) for product in products]
    events.sort(key=lambda event: event[1])
    return events


CYCLE_STEPS = {
    "problem": _("Problem"),
    "action": _("Action plan"),
    "activity": _("Activity held"),
    "reflection": _("Reflection"),
}

# Later steps of the cycle that other apps own (publishing adds "publication"):
# step -> (label, reached(problem, held_activities) -> bool), registered from their
# AppConfig.ready().
LATER_CYCLE_STEPS = {}


def cycle_step(step, *, label):
    """Registers reached(problem, held_activities) -> bool as the check of a later step."""

    def register(reached):
        LATER_CYCLE_STEPS[step] = (label, reached)
        return reached

    return register


def cycle_position(problem):
    """Which steps of the cycle this problem has reached, for a member's quick look:
    a list of (step, label, done). One query per step."""
    if problem is None:
        return []
    held = problem.activities.filter(status=Activity.Status.HELD)
    has_reflection = (
        Reflection.objects.filter(activity__in=held).exists()
        or Reflection.objects.filter(action_plan__problem=problem).exists()
    )
    done = {
        "problem": True,
        "action": problem.action_plans.exists(),
        "activity": held.exists(),
        "reflection": has_reflection,
    }
    position = [(step, label, done[step]) for step, label in CYCLE_STEPS.items()]
    return position + [(step, label, reached(problem, held)) for step, (label, reached) in LATER_CYCLE_STEPS.items()]
