"""A person's requests about their own data. Keyword-only and atomic; a request the
rules do not allow raises `Refused`, whose message is shown as it is, nothing changed."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from communities.models import Community, Membership
from notices.mail import site_context, site_url
from notices.tasks import email_send
from privacy_rights.models import DeletionRequest, ExportRequest

logger = logging.getLogger(__name__)


class Refused(Exception):
    """A request the rules do not allow; the message explains why, to the person."""


class WrongPassword(Refused):
    """Counted like a failed login, so the form cannot be used to guess a password."""


def communities_only_they_coordinate(user):
    """The live communities whose only active coordinator is `user`: they must hand
    them over (or archive them) before leaving for good."""
    theirs = Membership.objects.coordinators().filter(user=user).values("community")
    others = Membership.objects.coordinators().exclude(user=user).values("community")
    return Community.objects.active().filter(pk__in=theirs).exclude(pk__in=others).order_by("name")


@transaction.atomic
def deletion_request(*, user, password):
    """Closes the account at once; it is erased after the grace period unless the person
    signs in again before. Refused for a wrong password, a request already pending, or
    while they are the last coordinator of a community."""
    if DeletionRequest.objects.pending().filter(user=user).exists():
        raise Refused(_("You have already asked to delete your account; it is waiting to be erased."))
    if not user.check_password(password):
        raise WrongPassword(_("That password is not right. Nothing was changed."))
    if communities := list(communities_only_they_coordinate(user).values_list("name", flat=True)):
        raise Refused(
            _(
                "You are the only coordinator of %(names)s. Make another member coordinator, or archive "
                "the community, before you delete your account. Nothing was changed."
            )
            % {"names": ", ".join(communities)}
        )
    request = DeletionRequest.objects.create(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    logger.info("account deletion requested: user_id=%s request=%s", user.pk, request.pk)
    return request


@transaction.atomic
def deletion_cancel(*, user):
    """Signing in during the grace period: the account is open again, nothing is erased.
    Returns the cancelled request, or None when none was pending."""
    request = DeletionRequest.objects.select_for_update().pending().filter(user=user).first()
    if request is None:
        return None
    request.state = DeletionRequest.State.CANCELLED
    request.cancelled_at = timezone.now()
    request.save(update_fields=["state", "cancelled_at"])
    user.is_active = True
    user.save(update_fields=["is_active"])
    logger.info("account deletion cancelled: user_id=%s request=%s", user.pk, request.pk)
    return request


# Downloading one's data


@transaction.atomic
def export_request(*, user):
    """Queues the building of a person's data zip. Refused while one is being prepared."""
    from privacy_rights.tasks import export_build

    if ExportRequest.objects.filter(user=user, state=ExportRequest.State.QUEUED).exists():
        raise Refused(_("Your copy is already being prepared; you will get an email when it is ready."))
    export = ExportRequest.objects.create(user=user)
    export_build.enqueue(export.pk)
    logger.info("data export requested: user_id=%s request=%s", user.pk, export.pk)
    return export


def export_build(*, export_id):
    """The worker's half: builds the zip, keeps it until `expires_at`, emails the link."""
    from privacy_rights.export import build_zip

    export = ExportRequest.objects.select_related("user").get(pk=export_id)
    if export.state != ExportRequest.State.QUEUED:
        return export
    user = export.user
    try:
        archive = build_zip(user)
    except Exception:
        ExportRequest.objects.filter(pk=export.pk).update(state=ExportRequest.State.FAILED)
        logger.exception("data export failed: request=%s", export.pk)
        raise
    with archive:
        export.file.save("data.zip", archive, save=False)
    now = timezone.now()
    export.size = export.file.size
    export.state = ExportRequest.State.READY
    export.ready_at = now
    export.expires_at = now + timedelta(days=settings.KOMPRA_EXPORT_DAYS)
    export.save(update_fields=["file", "size", "state", "ready_at", "expires_at"])
    with translation.override(user.language or "id"):
        body = render_to_string(
            "privacy_rights/email/export_ready.txt",
            {
                "person": user,
                "link": site_url(reverse("privacy:exports")),
                "expires_at": export.expires_at,
                **site_context(),
            },
        )
        subject = _("Your copy of your data is ready")
    email_send.enqueue(subject=str(subject), body=body, to=[user.email])
    logger.info("data export ready: user_id=%s request=%s bytes=%s", user.pk, export.pk, export.size)
    return export


def exports_expire(now=None):
    """Deletes the files of downloads past `expires_at`. Returns how many."""
    expired = 0
    for export in ExportRequest.objects.expired(now).exclude(state=ExportRequest.State.EXPIRED):
        if export.file:
            export.file.delete(save=False)
        export.file = ""
        export.state = ExportRequest.State.EXPIRED
        export.save(update_fields=["file", "state"])
        expired += 1
    return expired
