import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kompra.accounts.models import School


class SchoolFeedback(models.Model):
    """Umpan balik from a supervisor (pengawas, dinas) to a school's principal, about the
    school's communities as a whole; the principal and supervisors reply in the thread."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="supervisor_feedback"
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
        verbose_name = _("feedback to a principal")
        verbose_name_plural = _("feedback to principals")
        ordering = ["created_at"]
        indexes = [
            # A school's threads, newest first, and their counts on the supervisor dashboard.
            models.Index(fields=["school", "-created_at"], name="school_feedback_idx"),
        ]

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"

    def get_absolute_url(self):
        thread = self.reply_to.uid if self.reply_to_id else self.uid
        return reverse("supervision:feedback", args=[self.school.npsn]) + f"#umpan-balik-{thread}"
