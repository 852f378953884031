"""Feedback on the pages of other apps: `{% load feedback %}{% feedback_for activity %}`
on the activity page, `{% feedback_for change %}` in the stage page's history."""

from django import template

from activities.models import Activity
from communities.freshness import cached
from communities.models import StageChange
from schools.forms import FEEDBACK_MAX_LENGTH
from schools.selectors import feedback_threads

register = template.Library()


def _threads(community):
    """The community's threads, read once per request and kept on the instance, so a
    page that shows feedback on many stage changes still runs one query (none while the
    community's data is unchanged)."""
    if not hasattr(community, "_feedback_threads"):
        # The same threads for everyone who may read them (checked by the caller); kept
        # while the community's data (feedback, and its authors' names) is unchanged.
        community._feedback_threads = cached(community, "feedback", lambda: feedback_threads(community))
    return community._feedback_threads


def _about(thread, target):
    if isinstance(target, Activity):
        return thread.activity_id == target.pk
    if isinstance(target, StageChange):
        return thread.stage_change_id == target.pk
    return thread.activity_id is None and thread.stage_change_id is None


@register.inclusion_tag("schools/_feedback_for.html", takes_context=True)
def feedback_for(context, target):
    """The feedback threads on `target` (an activity, a stage change, or the community
    for notes about it as a whole) with their replies, and the forms the viewer may use.
    Reads `community` and `access` from the page. Shows nothing to people who may not
    read feedback (and then runs no query); otherwise one query per page."""
    community, access = context.get("community"), context.get("access")
    if community is None or access is None:
        return {"show": False}
    if not access.can_read_feedback:
        return {"show": False}
    threads = [thread for thread in _threads(community) if _about(thread, target)]
    live = not community.archived
    can_write = access.can_give_feedback and live
    field = uid = None
    if isinstance(target, Activity):
        field, uid = "activity", target.uid
    elif isinstance(target, StageChange):
        field, uid = "stage_change", target.uid
    return {
        "show": bool(threads) or can_write,
        "community": community,
        "threads": threads,
        "anchor": uid or "komunitas",
        "target_field": field,
        "target_uid": uid,
        "can_write": can_write,
        "can_reply": access.can_reply_feedback and live,
        "max_length": FEEDBACK_MAX_LENGTH,
    }
