"""Fetch and authorise: every view of a community, or of anything in one, starts here."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from communities.models import Community


def get_community_for(request, slug, need=None):
    """(community, access) if the user may see the community; otherwise 404, so its
    existence is not revealed. With `need` (an Access property such as "can_manage"),
    a visible community without that right answers 403."""
    community = get_object_or_404(Community.objects.visible_to(request.user).select_related("home_school"), slug=slug)
    access = community.access_for(request.user)
    require(access, need)
    return community, access


def require(access, need):
    if need and not getattr(access, need):
        raise PermissionDenied
