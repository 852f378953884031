"""Reads that several pages share, shaped once."""

from communities.models import Community, Membership


def dashboard_for(user):
    """What the dashboard shows of communities: mine, invitations to answer and
    requests to approve. Three queries, whatever the numbers."""
    mine = list(Community.objects.of_member(user).filter(archived=False).for_listing())
    invitations = list(
        Membership.objects.filter(user=user, status=Membership.Status.INVITED, community__archived=False)
        .select_related("community", "invited_by")
        .defer("invited_by__password")
        .order_by("-created_at")
    )
    requests = list(
        Membership.objects.filter(
            status=Membership.Status.REQUESTED,
            community__in=Community.objects.managed_by(user).filter(archived=False),
        )
        .select_related("community", "user__school")
        .defer("user__password")
        .order_by("created_at")
    )
    return {"communities": mine, "invitations": invitations, "join_requests": requests}
