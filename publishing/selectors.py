from django.utils.translation import gettext_lazy as _

from communities.public_items import PublicItem
from publishing.models import Publication


def publication_requests_for(user):
    """Publications of the user's reflections waiting for their agreement. One query."""
    return list(
        Publication.objects.filter(status=Publication.Status.AWAITING_AUTHOR, reflection__author=user)
        .select_related("community", "reflection", "published_by")
        .defer("published_by__password")
        .order_by("created_at")
    )


def live_items(community):
    """The community's publications that are public, or will be once their author
    agrees, as items for the community's visibility question. One query."""
    live = community.publications.filter(
        status__in=[Publication.Status.PUBLISHED, Publication.Status.AWAITING_AUTHOR]
    ).order_by("-published_at", "-created_at")
    return [
        PublicItem(
            title=publication.title,
            url=publication.get_absolute_url(),
            note="" if publication.is_public else _("public once its author agrees"),
        )
        for publication in live
    ]
