"""Writes of the feedback between supervisors and principals. Keyword-only and atomic;
refusals raise communities.services.Refused. Who may write is checked by the views (supervision.access).

The other side is told by email, in their own language: a supervisor's note goes to the
school's principals, a principal's reply to the supervisors in the thread."""

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from kompra.accounts.models import User
from schools.services import clean_body
from supervision.models import SchoolFeedback


@transaction.atomic
def school_feedback_leave(*, school, by, body, link=""):
    """A new thread to the school's principal."""
    note = SchoolFeedback.objects.create(school=school, author=by, body=clean_body(body))
    _tell(note, _principals(school), link)
    return note


@transaction.atomic
def school_feedback_reply(*, thread, by, body, link=""):
    """A reply in a thread; threads are one level deep, as the communities' feedback."""
    root = thread.reply_to if thread.reply_to_id else thread
    note = SchoolFeedback.objects.create(school=root.school, reply_to=root, author=by, body=clean_body(body))
    if by.is_principal:
        people = User.objects.filter(
            pk__in=[root.author_id, *root.replies.values_list("author_id", flat=True)],
            role__in=User.SUPERVISOR_ROLES,
            is_active=True,
        )
    else:
        people = _principals(root.school)
    _tell(note, people, link)
    return note


def _principals(school):
    return User.objects.filter(school=school, role=User.Role.PRINCIPAL, is_active=True)


def _tell(note, people, link):
    """One email per person, in their language, sent when the transaction commits."""
    messages = []
    for person in people:
        if person.pk == note.author_id:
            continue
        with translation.override(person.language):
            subject = _("Feedback on the communities of practice at %(school)s") % {"school": note.school.name}
            body = render_to_string("supervision/email/feedback.txt", {"note": note, "link": link})
        messages.append((subject, body, person.email))

    def send():
        for subject, body, address in messages:
            send_mail(subject, body, None, [address])

    transaction.on_commit(send)
