"""A person's requests about their own data. Keyword-only and atomic; a request the
rules do not allow raises `Refused`, whose message is shown as it is, nothing changed."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community, Membership
from privacy_rights.models import DeletionRequest

logger = logging.getLogger(__name__)


class Refused(Exception):
    """A request the rules do not allow; the message explains why, to the person."""


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
        raise Refused(_("That password is not right. Nothing was changed."))
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
