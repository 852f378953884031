import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Problem, StageChange
from communities.text import shorten

# Members may check themselves in from a little before the start until the end.
CHECK_IN_EARLY = timedelta(minutes=30)


class ActivityQuerySet(models.QuerySet):
    def upcoming(self):
        return self.filter(status=Activity.Status.PLANNED, ends_at__gte=timezone.now()).order_by("starts_at")

    def past(self):
        return self.exclude(status=Activity.Status.PLANNED, ends_at__gte=timezone.now()).order_by("-starts_at")

    def held(self):
        return self.filter(status=Activity.Status.HELD)

    def with_counts(self, access):
        """Attendance counts, and counts of the documentation and reflections the viewer
        (`access`) may open, so a list never counts what its viewer cannot see."""
        return self.annotate(
            present_count=Count("attendances", filter=Q(attendances__status=Attendance.Status.PRESENT), distinct=True),
            document_count=Count(
                "documents", filter=Q(documents__in=Document.objects.visible_to(access)), distinct=True
            ),
            reflection_count=Count(
                "reflections", filter=Q(reflections__in=Reflection.objects.visible_to(access)), distinct=True
            ),
        )


class Activity(models.Model):
    """Something a community does together: a meeting, or one of the six programme activities."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("regular meeting")
        SHARE_PROBLEMS = "share_problems", _("sharing problems")
        SHARE_PRACTICE = "share_practice", _("sharing good practice")
        DOCUMENT_PRODUCTS = "document_products", _("documenting members' products")
        FORMULATE_ACTIONS = "formulate_actions", _("formulating actions")
        REFLECT = "reflect", _("reflecting")
        PUBLISH = "publish", _("publishing results")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField(_("kind of activity"), max_length=20, choices=Kind.choices, default=Kind.MEETING)
    title = models.CharField(_("title"), max_length=160)
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("shared problem"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        help_text=_("Optional: the shared problem this activity works on."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True, help_text=_("Markdown is allowed."))
    speaker = models.CharField(_("invited speaker (narasumber)"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    minutes = models.TextField(_("minutes (notulen)"), blank=True, help_text=_("Markdown is allowed."))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"),
        ]
        indexes = [
            # A community's activity list, upcoming and past, and readiness counts by date.
            models.Index(fields=["community", "starts_at"], name="activity_community_idx"),
            # Dashboards: a person's upcoming activities across communities.
            models.Index(fields=["status", "starts_at"], name="activity_status_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("activities:detail", args=[self.community.slug, self.uid])

    @property
    def check_in_open(self):
        now = timezone.now()
        return self.status != self.Status.CANCELLED and self.starts_at - CHECK_IN_EARLY <= now <= self.ends_at


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        EXCUSED = "excused", _("excused")
        ABSENT = "absent", _("absent")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="attendances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(_("attendance"), max_length=8, choices=Status.choices)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="attendance_once_per_person"),
        ]

    def __str__(self):
        return f"{self.user} · {self.activity}: {self.get_status_display()}"


class Product(models.Model):
    """A member's karya: teaching material, a lesson plan, a student project…"""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="products"
    )
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown is allowed."))
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("authors"), related_name="products")
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("shared problem"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity it came from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="products",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("product (karya)")
        verbose_name_plural = _("products (karya)")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("activities:product", args=[self.community.slug, self.uid])


def _document_path(instance, filename):
    # Random names, grouped by community; the original name is kept only for display.
    return f"documents/{instance.community_id}/{uuid.uuid4().hex}{_extension(filename)}"


def _thumbnail_path(instance, filename):
    return f"documents/{instance.community_id}/thumbs/{uuid.uuid4().hex}.jpg"


def _extension(filename):
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot != -1 else ""


class DocumentQuerySet(models.QuerySet):
    def photos(self):
        return self.filter(kind=Document.Kind.PHOTO)

    def publishable(self):
        """Photos of students leave the community (to the public, in a portfolio) only
        with the parents' consent confirmed."""
        return self.filter(Q(shows_students=False) | Q(consent_confirmed=True))

    def visible_to(self, access):
        """The documents of `access.community` its viewer may see: every one for its
        members, and for everyone else (the principal and site staff included) only
        what could leave the community. Every page that shows documents reads them here."""
        documents = self.filter(community=access.community)
        return documents if access.sees_private else documents.publishable()


class Document(models.Model):
    """A photo or file documenting an activity or a product. Photos are re-encoded on
    upload (no EXIF, no location) and every file is served through an access check."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        FILE = "file", _("file")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="documents"
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=_document_path, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), upload_to=_thumbnail_path, max_length=200, blank=True)
    original_name = models.CharField(_("original file name"), max_length=150)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    shows_students = models.BooleanField(_("shows students"), default=False)
    consent_confirmed = models.BooleanField(
        _("parents' consent confirmed"),
        default=False,
        help_text=_("The uploader confirms that the parents agreed to publication."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documentation")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=False, product__isnull=True)
                | Q(activity__isnull=True, product__isnull=False),
                name="document_belongs_to_one",
            ),
        ]
        indexes = [
            # The community gallery, newest first.
            models.Index(fields=["community", "kind", "-created_at"], name="document_gallery_idx"),
        ]

    def __str__(self):
        return self.caption or self.original_name

    def get_absolute_url(self):
        return reverse("activities:document", args=[self.community.slug, self.uid])

    def get_thumbnail_url(self):
        return reverse("activities:thumbnail", args=[self.community.slug, self.uid])

    @property
    def is_photo(self):
        return self.kind == self.Kind.PHOTO


class ActionPlanQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[ActionPlan.Status.PLANNED, ActionPlan.Status.DOING])

    def overdue(self):
        return self.open().filter(due__lt=timezone.localdate())


class ActionPlan(models.Model):
    """A rencana aksi: what will be done about a shared problem, by whom, by when."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        DOING = "doing", _("in progress")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="action_plans"
    )
    problem = models.ForeignKey(
        Problem, verbose_name=_("shared problem"), on_delete=models.PROTECT, related_name="action_plans"
    )
    what = models.TextField(_("what will be done"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, related_name="action_plans"
    )
    due = models.DateField(_("by when"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    outcome = models.TextField(_("outcome"), blank=True, help_text=_("What came of it? Markdown is allowed."))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["due"]
        indexes = [
            # "Actions due" on a person's dashboard.
            models.Index(fields=["owner", "status", "due"], name="actionplan_owner_idx"),
        ]

    def __str__(self):
        return shorten(self.what, 60)

    def get_absolute_url(self):
        return reverse("activities:action", args=[self.community.slug, self.uid])

    @property
    def is_open(self):
        return self.status in (self.Status.PLANNED, self.Status.DOING)

    @property
    def is_overdue(self):
        return self.is_open and self.due < timezone.localdate()


# The reflection models teachers already know. Each question is a (key, label) pair.
REFLECTION_TEMPLATES = {
    "4p": [
        ("peristiwa", _("Facts (Peristiwa): what happened?")),
        ("perasaan", _("Feelings (Perasaan): how did you feel?")),
        ("pembelajaran", _("Findings (Pembelajaran): what did you learn?")),
        ("penerapan", _("Future (Penerapan): what will you do next?")),
    ],
    "deal": [
        ("describe", _("Describe: what happened, objectively?")),
        ("examine", _("Examine: why did it happen, what did it mean for students?")),
        ("articulate", _("Articulate learning: what did you learn, and how will you use it?")),
    ],
    "what": [
        ("what", _("What? What happened?")),
        ("so_what", _("So what? Why does it matter?")),
        ("now_what", _("Now what? What will you do now?")),
    ],
    "free": [("text", _("Your reflection"))],
}


class ReflectionQuerySet(models.QuerySet):
    def shared(self):
        """Reflections whose authors agreed to let them appear in reports."""
        return self.filter(in_reports=True)

    def visible_to(self, access):
        """The reflections of `access.community` its viewer may read: every one for its
        members, only the shared ones for everyone else. Every page that shows
        reflections reads them here."""
        reflections = self.filter(community=access.community)
        return reflections if access.sees_private else reflections.shared()


class Reflection(models.Model):
    class Template(models.TextChoices):
        FOUR_P = "4p", _("4P (Facts, Feelings, Findings, Future)")
        DEAL = "deal", _("DEAL (Describe, Examine, Articulate Learning)")
        WHAT = "what", _("What? So what? Now what?")
        FREE = "free", _("free text")

    class Value(models.TextChoices):
        IMMEDIATE = "immediate", _("immediate value: it was worthwhile in itself")
        POTENTIAL = "potential", _("potential value: ideas or tools for later")
        APPLIED = "applied", _("applied value: I changed my practice")
        REALISED = "realised", _("realised value: it made a difference for students")
        REFRAMING = "reframing", _("reframing value: I see things differently now")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="reflections"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="reflections"
    )
    template = models.CharField(_("template"), max_length=4, choices=Template.choices, default=Template.FOUR_P)
    answers = models.JSONField(_("answers"), default=dict)
    value = models.CharField(_("what it gave me"), max_length=10, choices=Value.choices, blank=True)
    in_reports = models.BooleanField(
        _("may appear in the community's portfolio and reports"),
        default=False,
        help_text=_("Portfolios and reports for the principal include only reflections whose authors agreed."),
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reflections",
    )
    action_plan = models.ForeignKey(
        ActionPlan,
        verbose_name=_("action plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reflections",
    )
    stage_change = models.ForeignKey(
        StageChange,
        verbose_name=_("stage change"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reflections",
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ReflectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        ordering = ["-created_at"]
        constraints = [
            # Attached to exactly one thing: an activity, an action plan or a stage change.
            models.CheckConstraint(
                condition=Q(activity__isnull=False, action_plan__isnull=True, stage_change__isnull=True)
                | Q(activity__isnull=True, action_plan__isnull=False, stage_change__isnull=True)
                | Q(activity__isnull=True, action_plan__isnull=True, stage_change__isnull=False),
                name="reflection_attached_to_one",
            ),
            models.UniqueConstraint(
                fields=["author", "activity"],
                condition=Q(activity__isnull=False),
                name="reflection_once_per_activity",
            ),
        ]

    def __str__(self):
        return f"{self.author} · {self.get_template_display()}"

    def get_absolute_url(self):
        return reverse("activities:reflection", args=[self.community.slug, self.uid])

    @property
    def questions_and_answers(self):
        """(question, answer) pairs in the template's order; empty answers left out."""
        return [
            (label, self.answers.get(key, ""))
            for key, label in REFLECTION_TEMPLATES[self.template]
            if self.answers.get(key, "").strip()
        ]

    @property
    def subject(self):
        return self.activity or self.action_plan or self.stage_change


class ReflectionDismissal(models.Model):
    """ "Not this time": hides the dashboard's reflection prompt for one activity."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "activity"], name="reflection_dismissal_once"),
        ]

    def __str__(self):
        return f"{self.user} · {self.activity}"


def _new_calendar_token():
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """The secret in a person's calendar feed addresses. Resetting it cuts off every
    calendar app that had the old address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=40, unique=True, default=_new_calendar_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar address")
        verbose_name_plural = _("calendar addresses")

    def __str__(self):
        return f"{self.user}"

    def reset(self):
        self.token = _new_calendar_token()
        self.created_at = timezone.now()
        self.save(update_fields=["token", "created_at"])
