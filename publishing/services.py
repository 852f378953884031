"""Publishing: making a community's result public, with consent for students' photos
and for reflections, and taking it back."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Document
from communities.freshness import bump
from communities.services import Refused, require_live
from publishing import notify
from publishing.models import Publication


def photos_of(source):
    """The photos a publication of `source` may show (a reflection has none)."""
    documents = getattr(source, "documents", None)
    return list(documents.photos().order_by("created_at")) if documents is not None else []


@transaction.atomic
def publication_create(*, community, by, source, title, summary, photo_uids=(), consent_now=()):
    """Publishes `source` (a held activity, a product or a reflection of this community).

    Photos showing students go public only with consent: those whose consent the
    coordinator confirms now (`consent_now`) are recorded as consented; the others are
    left out. Returns (publication, left_out_count). A reflection of someone else waits
    for its author's agreement before it is public."""
    require_live(community)
    kind = source._meta.model_name
    if source.community_id != community.pk:
        raise Refused(_("This item does not belong to the community."))
    if kind == "activity" and source.status != Activity.Status.HELD:
        raise Refused(_("Only activities that have been held can be published; this one is not (yet)."))
    if (
        Publication.objects.filter(**{kind: source})
        .exclude(status__in=[Publication.Status.WITHDRAWN, Publication.Status.DECLINED])
        .exists()
    ):
        raise Refused(_("This item has already been published."))

    chosen = [p for p in photos_of(source) if str(p.uid) in set(map(str, photo_uids))]
    confirmed = set(map(str, consent_now))
    included, left_out = [], 0
    for photo in chosen:
        if photo.shows_students and not photo.consent_confirmed:
            if str(photo.uid) in confirmed:
                Document.objects.filter(pk=photo.pk).update(consent_confirmed=True)
                bump(photo.community_id)
            else:
                left_out += 1
                continue
        included.append(photo)

    awaiting = kind == "reflection" and source.author_id != by.pk
    now = timezone.now()
    try:
        with transaction.atomic():
            publication = Publication.objects.create(
                community=community,
                title=title,
                summary=summary,
                published_by=by,
                status=Publication.Status.AWAITING_AUTHOR if awaiting else Publication.Status.PUBLISHED,
                published_at=None if awaiting else now,
                author_answered_at=now if kind == "reflection" and not awaiting else None,
                **{kind: source},
            )
    except IntegrityError:
        raise Refused(_("This item has already been published.")) from None
    publication.photos.set(included)
    if publication.status == Publication.Status.PUBLISHED:
        notify.publication_new(publication, by)
    return publication, left_out


@transaction.atomic
def publication_author_answer(*, publication, by, agree):
    """The reflection's author agrees (it goes public) or declines (it never does)."""
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    if publication.reflection is None or publication.reflection.author_id != by.pk:
        raise Refused(_("Only the author of the reflection can answer."))
    if publication.status != Publication.Status.AWAITING_AUTHOR:
        raise Refused(_("This request has already been answered."))
    now = timezone.now()
    publication.author_answered_at = now
    if agree:
        publication.status = Publication.Status.PUBLISHED
        publication.published_at = now
    else:
        publication.status = Publication.Status.DECLINED
    publication.save(update_fields=["status", "published_at", "author_answered_at"])
    notify.publication_answered(publication, by, agreed=agree)
    if agree:
        notify.publication_new(publication, by)
    return publication


def publication_withdraw(*, publication, by):
    if publication.status == Publication.Status.WITHDRAWN:
        raise Refused(_("This publication has already been withdrawn."))
    publication.status = Publication.Status.WITHDRAWN
    publication.withdrawn_at = timezone.now()
    publication.save(update_fields=["status", "withdrawn_at"])
    return publication


def publication_withdraw_all(*, community, by):
    """Withdraws every publication of `community` that is public or waiting for its
    author, as when the community becomes less visible. Returns how many."""
    live = community.publications.filter(status__in=[Publication.Status.PUBLISHED, Publication.Status.AWAITING_AUTHOR])
    withdrawn = live.update(status=Publication.Status.WITHDRAWN, withdrawn_at=timezone.now())
    bump(community.pk)  # a bulk update sends no signal (communities/freshness.py)
    return withdrawn
