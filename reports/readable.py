"""The part of the community archive people read: documents under readable names
(YYYY-MM-DD-title.ext) and an index.html that opens offline, in any browser, listing
what may leave the community. The JSON, CSV files and checksums stay for machines."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from activities.models import Reflection

INDEX = "index.html"
PORTFOLIO = "portofolio.pdf"


def readable_name(document, extension, taken):
    """documents/2026-03-10-pertemuan-rutin.jpg: the day and title of the activity or
    product it documents, numbered when two would share a name."""
    if document.activity_id:
        day, title = document.activity.starts_at, document.activity.title
    elif document.product_id:
        day, title = document.product.created_at, document.product.title
    else:
        day, title = document.created_at, document.original_name.rsplit(".", 1)[0]
    stem = f"{timezone.localtime(day):%Y-%m-%d}-{slugify(title)[:60].strip('-') or 'berkas'}"
    path, n = f"documents/{stem}{extension}", 1
    while path in taken:
        n += 1
        path = f"documents/{stem}-{n}{extension}"
    taken.add(path)
    return path


def index_html(community, *, paths, portfolio_included):
    """index.html of the archive. `paths` maps a document's pk to its path in the zip.
    Only what may leave the community is listed: documents that are not photos of
    students without the parents' consent, and reflections agreed for reports."""
    publishable = set(community.documents.publishable().values_list("pk", flat=True))
    documents = [
        (d, paths[d.pk])
        for d in community.documents.select_related("activity", "product").order_by("created_at")
        if d.pk in publishable and paths.get(d.pk)
    ]
    by_activity = {}
    for document, path in documents:
        if document.activity_id:
            by_activity.setdefault(document.activity_id, []).append((document, path))
    activities = [(a, by_activity.get(a.pk, [])) for a in community.activities.order_by("starts_at")]
    reflections = (
        Reflection.objects.filter(community=community, in_reports=True)
        .select_related("author", "activity", "action_plan", "stage_change")
        .order_by("created_at")
    )
    members = community.memberships.filter(status="active").select_related("user__school").order_by("user__full_name")
    return render_to_string(
        "reports/export_index.html",
        {
            "community": community,
            "activities": activities,
            "problems": community.problems.order_by("created_at"),
            "reflections": reflections,
            "members": members,
            "documents": documents,
            "portfolio": PORTFOLIO if portfolio_included else None,
            "exported_at": timezone.localtime(),
        },
    ).encode()
