"""What a community has made public, whatever its visibility.

A community's visibility decides who opens its pages inside Kompra; what it published
stays public on its own address until someone withdraws it. When a coordinator narrows
who can see the community, the profile form lists these items and asks whether to keep
them public or withdraw them. The items belong to later apps (publishing), which
register a source here in their AppConfig.ready(), so this app never imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PublicItem:
    title: str
    url: str  # its public address
    note: str = ""  # e.g. "public once its author agrees"

    def as_record(self):
        """What a VisibilityChange keeps of it."""
        return {"title": self.title, "url": self.url, "note": str(self.note)}


@dataclass(frozen=True)
class PublicSource:
    live: Callable  # live(community) -> list[PublicItem]: public now, or about to be
    withdraw: Callable  # withdraw(*, community, by) -> int: takes them all back


SOURCES: list[PublicSource] = []


def public_source(*, live, withdraw):
    SOURCES.append(PublicSource(live=live, withdraw=withdraw))


def live_public_items(community):
    """Every source's live items of `community`: one query per source."""
    return [item for source in SOURCES for item in source.live(community)]


def withdraw_public_items(*, community, by):
    return sum(source.withdraw(community=community, by=by) for source in SOURCES)
