from publishing.models import Publication


def publication_requests_for(user):
    """Publications of the user's reflections waiting for their agreement. One query."""
    return list(
        Publication.objects.filter(status=Publication.Status.AWAITING_AUTHOR, reflection__author=user)
        .select_related("community", "reflection", "published_by")
        .order_by("created_at")
    )
