"""Fetch and authorise for the school pages and for feedback.

Schools: `schools_overseen_by(user)` is the rule (`oversees` applies it to one school); a
school outside it is a 404 whoever asks, so its existence is not revealed. Feedback lives
in a community and is fetched through communities.access.get_community_for with the
Access rights can_read_feedback, can_give_feedback and can_reply_feedback.
"""

from django.http import Http404

from kompra.accounts.models import School
from kompra.ops.rows import one_row
from schools.selectors import oversees


def get_school_for(request, npsn):
    school = one_row(School, npsn=npsn)
    if school is None or not oversees(request.user, school):
        raise Http404
    return school
