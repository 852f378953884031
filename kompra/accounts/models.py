from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
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

# Civil-service and teacher numbers (Nomor Induk Pegawai, Nomor Unik Pendidik dan Tenaga
# Kependidikan): digits only, stored without the spaces people type between groups.
NIP_PATTERN = r"^[0-9]{18}$"
NUPTK_PATTERN = r"^[0-9]{16}$"

validate_nip = RegexValidator(
    NIP_PATTERN,
    _("NIP must be exactly 18 digits, e.g. 198503152010011002."),
    code="invalid_nip",
)
validate_nuptk = RegexValidator(
    NUPTK_PATTERN,
    _("NUPTK must be exactly 16 digits, e.g. 1234567890123456."),
    code="invalid_nuptk",
)


def digits_only(value):
    """'19850315 201001 1 002' -> '198503152010011002': people copy the number with the
    spaces of their SK; the dots and dashes of some forms go too. Letters stay, so the
    validator can name the mistake."""
    return "".join(ch for ch in (value or "").strip() if ch not in " .-")


class TimeZone(models.TextChoices):
    WIB = "Asia/Jakarta", _("WIB (Western Indonesia, UTC+7)")
    WITA = "Asia/Makassar", _("WITA (Central Indonesia, UTC+8)")
    WIT = "Asia/Jayapura", _("WIT (Eastern Indonesia, UTC+9)")


class SchoolQuerySet(models.QuerySet):
    def supervised_by(self, user):
        """The schools a supervisor oversees (DOMAIN.md, "School context"): a pengawas
        those an admin assigned; a dinas pendidikan of a kabupaten/kota its district's
        PAUD, SD and SMP schools; a province's dinas (no district set) the province's
        SMA, SMK and SLB schools. Nobody else supervises any school."""
        if not user.is_authenticated:
            return self.none()
        if user.role == User.Role.PENGAWAS:
            return self.filter(pk__in=user.supervised_schools.values("pk"))
        if user.role == User.Role.DINAS and user.office_province:
            in_province = self.filter(province__iexact=user.office_province)
            if user.office_district:
                return in_province.filter(district__iexact=user.office_district, level__in=School.DISTRICT_LEVELS)
            return in_province.filter(level__in=School.PROVINCE_LEVELS)
        return self.none()


class School(models.Model):
    """A satuan pendidikan, known nationally by its NPSN."""

    class Level(models.TextChoices):
        PAUD = "paud", _("PAUD/TK")
        SD = "sd", _("SD")
        SMP = "smp", _("SMP")
        SMA = "sma", _("SMA")
        SMK = "smk", _("SMK")
        SLB = "slb", _("SLB")

    # Which education office answers for which level: the kabupaten/kota for early and
    # basic schooling, the province for upper secondary and special schools.
    DISTRICT_LEVELS = (Level.PAUD, Level.SD, Level.SMP)
    PROVINCE_LEVELS = (Level.SMA, Level.SMK, Level.SLB)

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
    time_zone = models.CharField(
        _("time zone"),
        max_length=32,
        choices=TimeZone.choices,
        default=TimeZone.WIB,
        help_text=_("The school's local time: meetings planned for its communities are held in it."),
    )

    objects = SchoolQuerySet.as_manager()

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
        PENGAWAS = "pengawas", _("school supervisor (pengawas)")
        DINAS = "dinas", _("education office (dinas pendidikan)")

    SUPERVISOR_ROLES = (Role.PENGAWAS, Role.DINAS)

    TimeZone = TimeZone

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
    supervised_schools = models.ManyToManyField(
        School,
        verbose_name=_("supervised schools"),
        related_name="supervisors",
        blank=True,
        help_text=_("For a pengawas: the schools an admin assigned to them."),
    )
    office_province = models.CharField(
        _("education office's province"),
        max_length=100,
        blank=True,
        help_text=_("For a dinas pendidikan account: the province of the office."),
    )
    office_district = models.CharField(
        _("education office's district (kabupaten/kota)"),
        max_length=100,
        blank=True,
        help_text=_(
            "For the office of a kabupaten/kota: it oversees the district's PAUD, SD and SMP schools. "
            "Leave empty for a province's office, which oversees the province's SMA, SMK and SLB schools."
        ),
    )
    language = models.CharField(_("preferred language"), max_length=8, choices=settings.LANGUAGES, default="id")
    time_zone = models.CharField(_("time zone"), max_length=32, choices=TimeZone.choices, default=TimeZone.WIB)
    nip = models.CharField(
        _("NIP"),
        max_length=18,
        blank=True,
        validators=[validate_nip],
        help_text=_("Civil servant number (Nomor Induk Pegawai), 18 digits. Optional."),
    )
    nuptk = models.CharField(
        _("NUPTK"),
        max_length=16,
        blank=True,
        validators=[validate_nuptk],
        help_text=_("Teacher and education staff number (NUPTK), 16 digits. Optional."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("site admin"), default=False, help_text=_("May sign in to the admin site."))
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    # The person's own identifying data: what they may correct on their profile and what
    # erasing an account clears (privacy_rights.erasure). A new field that identifies a
    # person (NIP, NUPTK, a phone number) belongs in this list.
    PERSONAL_FIELDS = ("full_name", "short_name", "email", "nip", "nuptk")

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
            # A supervisor oversees schools from outside them: with a school of their own,
            # the rules for that school's teachers would apply to them too.
            models.CheckConstraint(
                condition=~Q(role__in=["pengawas", "dinas"]) | Q(school__isnull=True),
                name="user_supervisor_has_no_school",
            ),
            models.CheckConstraint(condition=~Q(role="dinas") | ~Q(office_province=""), name="user_dinas_has_province"),
            models.CheckConstraint(condition=Q(nip="") | Q(nip__regex=NIP_PATTERN), name="user_nip_format"),
            models.CheckConstraint(condition=Q(nuptk="") | Q(nuptk__regex=NUPTK_PATTERN), name="user_nuptk_format"),
            # Each number belongs to one person; most people have none.
            models.UniqueConstraint(fields=["nip"], condition=~Q(nip=""), name="user_nip_unique"),
            models.UniqueConstraint(fields=["nuptk"], condition=~Q(nuptk=""), name="user_nuptk_unique"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean_fields(self, exclude=None):
        self.nip = digits_only(self.nip)
        self.nuptk = digits_only(self.nuptk)
        super().clean_fields(exclude=exclude)

    def clean(self):
        super().clean()
        for field, label in (("nip", _("NIP")), ("nuptk", _("NUPTK"))):
            value = getattr(self, field)
            if value and User.objects.filter(**{field: value}).exclude(pk=self.pk).exists():
                raise ValidationError({field: _("Another account already uses this %(label)s.") % {"label": label}})
        self.email = self.__class__.objects.normalize_email(self.email)
        if self.email and User.objects.filter(email__iexact=self.email).exclude(pk=self.pk).exists():
            raise ValidationError({"email": _("Another account already uses this email address.")})
        if self.role in self.SUPERVISOR_ROLES and self.school_id:
            raise ValidationError({"school": _("A pengawas or dinas account is not linked to a school.")})
        if self.role == self.Role.DINAS and not self.office_province.strip():
            raise ValidationError({"office_province": _("Give the province of the education office.")})
        if self.role != self.Role.DINAS and (self.office_province or self.office_district):
            raise ValidationError({"office_province": _("Only dinas pendidikan accounts have an office region.")})

    def save(self, *args, **kwargs):
        self.short_name = self.short_name.strip() or short_name_from(self.full_name)
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        """How Kompra names the person in greetings: never a title."""
        return self.short_name or short_name_from(self.full_name) or self.email

    def identifiers_visible_to(self, viewer):
        """Whether `viewer` may read this person's NIP and NUPTK: the person, the
        principal of their school, and site admins. Nobody else, coordinators included."""
        if not viewer.is_authenticated:
            return False
        if viewer.pk == self.pk or viewer.is_staff:
            return True
        return (
            viewer.role == self.Role.PRINCIPAL and viewer.school_id is not None and viewer.school_id == self.school_id
        )

    @property
    def is_principal(self):
        return self.role == self.Role.PRINCIPAL

    @property
    def is_supervisor(self):
        """A pengawas or a dinas pendidikan: reads community-level figures of the schools
        they oversee, and writes to those schools' principals."""
        return self.role in self.SUPERVISOR_ROLES


class Session(AbstractBaseSession):
    """Django's database session with the signed-in person's id beside it, so one read
    brings both the session and the person (kompra/accounts/sessions.py). Sessions stay in
    the database, never only in the cache: with Redis away nobody is signed out. Removing a
    person removes their sessions with them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        from kompra.accounts.sessions import SessionStore

        return SessionStore
