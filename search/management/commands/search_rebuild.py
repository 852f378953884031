"""Rebuilds the search index from the records, safely while the site is in use.

Nothing is emptied first: every entry is rewritten in place, a batch at a time, each in
its own short transaction, so searches keep answering throughout. On PostgreSQL each
batch locks its source rows while it reads and writes them, so a person saving one of
them at that moment waits a moment and their newer text is written after; on SQLite the
batch's transaction holds the write lock (BEGIN IMMEDIATE) for the same effect. Entries
of things that no longer exist are removed at the end."""

import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from search import index
from search.kinds import SPECS
from search.models import SearchEntry

BATCH = 500


class Command(BaseCommand):
    help = "Rebuilds the search index from the records; safe to run while the site is in use."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=BATCH, help="Rows per transaction (default %(default)s).")

    def handle(self, *args, batch, **options):
        started = time.perf_counter()
        for spec in SPECS.values():
            written = 0
            ids = list(spec.model.objects.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), batch):
                with transaction.atomic():
                    rows = index.queryset_for(spec).filter(pk__in=ids[start : start + batch])
                    if connection.features.has_select_for_update:
                        rows = rows.select_for_update(of=("self",))
                    written += index.write(spec, list(rows))
            gone, _ = (
                SearchEntry.objects.filter(kind=spec.kind)
                .exclude(object_id__in=spec.model.objects.values("pk"))
                .delete()
            )
            self.stdout.write(f"{spec.kind:<12} {written:>8} entries written, {gone} removed")
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM search_entry_fts WHERE rowid NOT IN (SELECT id FROM search_entry)")
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt in {time.perf_counter() - started:.1f} s."))
