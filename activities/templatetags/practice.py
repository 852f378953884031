"""Pieces of the practice cycle that community pages show. Each tag runs its own few
queries (stated per tag), so the communities app needs no knowledge of activities."""

from django import template
from django.utils import timezone

from activities.selectors import cycle_for, cycle_position

register = template.Library()


@register.inclusion_tag("activities/_problem_cycle.html", takes_context=True)
def problem_cycle(context, problem):
    """The problem's timeline (five queries)."""
    return {
        "problem": problem,
        "events": cycle_for(problem, context["access"]),
        "access": context.get("access"),
        "community": context.get("community"),
        "today": timezone.localdate(),
    }


@register.inclusion_tag("activities/_community_cycle.html", takes_context=True)
def community_cycle(context, community, focus):
    """Where the community stands in the cycle, and what comes next (five queries)."""
    activities = community.activities.select_related("problem")
    return {
        "community": community,
        "access": context.get("access"),
        "focus": focus,
        "steps": cycle_position(focus),
        "upcoming": list(activities.upcoming()[:3]),
        "recent": list(activities.held().order_by("-starts_at")[:3]),
    }
