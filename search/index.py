"""Keeping the search entries current: on every save (signals connected in apps.py),
and in batches for `manage.py search_rebuild`.

PostgreSQL computes the vector itself (`indonesian`, title A, body B); SQLite gets the
Python stems of the same text in its FTS5 table. Writes happen inside the caller's
transaction, so a saved thing and its entry commit, or roll back, together.
"""

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Value

from search.kinds import specs_for
from search.models import SearchEntry
from search.text import stemmed

CONFIG = "indonesian"
TITLE_LENGTH = SearchEntry._meta.get_field("title").max_length
# Minutes and reflections can be long; past this the words are not searchable (a page of
# about 30,000 characters, far more than a meeting's notes).
BODY_LENGTH = 30_000


def _postgres():
    return connection.vendor == "postgresql"


def entry_for(spec, obj):
    """The unsaved SearchEntry of `obj` as `spec` sees it, or None when it has nothing
    to find (an activity without minutes, for the minutes kind)."""
    text = spec.text(obj)
    if text is None:
        return None
    title, body = text
    return SearchEntry(
        kind=spec.kind,
        object_id=obj.pk,
        community_id=obj.pk if spec.kind == "community" else obj.community_id,
        uid=getattr(obj, "uid", None) if spec.uid else None,
        title=(title or "")[:TITLE_LENGTH],
        body=(body or "")[:BODY_LENGTH],
        date=spec.date(obj),
    )


def write(spec, objects):
    """Upserts the entries of `objects` (all of one model) for `spec`, and removes those
    of the objects that now have nothing to find. A fixed number of queries per call."""
    entries, empty = [], []
    for obj in objects:
        entry = entry_for(spec, obj)
        (entries.append(entry) if entry is not None else empty.append(obj.pk))
    if empty:
        SearchEntry.objects.filter(kind=spec.kind, object_id__in=empty).delete()
    if not entries:
        return 0
    SearchEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["community", "uid", "title", "body", "date"],
    )
    ids = [entry.object_id for entry in entries]
    fresh = SearchEntry.objects.filter(kind=spec.kind, object_id__in=ids)
    if _postgres():
        fresh.update(
            vector=SearchVector("title", weight="A", config=Value(CONFIG))
            + SearchVector("body", weight="B", config=Value(CONFIG))
        )
    else:
        rows = [(pk, stemmed(title), stemmed(body)) for pk, title, body in fresh.values_list("pk", "title", "body")]
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM search_entry_fts WHERE rowid = %s", [(row[0],) for row in rows])
            cursor.executemany("INSERT INTO search_entry_fts (rowid, title, body) VALUES (%s, %s, %s)", rows)
    return len(entries)


def index_object(obj):
    """Brings the entries of one saved object up to date (every kind it feeds)."""
    for spec in specs_for(type(obj)):
        write(spec, [obj])


def remove_object(obj):
    """Forgets a deleted object. SQLite's FTS rows go with their entries (a trigger)."""
    kinds = [spec.kind for spec in specs_for(type(obj))]
    if kinds:
        SearchEntry.objects.filter(kind__in=kinds, object_id=obj.pk).delete()


def queryset_for(spec):
    rows = spec.model.objects.order_by("pk")
    return rows.select_related(*spec.related) if spec.related else rows
