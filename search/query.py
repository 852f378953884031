"""Running a search: match, keep what the person may open, filter, count, rank, page.

A fixed number of queries whatever the data: counts per kind, counts per community, and
the page of results (none when nothing matched).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, FloatField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from communities.models import Community
from search.index import CONFIG
from search.kinds import SPECS, url_of
from search.models import Kind, SearchEntry
from search.text import excerpt, highlight, stems

PAGE_SIZE = 20
COMMUNITY_FACETS = 10

# ?waktu=: how far back, in days (None: older than a year).
PERIODS = {"30": 30, "365": 365, "lama": None}


def visible_entries(user):
    """Entries of things the user may open: each kind through its own rule (see
    search.kinds on `in_community`)."""
    by_community = [spec.kind for spec in SPECS.values() if spec.in_community]
    rule = Q(kind__in=by_community, community__in=Community.objects.visible_to(user))
    for spec in SPECS.values():
        if not spec.in_community:
            rule |= Q(kind=spec.kind, object_id__in=spec.visible(user).values("pk"))
    return SearchEntry.objects.filter(rule)


def _matching(queryset, words):
    """(entries matching every word, their rank expression, higher is better)."""
    if connection.vendor == "postgresql":
        query = SearchQuery(" ".join(words), search_type="plain", config=CONFIG)
        return queryset.filter(vector=query), SearchRank(F("vector"), query)
    # FTS5: every stem must appear; quoted, so nothing in them is read as syntax.
    match = " ".join(f'"{stem}"' for stem in dict.fromkeys(stems(words)))
    ids = RawSQL("SELECT rowid FROM search_entry_fts WHERE search_entry_fts MATCH %s", [match])
    rank = RawSQL(
        "(SELECT -bm25(search_entry_fts, 4.0, 1.0) FROM search_entry_fts"
        " WHERE search_entry_fts MATCH %s AND rowid = search_entry.id)",
        [match],
        output_field=FloatField(),
    )
    return queryset.filter(pk__in=ids), rank


@dataclass
class Hit:
    entry: SearchEntry
    url: str
    title: str
    excerpt: str

    @property
    def kind_label(self):
        return self.entry.get_kind_display()


@dataclass
class Results:
    total: int = 0
    kinds: list = field(default_factory=list)  # (kind, label, count), every kind
    communities: list = field(default_factory=list)  # (slug, name, count), the most matches first
    page_hits: list = field(default_factory=list)


class Hits:
    """What a Paginator pages through: the count is known already, and a slice runs the
    one query for that page."""

    def __init__(self, queryset, total, wanted):
        self.queryset, self.total, self.wanted = queryset, total, wanted

    def count(self):
        return self.total

    def __len__(self):
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("Hits are read a page at a time.")
        return [
            Hit(
                entry=entry,
                url=url_of(entry),
                title=highlight(entry.title, self.wanted),
                excerpt=excerpt(entry.body, self.wanted),
            )
            for entry in self.queryset[index]
        ]


def search(user, words, *, kind="", community="", period=""):
    """Searches what `user` may open for entries holding every one of `words`; `kind`,
    `community` (a slug) and `period` (a key of PERIODS) narrow it.

    Returns (Results without the page, Hits to page through)."""
    matched, rank = _matching(visible_entries(user), words)
    if period in PERIODS:
        days = PERIODS[period]
        edge = timezone.now() - timedelta(days=days or 365)
        matched = matched.filter(date__gte=edge) if days else matched.filter(date__lt=edge)
    in_kind = matched.filter(kind=kind) if kind else matched
    in_community = matched.filter(community__slug=community) if community else matched

    counts = dict(in_community.values_list("kind").annotate(n=Count("pk")).order_by())
    results = Results(kinds=[(value, label, counts.get(value, 0)) for value, label in Kind.choices])
    results.total = counts.get(kind, 0) if kind else sum(counts.values())
    results.communities = list(
        in_kind.values_list("community__slug", "community__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "community__name")[:COMMUNITY_FACETS]
    )
    page = (
        (in_kind.filter(community__slug=community) if community else in_kind)
        .select_related("community")
        .annotate(rank=rank)
        .order_by("-rank", "-date", "pk")
    )
    return results, Hits(page, results.total, set(stems(words)))
