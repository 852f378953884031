"""What publishing tells people: a new publication of their community, and a
reflection's author answering the request to publish it."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Community, Membership
from communities.notify import COORDINATORS, MEMBERS, coordinators_of, members_of
from notices import registry
from notices.registry import DigestLine, Mode
from notices.services import notice_send
from publishing.models import Publication

registry.kind(
    "publication_new",
    label=gettext_lazy("A new publication of your community"),
    audience=MEMBERS,
    default=Mode.DIGEST,
    order=42,
)
registry.kind(
    "publication_answered",
    label=gettext_lazy("An author answered a request to publish"),
    audience=COORDINATORS,
    order=16,
)


@registry.visibility(Publication)
def _publication_visible(user, pks):
    communities = Community.objects.visible_to(user)
    return Publication.objects.filter(
        Q(pk__in=pks) & (Q(community__in=communities) | Q(pk__in=Publication.objects.published().values("pk")))
    ).values_list("pk", flat=True)


def _page(publication):
    return publication.get_absolute_url()


def publication_new(publication, by):
    community = publication.community
    notice_send(
        kind="publication_new",
        to=members_of(community, exclude=by),
        about=publication,
        group=community,
        url=_page(publication),
        title=gettext_lazy("%(community)s published: %(title)s"),
        params={"community": community.name, "title": publication.title},
    )


def publication_answered(publication, by, agreed):
    community = publication.community
    title = (
        gettext_lazy("%(name)s agreed to publish their reflection: %(title)s")
        if agreed
        else gettext_lazy("%(name)s declined to publish their reflection: %(title)s")
    )
    notice_send(
        kind="publication_answered",
        to=coordinators_of(community, exclude=by),
        about=publication,
        group=community,
        url=_page(publication),
        title=title,
        params={"name": str(by), "title": publication.title},
    )


@registry.digest_section
def _new_publications(users, since, until):
    memberships = Membership.objects.active().filter(user__in=users).values_list("user_id", "community_id")
    people_of = {}
    for user_id, community_id in memberships:
        people_of.setdefault(community_id, []).append(user_id)
    publications = (
        Publication.objects.published()
        .filter(community_id__in=people_of, published_at__gte=since)
        .select_related("community")
        .order_by("published_at")
    )
    heading = _("New publications")
    lines = {}
    for publication in publications:
        for user_id in people_of[publication.community_id]:
            lines.setdefault(user_id, []).append(
                DigestLine(
                    section=heading,
                    text=f"{publication.title} ({publication.community.name})",
                    url=_page(publication),
                    order=40,
                )
            )
    return lines
