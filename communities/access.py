"""Fetch and authorise: every view of a community, or of anything in one, starts here."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from communities.models import Community
from kompra.ops.logs import security_event


def get_community_for(request, slug, need=None):
    """(community, access) if the user may see the community; otherwise 404, so its
    existence is not revealed. With `need` (an Access property such as "can_manage"),
    a visible community without that right answers 403."""
    # The community and the person's membership, then visible_to's rule for this one
    # community (Access.may_open): two narrow queries, no subquery to build.
    try:
        community = Community.objects.select_related("home_school").get(slug=slug)
    except Community.DoesNotExist:
        raise Http404 from None
    access = community.access_for(request.user)
    if not access.may_open:
        # A community that exists but is hidden from this person: a refusal worth logging.
        security_event("access_refused", request=request, status=404, community=community.pk)
        raise Http404
    require(access, need)
    return community, access


def require(access, need):
    if need and not getattr(access, need):
        raise PermissionDenied
