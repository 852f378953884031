import re
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from search.models import Kind
from search.query import PAGE_SIZE, PERIODS, search
from search.text import MAX_QUERY_LENGTH, MAX_TERMS, query_terms

SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")
PERIOD_LABELS = {
    "": gettext_lazy("Any time"),
    "30": gettext_lazy("Last 30 days"),
    "365": gettext_lazy("Last 12 months"),
    "lama": gettext_lazy("Over a year ago"),
}


def _address(params, **changes):
    """The results page's address with `changes` applied; empty values are dropped, and
    any change but the page's own starts again at page one."""
    merged = {**params, **changes}
    if "halaman" not in changes:
        merged.pop("halaman", None)
    return "?" + urlencode({key: value for key, value in merged.items() if value})


@login_required
def results(request):
    """The results page, and the answer to every query, however odd: a problem with the
    query is said on the page (400 for one too long or unreadable), never an error."""
    query = request.GET.get("q", "")
    kind = request.GET.get("jenis", "") if request.GET.get("jenis") in Kind.values else ""
    community = request.GET.get("komunitas", "") if SLUG.match(request.GET.get("komunitas", "")) else ""
    period = request.GET.get("waktu", "") if request.GET.get("waktu") in PERIODS else ""
    params = {"q": query, "jenis": kind, "komunitas": community, "waktu": period}
    context = {"query": query, "max_length": MAX_QUERY_LENGTH, "params": params}

    problem, status = None, 200
    if "\x00" in query:
        problem, status = _("The search contains a character that cannot be searched for."), 400
    elif len(query) > MAX_QUERY_LENGTH:
        problem = _("The search is too long: use at most %(n)d characters, a few words are enough.") % {
            "n": MAX_QUERY_LENGTH
        }
        status = 400
    words, truncated = query_terms(query) if problem is None else ([], False)
    if problem is None and query.strip() and not words:
        problem = _("There are no words to search for: use letters or numbers.")
    context.update(problem=problem, words=words)
    if truncated:
        context["note"] = _("Only the first %(n)d different words were searched for.") % {"n": MAX_TERMS}
    if problem or not words:
        return render(request, "search/results.html", context, status=status)

    found, hits = search(request.user, words, kind=kind, community=community, period=period)
    page = Paginator(hits, PAGE_SIZE).get_page(request.GET.get("halaman"))
    community_name = next((name for slug, name, _n in found.communities if slug == community), community)
    context.update(
        results=found,
        page=page,
        page_query=_address(params)[1:],
        kinds=[
            {
                "label": _("All kinds"),
                "url": _address(params, jenis=""),
                "active": not kind,
                "count": sum(count for _value, _label, count in found.kinds),
            },
            *(
                {"label": label, "url": _address(params, jenis=value), "active": value == kind, "count": count}
                for value, label, count in found.kinds
                if count or value == kind
            ),
        ],
        communities=[
            {"label": name, "url": _address(params, komunitas=slug), "active": slug == community, "count": n}
            for slug, name, n in found.communities
        ],
        community=community,
        community_name=community_name,
        clear_community_url=_address(params, komunitas=""),
        periods=[
            {"label": label, "url": _address(params, waktu=value), "active": value == period}
            for value, label in PERIOD_LABELS.items()
        ],
        kind=kind,
    )
    return render(request, "search/results.html", context)
