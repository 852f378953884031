import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from communities.models import Community, StageChange
from communities.text import shorten


class Feedback(models.Model):
    """An umpan balik note from the principal on a community, one of its activities or a
    stage change; coordinators reply in the same thread (`reply_to`)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="feedback"
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, null=True, blank=True, related_name="feedback"
    )
    stage_change = models.ForeignKey(
        StageChange,
        verbose_name=_("stage change"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
    )
    reply_to = models.ForeignKey(
        "self", verbose_name=_("reply to"), on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("feedback"), help_text=_("Markdown is allowed."))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(activity__isnull=False, stage_change__isnull=False), name="feedback_one_target"
            ),
        ]
        indexes = [
            # A community's feedback threads, newest first.
            models.Index(fields=["community", "-created_at"], name="feedback_community_idx"),
        ]

    def __str__(self):
        return f"{self.author}: {shorten(self.body, 40)}"

    @property
    def target(self):
        return self.activity or self.stage_change or self.community
