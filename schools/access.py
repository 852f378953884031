"""Fetch and authorise for the school pages and for feedback.

Schools: `schools_overseen_by(user)` is the rule; a school outside it is a 404 whoever
asks, so its existence is not revealed. Feedback lives in a community and is fetched
through communities.access.get_community_for with the Access rights can_read_feedback,
can_give_feedback and can_reply_feedback.
"""

from django.shortcuts import get_object_or_404

from schools.selectors import schools_overseen_by


def get_school_for(request, npsn):
    return get_object_or_404(schools_overseen_by(request.user), npsn=npsn)
