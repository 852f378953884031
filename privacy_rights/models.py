import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _grace_end():
    return timezone.now() + timedelta(days=settings.KOMPRA_DELETION_GRACE_DAYS)


class DeletionRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=DeletionRequest.State.PENDING)

    def due(self, now=None):
        return self.pending().filter(erase_after__lte=now or timezone.now())


class DeletionRequest(models.Model):
    """A person asked to delete their account: deactivated at once, erased once
    `erase_after` has passed unless they sign in again before (which cancels it).
    The row stays as the record of processing; it holds no personal text."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for the grace period to end")
        CANCELLED = "cancelled", _("cancelled by signing in again")
        ERASED = "erased", _("erased")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    erase_after = models.DateTimeField(_("erased after"), default=_grace_end)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    objects = DeletionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(state="pending"), name="deletion_one_pending"),
        ]
        indexes = [
            # The tick's "which erasures are due".
            models.Index(fields=["state", "erase_after"], name="deletion_due_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} ({self.get_state_display()})"


def _export_path(instance, filename):
    # A random name: the address of the file itself reveals nothing and cannot be guessed.
    return f"exports/{uuid.uuid4().hex}.zip"


def _export_expiry():
    return timezone.now() + timedelta(days=settings.KOMPRA_EXPORT_DAYS)


class ExportRequestQuerySet(models.QuerySet):
    def expired(self, now=None):
        return self.filter(expires_at__lte=now or timezone.now())


class ExportRequest(models.Model):
    """A person asked for a copy of their data. A background task builds the zip; only
    they may download it, until `expires_at`, after which the file is deleted."""

    class State(models.TextChoices):
        QUEUED = "queued", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), default=_export_expiry)
    file = models.FileField(_("file"), upload_to=_export_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)

    objects = ExportRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("data export request")
        verbose_name_plural = _("data export requests")
        ordering = ["-requested_at"]
        indexes = [
            # A person's own requests, newest first.
            models.Index(fields=["user", "-requested_at"], name="export_user_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} ({self.get_state_display()})"

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_downloadable(self):
        return self.state == self.State.READY and not self.is_expired and bool(self.file)


class PhotoConsentEvent(models.Model):
    """The consent log of photos showing students: consent given at upload, withdrawn
    by a coordinator (a parent asked), or the photo purged as too old. The record stays
    after the photo and its file are gone: it keeps the photo's public id, who and when,
    never the picture or a caption."""

    class Kind(models.TextChoices):
        GIVEN = "given", _("consent given")
        WITHDRAWN = "withdrawn", _("consent withdrawn")
        PURGED = "purged", _("deleted as older than the chosen period")

    community = models.ForeignKey(
        "communities.Community", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    photo_uid = models.UUIDField(_("photo"))
    kind = models.CharField(_("what"), max_length=10, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("student photo consent event")
        verbose_name_plural = _("student photo consent log")
        ordering = ["-at"]
        indexes = [
            # The log of one community, newest first.
            models.Index(fields=["community", "-at"], name="consent_event_community_idx"),
        ]

    def __str__(self):
        return f"{self.photo_uid} · {self.get_kind_display()}"
