from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kompra.accounts.names import short_name_from

NPSN_PATTERN = r"^[0-9A-Z]{8}$"

validate_npsn = RegexValidator(
    NPSN_PATTERN,
    _("NPSN must be exactly 8 characters: digits or capital letters, e.g. 20100123."),
    code="invalid_npsn",
)


class School(models.Model):
    """A satuan pendidikan, known nationally by its NPSN."""

    class Level(models.TextChoices):
        PAUD = "paud", _("PAUD/TK")
        SD = "sd", _("SD")
        SMP = "smp", _("SMP")
        SMA = "sma", _("SMA")
        SMK = "smk", _("SMK")
        SLB = "slb", _("SLB")

    npsn = models.CharField(
        _("NPSN"),
        max_length=8,
        unique=True,
        validators=[validate_npsn],
        help_text=_("National school number: 8 characters."),
    )
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=4, choices=Level.choices)
    district = models.CharField(_("district (kabupaten/kota)"), max_length=100)
    province = models.CharField(_("province"), max_length=100)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(npsn__regex=NPSN_PATTERN), name="school_npsn_format"),
        ]

    def __str__(self):
        return f"{self.name} ({self.npsn})"

    def clean_fields(self, exclude=None):
        # People type NPSNs with spaces or in lower case: normalise before validating.
        if self.npsn:
            self.npsn = self.npsn.strip().upper()
        super().clean_fields(exclude=exclude)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address."""

    class Role(models.TextChoices):
        TEACHER = "teacher", _("teacher")
        PRINCIPAL = "principal", _("principal")

    class TimeZone(models.TextChoices):
        WIB = "Asia/Jakarta", _("WIB (Western Indonesia, UTC+7)")
        WITA = "Asia/Makassar", _("WITA (Central Indonesia, UTC+8)")
        WIT = "Asia/Jayapura", _("WIT (Eastern Indonesia, UTC+9)")

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    short_name = models.CharField(
        _("short name"),
        max_length=60,
        blank=True,
        help_text=_(
            "What colleagues call you (nama panggilan): Kompra greets you by it. "
            "Left empty, it is your first name without titles."
        ),
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.TEACHER)
    language = models.CharField(_("preferred language"), max_length=8, choices=settings.LANGUAGES, default="id")
    time_zone = models.CharField(_("time zone"), max_length=32, choices=TimeZone.choices, default=TimeZone.WIB)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("site admin"), default=False, help_text=_("May sign in to the admin site."))
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name"]
        constraints = [
            # The unique email above is case-sensitive; addresses are not.
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)
        if self.email and User.objects.filter(email__iexact=self.email).exclude(pk=self.pk).exists():
            raise ValidationError({"email": _("Another account already uses this email address.")})

    def save(self, *args, **kwargs):
        self.short_name = self.short_name.strip() or short_name_from(self.full_name)
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        """How Kompra names the person in greetings: never a title."""
        return self.short_name or short_name_from(self.full_name) or self.email

    @property
    def is_principal(self):
        return self.role == self.Role.PRINCIPAL
