"""Pieces of the practice cycle that community pages show. Each tag runs its own few
queries (stated per tag), so the communities app needs no knowledge of activities."""

from django import template
from django.utils import timezone

from activities.selectors import cycle_for, cycle_position
from communities.freshness import cached

register = template.Library()


@register.inclusion_tag("activities/_problem_cycle.html", takes_context=True)
def problem_cycle(context, problem):
    """The problem's timeline (five queries, or none while the community's data, the
    viewer's sight of private content and the minute are unchanged: the timeline is
    cached by the template, and `events` is only read when it is rendered)."""
    access = context["access"]
    return {
        "problem": problem,
        "events": lambda: cycle_for(problem, access),
        "access": context.get("access"),
        "community": context.get("community"),
        "today": timezone.localdate(),
    }


@register.inclusion_tag("activities/_community_cycle.html", takes_context=True)
def community_cycle(context, community, focus):
    """Where the community stands in the cycle, and what comes next (five queries, or
    none while the community's data and the minute are unchanged: the same for every
    viewer, since it counts reflections without showing any)."""

    def compute():
        activities = community.activities.select_related("problem")
        return {
            "steps": cycle_position(focus),
            "upcoming": list(activities.upcoming()[:3]),
            "recent": list(activities.held().order_by("-starts_at")[:3]),
        }

    def facts():
        return cached(community, "cycle", compute, focus.pk if focus else "", clock=True)

    # Read only when the section is rendered, not while its rendering is kept (the
    # template's {% fragment %}, under the same version, the viewer's right to plan).
    return {
        "community": community,
        "access": context.get("access"),
        "focus": focus,
        "steps": lambda: facts()["steps"],
        "upcoming": lambda: facts()["upcoming"],
        "recent": lambda: facts()["recent"],
    }
