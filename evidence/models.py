import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
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


def _new_code():
    """16 letters and digits (80 random bits), easy to read aloud or type from paper."""
    return base64.b32encode(secrets.token_bytes(10)).decode()


def _certificate_path(instance, filename):
    return f"sertifikat/{instance.uid}.pdf"


class CertificateQuerySet(models.QuerySet):
    def for_home_principal(self, user):
        """Certificates of the communities whose home school this principal leads."""
        if not (user.is_authenticated and user.is_principal and user.school_id):
            return self.none()
        return self.filter(community__home_school_id=user.school_id)


class Certificate(models.Model):
    """A certificate of participation (surat keterangan): asked for by a coordinator for
    one member and one period, approved (or declined) by the principal of the
    community's home school. Once approved, its PDF is stored and its SHA-256 is what
    the public verification page confirms, with the holder, period and state."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("waiting for the principal")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")
        REVOKED = "revoked", _("revoked")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("verification code"), max_length=16, unique=True, default=_new_code, editable=False)
    community = models.ForeignKey(
        "communities.Community", verbose_name=_("community"), on_delete=models.PROTECT, related_name="certificates"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("for"), on_delete=models.PROTECT, related_name="certificates"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # The approval as printed, kept as it was on the day even if the principal changes.
    approver_name = models.CharField(_("approved by"), max_length=150, blank=True)
    approver_nip = models.CharField(_("approver's NIP"), max_length=18, blank=True)
    meetings = models.PositiveIntegerField(_("meetings attended"), default=0)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, default=0)
    roles = models.CharField(_("roles"), max_length=200, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=_certificate_path, max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate of participation")
        verbose_name_plural = _("certificates of participation")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="certificate_period_order"),
            # An approved (or revoked) certificate always has its stored PDF and checksum.
            models.CheckConstraint(
                condition=Q(state__in=["requested", "declined"]) | ~Q(sha256=""),
                name="certificate_issued_has_pdf",
            ),
            # One open request per member, community and period.
            models.UniqueConstraint(
                fields=["community", "holder", "start", "end"],
                condition=Q(state="requested"),
                name="certificate_one_open_request",
            ),
        ]

    def __str__(self):
        return f"{self.holder} · {self.community} · {self.start} to {self.end}"

    @property
    def is_issued(self):
        return self.state in (self.State.APPROVED, self.State.REVOKED)

    def get_verify_url(self):
        return settings.KOMPRA_BASE_URL + reverse("evidence:verify", args=[self.code])
