"""The sections of a community page, as tabs.

Communities owns the tab bar; every app that adds a section registers its tab here
from its AppConfig.ready() (as it registers readiness indicators), so this app never
names a later one. A tab is shown when `shown(access)` says so.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tab:
    key: str  # the `tab` a page passes to mark itself active
    label: str
    url_name: str  # a URL taking the community's slug
    order: int
    main: bool = False  # one of the few sections a phone shows first
    shown: Callable | None = None  # shown(access) -> bool; None: whoever sees the community

    def url(self, community):
        return reverse(self.url_name, args=[community.slug])


REGISTRY: dict[str, Tab] = {}


def tab(*, key, label, url_name, order, main=False, shown=None):
    REGISTRY[key] = Tab(key=key, label=label, url_name=url_name, order=order, main=main, shown=shown)


def tabs_for(access):
    """The tabs this person sees, in order."""
    return sorted(
        (t for t in REGISTRY.values() if t.shown is None or t.shown(access)),
        key=lambda t: (t.order, t.key),
    )


tab(key="overview", label=_("Overview"), url_name="communities:detail", order=10, main=True)
tab(key="members", label=_("Members"), url_name="communities:members", order=20, main=True)
tab(key="problems", label=_("Problems"), url_name="communities:problems", order=30, main=True)
tab(key="stage", label=_("Stage"), url_name="communities:stage", order=90)
