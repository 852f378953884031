"""What feedback tells people: coordinators hear the principal's feedback."""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from communities.models import Community
from communities.notify import COORDINATORS, coordinators_of
from notices import registry
from notices.services import notice_send
from schools.models import Feedback

registry.kind("feedback", label=gettext_lazy("The principal's feedback"), audience=COORDINATORS, order=17)


@registry.visibility(Feedback)
def _feedback_visible(user, pks):
    rows = list(
        Feedback.objects.filter(pk__in=pks, community__in=Community.objects.visible_to(user)).select_related(
            "community"
        )
    )
    allowed = {}
    for row in rows:
        if row.community_id not in allowed:
            allowed[row.community_id] = row.community.access_for(user).can_read_feedback
    return [row.pk for row in rows if allowed[row.community_id]]


def feedback_given(feedback):
    """Tells the coordinators, unless one of them wrote it."""
    community = feedback.community
    if community.memberships.coordinators().filter(user=feedback.author).exists():
        return
    notice_send(
        kind="feedback",
        to=coordinators_of(community),
        about=feedback,
        group=community,
        url=reverse("schools:feedback", args=[community.slug]),
        title=gettext_lazy("%(name)s left feedback for %(community)s"),
        params={"name": str(feedback.author), "community": community.name},
    )
