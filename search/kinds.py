"""What search knows of each kind of thing: its text, its date, its address, and the one
function that says which of them a person may open.

Each `visible` is the rule of the pages the results link to, and nothing else: the
queryset methods and rules those pages fetch through. A test walks every result link
for every persona and expects 200, so a rule here cannot drift from its page's.

Where a kind's rule is exactly "whoever may open its community" (`in_community=True`),
a search filters its entries by community instead of object by object: the same rule,
evaluated once for all such kinds rather than once per kind, which keeps a search over
a whole province quick. A kind whose page adds a rule of its own says so with
`in_community=False`, and its `visible` is then applied object by object.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from activities.models import Activity, Product, Reflection
from communities.models import Community, Problem
from publishing.models import Publication
from search.models import Kind
from search.text import plain


def visible_communities(user):
    return Community.objects.visible_to(user)


def _in_visible_communities(model, user):
    return model.objects.filter(community__in=Community.objects.visible_to(user))


def visible_problems(user):
    return _in_visible_communities(Problem, user)


def visible_activities(user):
    return _in_visible_communities(Activity, user)


def visible_minutes(user):
    """Activities whose minutes the person may read: the activity page shows them to
    whoever may open it."""
    return visible_activities(user)


def visible_reflections(user):
    """Reflections the person may open: Reflection.objects.visible_to(access) for every
    community at once. An active member (Access.sees_private) reads all of their
    community's; anyone else who sees a community only those shared for reports."""
    member_of = Community.objects.of_member(user)
    return Reflection.objects.filter(community__in=member_of) | Reflection.objects.shared().filter(
        community__in=Community.objects.visible_to(user)
    )


def visible_products(user):
    return _in_visible_communities(Product, user)


def visible_publications(user):
    """Published ones, which the public page shows to anyone."""
    return Publication.objects.published()


def _lines(*texts):
    return "\n".join(text for text in texts if text)


@dataclass(frozen=True)
class KindSpec:
    kind: str
    model: type
    visible: Callable  # visible(user) -> queryset of `model` the user may open
    text: Callable  # text(obj) -> (title, body), or None when there is nothing to find
    date: Callable  # date(obj) -> datetime
    related: tuple = ()  # select_related() that `text` needs
    uid: bool = True  # linked by uid (communities by slug)
    in_community: bool = True  # `visible` is exactly "in a community the user may open"


def _community_text(c):
    return c.name, _lines(plain(c.concern), plain(c.goal), plain(c.norms), c.rhythm_note, *[aim for _l, aim in c.aims])


def _reflection_text(r):
    subject = r.activity or r.action_plan
    title = subject.title if r.activity_id else (str(subject) if subject else "")
    return title, _lines(*(plain(answer) for answer in r.answers.values() if isinstance(answer, str)))


def _minutes_text(a):
    return (a.title, plain(a.minutes)) if a.minutes.strip() else None


SPECS = {
    spec.kind: spec
    for spec in [
        KindSpec(Kind.COMMUNITY, Community, visible_communities, _community_text, lambda c: c.created_at, uid=False),
        KindSpec(
            Kind.PROBLEM, Problem, visible_problems, lambda p: (p.title, plain(p.description)), lambda p: p.created_at
        ),
        KindSpec(
            Kind.ACTIVITY,
            Activity,
            visible_activities,
            lambda a: (a.title, _lines(plain(a.agenda), a.speaker, a.place)),
            lambda a: a.starts_at,
        ),
        KindSpec(Kind.MINUTES, Activity, visible_minutes, _minutes_text, lambda a: a.starts_at),
        KindSpec(
            Kind.REFLECTION,
            Reflection,
            visible_reflections,
            _reflection_text,
            lambda r: r.created_at,
            related=("activity", "action_plan"),
            in_community=False,
        ),
        KindSpec(
            Kind.PRODUCT, Product, visible_products, lambda p: (p.title, plain(p.description)), lambda p: p.created_at
        ),
        KindSpec(
            Kind.PUBLICATION,
            Publication,
            visible_publications,
            lambda p: (p.title, plain(p.summary)),
            lambda p: p.published_at or p.created_at,
            in_community=False,
        ),
    ]
}


def specs_for(model):
    return [spec for spec in SPECS.values() if spec.model is model]


def url_of(entry):
    """The page a result opens. Reads entry.community (select it with the entry)."""
    slug = entry.community.slug
    match entry.kind:
        case Kind.COMMUNITY:
            return reverse("communities:detail", args=[slug])
        case Kind.PROBLEM:
            return reverse("communities:problem", args=[slug, entry.uid])
        case Kind.ACTIVITY:
            return reverse("activities:detail", args=[slug, entry.uid])
        case Kind.MINUTES:
            return reverse("activities:detail", args=[slug, entry.uid]) + "#notulen"
        case Kind.REFLECTION:
            return reverse("activities:reflection", args=[slug, entry.uid])
        case Kind.PRODUCT:
            return reverse("activities:product", args=[slug, entry.uid])
        case Kind.PUBLICATION:
            return reverse("publishing:public", args=[entry.uid])
    raise ValueError(entry.kind)
