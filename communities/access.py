"""Fetch and authorise: every view of a community, or of anything in one, starts here."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from communities.models import Access, Community, Membership
from kompra.accounts.models import School
from kompra.ops.logs import security_event
from kompra.ops.rows import one_row_joined


def get_community_for(request, slug, need=None):
    """(community, access) if the user may see the community; otherwise 404, so its
    existence is not revealed. With `need` (an Access property such as "can_manage"),
    a visible community without that right answers 403."""
    # The community, its school and the person's membership in one read, without a
    # queryset to build (kompra/ops/rows.py), then visible_to's rule for this one
    # community (Access.may_open).
    community, joined = one_row_joined(
        Community,
        {
            "s": (School, "s.id = t.home_school_id", [], True),
            "m": (Membership, "m.community_id = t.id AND m.user_id = %s", [request.user.pk], False),
        },
        slug=slug,
    )
    if community is None:
        raise Http404
    community.home_school = joined["s"]
    access = Access(community=community, user=request.user, membership=joined["m"])
    if not access.may_open:
        # A community that exists but is hidden from this person: a refusal worth logging.
        security_event("access_refused", request=request, status=404, community=community.pk)
        raise Http404
    require(access, need)
    return community, access


def require(access, need):
    if need and not getattr(access, need):
        raise PermissionDenied
