"""Writes of feedback. Keyword-only and atomic; refusals raise `Refused`, whose
message is shown to the person as it is. Who may write is checked by the views
(schools.access); these functions keep the records consistent."""

from django.db import transaction
from django.utils.translation import gettext as _

from communities.services import Refused, require_live
from schools import notify
from schools.models import Feedback


def clean_body(body):
    """The text of a feedback note or reply, refused when empty."""
    body = (body or "").strip()
    if not body:
        raise Refused(_("Write something before sending."))
    return body


@transaction.atomic
def feedback_leave(*, community, by, body, activity=None, stage_change=None):
    """A new feedback thread on the community, or on one of its activities or stage
    changes (at most one of the two)."""
    require_live(community)
    body = clean_body(body)
    if activity is not None and stage_change is not None:
        raise Refused(_("Feedback is about one thing at a time."))
    target = activity or stage_change
    if target is not None and target.community_id != community.pk:
        raise Refused(_("That belongs to another community."))
    feedback = Feedback.objects.create(
        community=community, activity=activity, stage_change=stage_change, author=by, body=body
    )
    notify.feedback_given(feedback)
    return feedback


@transaction.atomic
def feedback_reply(*, thread, by, body):
    """A reply in a thread. Threads are one level deep: a reply to a reply joins the
    thread of the note it answers. Replies share the thread's target, so a page that
    shows feedback on an activity shows the whole conversation."""
    root = thread.reply_to if thread.reply_to_id else thread
    require_live(root.community)
    body = clean_body(body)
    reply = Feedback.objects.create(
        community_id=root.community_id,
        activity_id=root.activity_id,
        stage_change_id=root.stage_change_id,
        reply_to=root,
        author=by,
        body=body,
    )
    notify.feedback_given(reply)
    return reply
