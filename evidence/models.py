import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PortfolioShareQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)

    def for_principal(self, user):
        """Shares the principal of the teachers' school may open: not withdrawn, by a
        teacher of their own school."""
        if not (user.is_authenticated and user.is_principal and user.school_id):
            return self.none()
        return self.active().filter(owner__school_id=user.school_id).exclude(owner=user)


class PortfolioShare(models.Model):
    """A teacher lets the principal of their school read their personal portfolio for
    one period, until they withdraw it. Without one the principal gets 404."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("teacher"), on_delete=models.CASCADE, related_name="portfolio_shares"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    created_at = models.DateTimeField(_("shared"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = PortfolioShareQuerySet.as_manager()

    class Meta:
        verbose_name = _("shared portfolio")
        verbose_name_plural = _("shared portfolios")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="portfolioshare_period_order"),
            # One live share per teacher and period: sharing twice is the same share.
            models.UniqueConstraint(
                fields=["owner", "start", "end"],
                condition=Q(withdrawn_at__isnull=True),
                name="portfolioshare_one_active_per_period",
            ),
        ]

    def __str__(self):
        return f"{self.owner} {self.start} to {self.end}"

    @property
    def is_active(self):
        return self.withdrawn_at is None
