import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Document, Product, Reflection
from communities.models import Community


class PublicationQuerySet(models.QuerySet):
    def published(self):
        """What the public showcase may show."""
        return self.filter(status=Publication.Status.PUBLISHED)


class Publication(models.Model):
    """A result a community chose to make public, with its own summary. Its source is a
    held activity, a member's product, or a reflection whose author agreed."""

    class Status(models.TextChoices):
        AWAITING_AUTHOR = "awaiting", _("waiting for the author's agreement")
        PUBLISHED = "published", _("published")
        DECLINED = "declined", _("the author declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="publications"
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reflection = models.ForeignKey(
        Reflection, verbose_name=_("reflection"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=160)
    summary = models.TextField(_("summary"), help_text=_("What should readers know? Markdown is allowed."))
    photos = models.ManyToManyField(Document, verbose_name=_("photos"), blank=True, related_name="publications")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    author_answered_at = models.DateTimeField(_("author answered"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=False, product__isnull=True, reflection__isnull=True)
                | Q(activity__isnull=True, product__isnull=False, reflection__isnull=True)
                | Q(activity__isnull=True, product__isnull=True, reflection__isnull=False),
                name="publication_has_one_source",
            ),
            # An item is live at most once; a withdrawn or declined one may be published anew.
            *[
                models.UniqueConstraint(
                    fields=[source],
                    condition=Q(**{f"{source}__isnull": False}) & ~Q(status__in=["withdrawn", "declined"]),
                    name=f"publication_live_once_per_{source}",
                )
                for source in ("activity", "product", "reflection")
            ],
        ]
        indexes = [
            # The showcase: a community's (or school's) published items, newest first.
            models.Index(fields=["community", "status", "-published_at"], name="publication_showcase_idx"),
            # The public showcase across every community: the newest published items.
            models.Index(fields=["status", "-published_at", "-created_at"], name="publication_published_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("publishing:public", args=[self.uid])

    @property
    def source(self):
        return self.activity or self.product or self.reflection

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED
