"""Fetch and authorise for the school pages and for feedback.

Schools: `schools_overseen_by(user)` is the rule; a school outside it is a 404 whoever
asks, so its existence is not revealed. Feedback lives in a community, so it is
fetched through communities.access.get_community_for (outsiders 404), and then:

- read the threads: the community's active members (coordinators included), the home
  school's principal and site admins; a visible community without that right is a 403;
- write a feedback note: the home school's principal only;
- reply in a thread: the community's coordinators and the home school's principal.
"""

from django.shortcuts import get_object_or_404

from communities.access import get_community_for, require
from schools.selectors import schools_overseen_by


def get_school_for(request, npsn):
    return get_object_or_404(schools_overseen_by(request.user), npsn=npsn)


class FeedbackRights:
    """What one person may do with a community's feedback (see the module docstring)."""

    def __init__(self, access):
        self.access = access

    @property
    def can_read(self):
        return self.access.is_member or self.access.is_home_principal or self.access.user.is_staff

    @property
    def can_write(self):
        return self.access.is_home_principal

    @property
    def can_reply(self):
        return self.access.is_coordinator or self.access.is_home_principal


def get_feedback_community(request, slug, need="can_read"):
    """(community, access, rights): 404 for those who may not see the community, 403
    for those who see it but lack `need` (a FeedbackRights property)."""
    community, access = get_community_for(request, slug)
    rights = FeedbackRights(access)
    require(rights, need)
    return community, access, rights
