"""Photos showing students: their consent log, withdrawing consent (a parent asked),
and purging old ones. A withdrawn or purged photo leaves every publication at once and
its files are deleted; the log keeps who did it and when, without the photo."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from activities.models import Document
from privacy_rights.models import PhotoConsentEvent

logger = logging.getLogger(__name__)


def student_photos(community):
    return Document.objects.filter(community=community, shows_students=True)


def consent_given(document):
    """Logs consent confirmed for a photo showing students (called when it is saved)."""
    PhotoConsentEvent.objects.create(
        community_id=document.community_id,
        activity_id=document.activity_id,
        photo_uid=document.uid,
        kind=PhotoConsentEvent.Kind.GIVEN,
        by_id=document.uploaded_by_id,
        at=document.created_at,
    )


def _remove(document, *, kind, by, now):
    PhotoConsentEvent.objects.create(
        community_id=document.community_id,
        activity_id=document.activity_id,
        photo_uid=document.uid,
        kind=kind,
        by=by,
        at=now,
    )
    document.publications.clear()
    files = [f for f in (document.file, document.thumbnail) if f]
    storage_names = [(f.storage, f.name) for f in files]
    document.delete()
    # The files go once the rows are gone for good (not if the transaction rolls back).
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in storage_names])


@transaction.atomic
def photo_consent_withdraw(*, document, by):
    """The parents withdrew their consent: the photo leaves every publication and the
    community, its files are deleted, and the withdrawal is logged."""
    _remove(document, kind=PhotoConsentEvent.Kind.WITHDRAWN, by=by, now=timezone.now())
    logger.info("student photo consent withdrawn: community=%s by=%s", document.community_id, by.pk)


def purge_candidates(community, *, days, now=None):
    return student_photos(community).filter(created_at__lt=(now or timezone.now()) - timedelta(days=days))


@transaction.atomic
def student_photos_purge(*, community, days, by):
    """Deletes the community's photos showing students older than `days`. Returns how many."""
    now = timezone.now()
    removed = 0
    for document in purge_candidates(community, days=days, now=now).select_for_update():
        _remove(document, kind=PhotoConsentEvent.Kind.PURGED, by=by, now=now)
        removed += 1
    logger.info("student photos purged: community=%s by=%s count=%s", community.pk, by.pk, removed)
    return removed
