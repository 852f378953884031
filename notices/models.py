import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notices.registry import KINDS, Mode


class NoticeQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user, withdrawn=False)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """One thing one person is told. In-app always; by email when the person wants.

    `key` makes each notice happen once per person: a reminder, a retried task or a
    second tick writing the same notice meets the unique constraint instead."""

    class Email(models.TextChoices):
        NONE = "none", _("not emailed")
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        DIGEST = "digest", _("waiting for the digest")
        DIGESTED = "digested", _("sent in a digest")
        FAILED = "failed", _("failed")
        DROPPED = "dropped", _("not sent: no longer visible")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("key"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    about_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    about_id = models.PositiveBigIntegerField()
    # The community (or other group) the notice belongs to, so it can be muted.
    group_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    group_id = models.PositiveBigIntegerField(null=True, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    withdrawn = models.BooleanField(
        _("withdrawn"), default=False, help_text=_("The person may no longer see what it is about.")
    )
    email_status = models.CharField(_("email"), max_length=10, choices=Email.choices, default=Email.NONE)
    email_attempts = models.PositiveSmallIntegerField(_("email attempts"), default=0)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    email_error = models.CharField(_("last email error"), max_length=300, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notice_once_per_key"),
        ]
        indexes = [
            # The bell (unread count) and the notices page, newest first.
            models.Index(fields=["recipient", "withdrawn", "read_at", "-created_at"], name="notice_inbox_idx"),
            # The email worker: a person's notices waiting to go out.
            models.Index(fields=["recipient", "email_status"], name="notice_email_idx"),
            # Withdrawing a community's notices when someone leaves it.
            models.Index(fields=["group_type", "group_id", "recipient"], name="notice_group_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def kind_label(self):
        kind = KINDS.get(self.kind)
        return kind.label if kind else self.kind


class Preference(models.Model):
    """A person's choice for one kind of notice; without a row, the kind's default holds."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences")
    kind = models.CharField(_("kind"), max_length=40)
    mode = models.CharField(_("how"), max_length=8, choices=Mode.choices)

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_once_per_kind")]

    def __str__(self):
        return f"{self.user} · {self.kind}: {self.mode}"


class Mute(models.Model):
    """A group (a community) the person hears nothing from."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_mutes")
    group_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    group_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("muted community")
        verbose_name_plural = _("muted communities")
        constraints = [
            models.UniqueConstraint(fields=["user", "group_type", "group_id"], name="mute_once"),
        ]

    def __str__(self):
        return f"{self.user} · {self.group_type_id}:{self.group_id}"


class EmailPace(models.Model):
    """When a person last got a non-urgent email, to send at most one per batch window.
    Its row lock also serialises two workers sending to the same person."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="email_pace"
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.user}"


class Digest(models.Model):
    """One weekly digest per person per week: the row is claimed before the email goes."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("being built")
        SENT = "sent", _("sent")
        EMPTY = "empty", _("nothing to tell")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    week = models.DateField(_("week of (Monday)"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.CLAIMED)
    claim = models.UUIDField(default=uuid.uuid4, editable=False)
    items = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("weekly digest")
        verbose_name_plural = _("weekly digests")
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="digest_once_per_week")]

    def __str__(self):
        return f"{self.user} · {self.week}"


class TickJob(models.Model):
    """Time-based work the tick has started once (a zone's Monday digest), by key."""

    key = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.key
