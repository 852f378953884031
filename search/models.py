from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from communities.models import Community


class Kind(models.TextChoices):
    COMMUNITY = "community", _("Communities")
    PROBLEM = "problem", _("Problems")
    ACTIVITY = "activity", _("Activities")
    MINUTES = "minutes", _("Minutes")
    REFLECTION = "reflection", _("Reflections")
    PRODUCT = "product", _("Products")
    PUBLICATION = "publication", _("Publications")


class SearchEntry(models.Model):
    """The searchable text of one thing (a community, a problem, an activity's details or
    its minutes, a reflection, a product, a publication), kept current when it is saved
    (search.index) and rebuilt by `manage.py search_rebuild`.

    Who may see an entry is never stored here: searches filter entries through the rules
    of the thing itself (search.kinds), read at the time of the search.

    PostgreSQL matches `vector` (the `indonesian` configuration: title weighted A, body
    B) through a GIN index that migration 0002 creates. SQLite matches the FTS5 table
    `search_entry_fts` (rowid = id), which holds the stems of the same text."""

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("object"))
    # Derived data, not history: it goes with its community (which is archived, not deleted).
    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.CASCADE, related_name="+")
    uid = models.UUIDField(_("public id"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    date = models.DateTimeField(_("date"))
    vector = SearchVectorField(null=True, editable=False)

    class Meta:
        db_table = "search_entry"
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_once_per_object"),
        ]
        indexes = [
            # Results within one community, and "newest first" when ranks tie.
            models.Index(fields=["community", "date"], name="search_entry_community_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"
