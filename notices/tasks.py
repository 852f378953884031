"""Work done by the task worker (`manage.py db_worker`), never inside a request.

Exactly once: a notice's email is claimed by switching it from PENDING to SENDING
under the person's EmailPace row lock, so two workers, a retry or a restart can
never send it twice. A worker that dies between claiming and sending leaves the
notice SENDING: it is lost rather than sent twice, and the admin shows it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notices import bell
from notices.mail import build_message, site_url
from notices.models import EmailPace, Notice
from notices.services import still_visible

logger = logging.getLogger(__name__)
User = get_user_model()

# Tries of one email, and the wait before each retry: 1, 5, 25, 125 minutes.
MAX_ATTEMPTS = 5
BACKOFF_BASE_MINUTES = 5


class DeliveryFailed(Exception):
    """An email gave up after its last try; the task shows as failed in the admin."""


def backoff(attempt):
    return timedelta(minutes=BACKOFF_BASE_MINUTES ** (attempt - 1))


@task
def deliver_email(user_ids):
    """Sends each person the notices waiting for them, batched: urgent ones at once,
    the others at most once per KOMPRA_EMAIL_BATCH_MINUTES."""
    failed = []
    for user_id in user_ids:
        if not _deliver_to(user_id):
            failed.append(user_id)
    if failed:
        raise DeliveryFailed(f"Gave up emailing users {failed} after {MAX_ATTEMPTS} tries.")
    return len(user_ids)


def _claim(user_id, now):
    """Claims the person's waiting notices, or says when to come back. (notices, wait_until)."""
    window = timedelta(minutes=settings.KOMPRA_EMAIL_BATCH_MINUTES)
    with transaction.atomic():
        EmailPace.objects.get_or_create(user_id=user_id)
        pace = EmailPace.objects.select_for_update().get(user_id=user_id)
        waiting = list(Notice.objects.filter(recipient_id=user_id, email_status=Notice.Email.PENDING))
        if not waiting:
            return [], None
        urgent = any(n.urgent for n in waiting)
        if not urgent and pace.last_sent_at and now < pace.last_sent_at + window:
            wait_until = pace.last_sent_at + window
            if pace.next_run_at and pace.next_run_at >= wait_until:
                return [], None  # a later run is already booked
            pace.next_run_at = wait_until
            pace.save(update_fields=["next_run_at"])
            return [], wait_until
        Notice.objects.filter(pk__in=[n.pk for n in waiting]).update(
            email_status=Notice.Email.SENDING, email_attempts=F("email_attempts") + 1
        )
        if not urgent or not pace.last_sent_at or now >= pace.last_sent_at + window:
            pace.last_sent_at = now
        pace.save(update_fields=["last_sent_at"])
        return waiting, None


def _deliver_to(user_id):
    """False when the email gave up for good."""
    now = timezone.now()
    notices, wait_until = _claim(user_id, now)
    if wait_until is not None:
        deliver_email.using(run_after=wait_until).enqueue([user_id])
        return True
    if not notices:
        return True
    user = User.objects.get(pk=user_id)
    visible = still_visible(user, notices) if user.is_active else []
    gone = [n.pk for n in notices if n not in visible]
    if gone:
        Notice.objects.filter(pk__in=gone).update(email_status=Notice.Email.DROPPED, withdrawn=True)
        bell.forget([user_id])
    if not visible:
        return True
    ids = [n.pk for n in visible]
    try:
        message = _message_for(user, visible)
        mailers.default.send_messages([message])
    except Exception as exc:  # any mail-server or network error: retry later
        attempts = max(n.email_attempts for n in visible) + 1
        error = f"{type(exc).__name__}: {exc}"[:300]
        if attempts >= MAX_ATTEMPTS:
            Notice.objects.filter(pk__in=ids).update(email_status=Notice.Email.FAILED, email_error=error)
            logger.error("Email to user %s failed for good: %s", user_id, error)
            return False
        Notice.objects.filter(pk__in=ids).update(email_status=Notice.Email.PENDING, email_error=error)
        deliver_email.using(run_after=timezone.now() + backoff(attempts)).enqueue([user_id])
        logger.warning("Email to user %s failed (try %s), retrying: %s", user_id, attempts, error)
        return True
    Notice.objects.filter(pk__in=ids).update(email_status=Notice.Email.SENT, emailed_at=timezone.now(), email_error="")
    return True


def _message_for(user, notices):
    notices = sorted(notices, key=lambda n: n.created_at)
    with translation.override(user.language or "id"):
        if len(notices) == 1:
            subject = notices[0].title
        else:
            subject = ngettext("%(count)d new notice", "%(count)d new notices", len(notices)) % {"count": len(notices)}
        items = [{"notice": n, "link": site_url(n.url) if n.url else site_url()} for n in notices]
        heading = _("What is new for you")
    return build_message(
        user=user,
        subject=subject,
        template="notices/email/notices",
        context={"items": items, "heading": heading},
        kinds={n.kind for n in notices},
    )


@task
def email_send(*, subject, body, to, attempt=1):
    """A one-off email to an address that may have no account (an invitation link),
    retried with backoff when the mail server fails."""
    message = EmailMultiAlternatives(
        subject=" ".join(f"[{settings.KOMPRA_SITE_NAME}] {subject}".split()), body=body, to=to
    )
    try:
        mailers.default.send_messages([message])
    except Exception as exc:
        if attempt >= MAX_ATTEMPTS:
            # No address in logs or task results: they are personal data (README, "Personal data").
            raise DeliveryFailed(
                f"Gave up emailing {len(to)} address(es) after {attempt} tries: {type(exc).__name__}"
            ) from exc
        email_send.using(run_after=timezone.now() + backoff(attempt)).enqueue(
            subject=subject, body=body, to=to, attempt=attempt + 1
        )
        logger.warning("Email to %s address(es) failed (try %s), retrying: %s", len(to), attempt, type(exc).__name__)
    return attempt
