import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from communities.text import shorten
from kompra.accounts.models import School
from kompra.ops.rows import one_row

INVITATION_DAYS = 14


class Stage(models.TextChoices):
    MERINTIS = "merintis", _("Initiating (merintis)")
    MENUMBUHKAN = "menumbuhkan", _("Growing (menumbuhkan)")
    MERAWAT = "merawat", _("Sustaining (merawat keberlanjutan)")

    @classmethod
    def order(cls, stage):
        return list(cls.values).index(stage)

    @classmethod
    def next(cls, stage):
        values = list(cls.values)
        index = values.index(stage)
        return values[index + 1] if index + 1 < len(values) else None

    @classmethod
    def previous(cls, stage):
        values = list(cls.values)
        index = values.index(stage)
        return values[index - 1] if index > 0 else None


class CommunityQuerySet(models.QuerySet):
    """Who may see and run which community: the one place these rules live."""

    def visible_to(self, user):
        """Communities the user may open (DESIGN.md, "Who may do what").

        Members, including people invited or asking to join, see theirs; teachers see
        their own school's communities unless they are members-only; principals see
        every community of their school; anyone signed in sees public ones; staff see all.
        `Access.may_open` is the same rule for one community whose membership is read.
        """
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        # One condition on the community's own row and a subquery on the person's
        # memberships (the membership_once_per_person index): no join over every
        # membership of every community, so the cost does not grow with the district.
        theirs = Membership.objects.filter(user=user, status__in=Membership.OPENING).values("community_id")
        rule = Q(visibility=Community.Visibility.PUBLIC) | Q(pk__in=theirs)
        if user.school_id:
            if user.is_principal:
                rule |= Q(home_school_id=user.school_id)
            else:
                rule |= Q(home_school_id=user.school_id, visibility=Community.Visibility.SCHOOL)
        return self.filter(rule)

    def managed_by(self, user):
        """Communities the user coordinates (and may therefore run)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=Membership.objects.coordinators().filter(user=user).values("community_id"))

    def of_member(self, user):
        """Communities the user is an active member (or coordinator) of."""
        if not user.is_authenticated:
            return self.none()
        # A subquery, not a join: a join on memberships would be reused by later
        # Count("memberships") annotations and count only this user's row.
        return self.filter(
            pk__in=Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values("community_id")
        )

    def active(self):
        return self.filter(archived=False)

    def with_member_count(self):
        return self.annotate(member_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)))

    def for_listing(self):
        """What every list of communities shows: school, stage, member count."""
        return self.select_related("home_school").with_member_count().order_by("archived", "name")


class Community(models.Model):
    """A komunitas praktisi: teachers who share a concern about their practice."""

    class Kind(models.TextChoices):
        WITHIN_SCHOOL = "within", _("within one school")
        ACROSS_SCHOOLS = "across", _("across schools")
        ONLINE = "online", _("online")

    class Visibility(models.TextChoices):
        # From the narrowest to the widest.
        MEMBERS = "members", _("members only")
        SCHOOL = "school", _("the whole school")
        PUBLIC = "public", _("public")

        @classmethod
        def narrows(cls, before, after):
            """Whether going from `before` to `after` lets fewer people see the community."""
            values = list(cls.values)
            return values.index(after) < values.index(before)

    slug = models.SlugField(_("web address"), max_length=80, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120)
    concern = models.TextField(
        _("shared concern"),
        help_text=_("What worries or interests all of you about your teaching? (Markdown)"),
    )
    goal = models.TextField(_("goal"), blank=True, help_text=_("What do you want to achieve together?"))
    norms = models.TextField(
        _("agreed norms"), blank=True, help_text=_("How you work together: agreements, roles, etiquette.")
    )
    rhythm_weeks = models.PositiveSmallIntegerField(
        _("meet every … weeks"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    rhythm_note = models.CharField(
        _("meeting rhythm"),
        max_length=200,
        blank=True,
        help_text=_("For example: Thursday after school, in the library."),
    )
    aim_share = models.CharField(_("share information about teaching problems"), max_length=200, blank=True)
    aim_support = models.CharField(_("support each other"), max_length=200, blank=True)
    aim_spread = models.CharField(_("spread members' achievements"), max_length=200, blank=True)
    aim_apply = models.CharField(_("fold learning into daily work"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.WITHIN_SCHOOL)
    home_school = models.ForeignKey(
        School, verbose_name=_("home school"), on_delete=models.PROTECT, related_name="communities"
    )
    visibility = models.CharField(
        _("who can see it"), max_length=8, choices=Visibility.choices, default=Visibility.SCHOOL
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.MERINTIS)
    stage_since = models.DateTimeField(_("in this stage since"), default=timezone.now)
    principal_informed_at = models.DateTimeField(_("principal informed"), null=True, blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(_("founded"), default=timezone.now)
    # Raised by every write to anything of the community (communities/freshness.py): the
    # key of what is cached about it. Only freshness.bump() writes it, never save().
    data_version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = CommunityQuerySet.as_manager()

    AIM_FIELDS = ("aim_share", "aim_support", "aim_spread", "aim_apply")

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]
        indexes = [
            # The school directory: a school's communities, live ones first.
            models.Index(fields=["home_school", "archived", "name"], name="community_school_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self.name)
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            # An instance read before a write must not put back its older data_version:
            # cached facts under that older key would come back to life.
            skip = {"data_version", *self.get_deferred_fields()}
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.attname not in skip
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("communities:detail", args=[self.slug])

    @property
    def aims(self):
        """(label, line) for each of the four aims this community pursues."""
        return [
            (self._meta.get_field(field).verbose_name, getattr(self, field))
            for field in self.AIM_FIELDS
            if getattr(self, field)
        ]

    @property
    def accepts_other_schools(self):
        return self.kind != self.Kind.WITHIN_SCHOOL

    @property
    def next_stage(self):
        return Stage.next(self.stage)

    @property
    def previous_stage(self):
        return Stage.previous(self.stage)

    def access_for(self, user):
        """What `user` may do here. Reads the user's membership: one query."""
        membership = None
        if user.is_authenticated:
            # One row at most (membership_once_per_person), read without a queryset to
            # build (kompra/ops/rows.py): every page of a community reads it.
            membership = one_row(Membership, community=self.pk, user=user.pk)
        return Access(community=self, user=user, membership=membership)


def unique_slug(name):
    """A readable slug from the name, with -2, -3… when the name is taken."""
    base = slugify(name)[:70] or "komunitas"
    taken = set(Community.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


class Access:
    """The capabilities of one person in one community (DESIGN.md's table)."""

    def __init__(self, *, community, user, membership):
        self.community = community
        self.user = user
        self.membership = membership

    @property
    def may_open(self):
        """Whether the person may open the community: CommunityQuerySet.visible_to's rule
        for this one community, read from its row, the person and their membership."""
        user, community = self.user, self.community
        if not user.is_authenticated:
            return False
        if user.is_staff or community.visibility == Community.Visibility.PUBLIC:
            return True
        if self.membership is not None and self.membership.status in Membership.OPENING:
            return True
        if user.school_id is not None and user.school_id == community.home_school_id:
            return user.is_principal or community.visibility == Community.Visibility.SCHOOL
        return False

    @property
    def is_member(self):
        return self.membership is not None and self.membership.status == Membership.Status.ACTIVE

    @property
    def is_coordinator(self):
        return self.is_member and self.membership.role == Membership.Role.COORDINATOR

    @property
    def is_invited(self):
        return self.membership is not None and self.membership.status == Membership.Status.INVITED

    @property
    def has_requested(self):
        return self.membership is not None and self.membership.status == Membership.Status.REQUESTED

    @property
    def is_home_principal(self):
        user = self.user
        return (
            user.is_authenticated
            and user.is_principal
            and user.school_id is not None
            and user.school_id == self.community.home_school_id
        )

    @property
    def sees_private(self):
        """What stays inside the community at every visibility: photos of students
        without the parents' consent confirmed, reflections their authors kept out of
        reports, and one member's record (their reflections and products on their page).
        Its active members only: site staff read these in the Django admin, and the
        principal sees community-level facts, never a teacher's file."""
        return self.is_member

    @property
    def can_contribute(self):
        """Raise problems, comment, add activities, upload, reflect."""
        return self.is_member

    @property
    def can_manage(self):
        """Manage members, edit the profile, change the stage, publish."""
        return self.is_coordinator

    def may_edit(self, author_id):
        """Others' content is the coordinators' to edit; a member edits their own
        (a problem they raised, an activity they proposed, their upload, their action)."""
        return self.can_manage or (self.can_contribute and author_id == self.user.pk)

    @property
    def can_endorse(self):
        return self.is_home_principal

    @property
    def can_read_feedback(self):
        """The principal's feedback threads: for the community's members, the principal and admins."""
        return self.is_member or self.is_home_principal or self.user.is_staff

    @property
    def can_give_feedback(self):
        return self.is_home_principal

    @property
    def can_reply_feedback(self):
        return self.is_coordinator or self.is_home_principal

    @property
    def can_read_reports(self):
        """The portfolio: the community's record for its members, the home principal and admins."""
        return self.is_member or self.is_home_principal or self.user.is_staff

    @property
    def can_export_activities(self):
        return self.can_manage or self.is_home_principal or self.user.is_staff

    @property
    def can_export_archive(self):
        """Everything the community holds, as a zip: its coordinators' (and admins') call."""
        return self.can_manage or self.user.is_staff

    @property
    def can_request_join(self):
        user = self.user
        if not user.is_authenticated or not user.school_id:
            return False
        if self.membership is not None and self.membership.status in (
            Membership.Status.ACTIVE,
            Membership.Status.INVITED,
            Membership.Status.REQUESTED,
        ):
            return False
        if user.school_id == self.community.home_school_id:
            return True
        # Other schools' teachers may ask to join a cross-school or online community;
        # another school's principal oversees their own school, not this one.
        return self.community.accepts_other_schools and not user.is_principal


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Membership.Status.ACTIVE)

    def coordinators(self):
        return self.active().filter(role=Membership.Role.COORDINATOR)


class Membership(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("coordinator")
        MEMBER = "member", _("member")

    class Status(models.TextChoices):
        INVITED = "invited", _("invited")
        REQUESTED = "requested", _("asked to join")
        ACTIVE = "active", _("active")
        DECLINED = "declined", _("declined")
        LEFT = "left", _("left")

    # The statuses that let a person open a members-only community.
    OPENING = (Status.ACTIVE, Status.INVITED, Status.REQUESTED)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="membership_once_per_person"),
        ]
        indexes = [
            # Member lists and counts of a community, by status.
            models.Index(fields=["community", "status"], name="membership_community_idx"),
        ]

    def __str__(self):
        return f"{self.user} · {self.community} ({self.get_role_display()}, {self.get_status_display()})"

    @property
    def is_coordinator(self):
        return self.status == self.Status.ACTIVE and self.role == self.Role.COORDINATOR


class VisibilityChange(models.Model):
    """A change of who can see a community, with what its coordinator decided about
    what the community had made public at that moment. Public items stay public whatever
    the visibility, so narrowing it asks whether to keep them or withdraw them; the
    record says who chose what, and which items it concerned."""

    class PublicItems(models.TextChoices):
        NONE = "none", _("nothing was public")
        KEPT = "kept", _("kept public")
        WITHDRAWN = "withdrawn", _("withdrawn")

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="visibility_changes"
    )
    from_visibility = models.CharField(_("from"), max_length=8, choices=Community.Visibility.choices)
    to_visibility = models.CharField(_("to"), max_length=8, choices=Community.Visibility.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    public_items = models.CharField(
        _("what was public"), max_length=10, choices=PublicItems.choices, default=PublicItems.NONE
    )
    items = models.JSONField(
        _("public items"), default=list, blank=True, help_text=_("Title and address of each item public at the time.")
    )

    class Meta:
        verbose_name = _("visibility change")
        verbose_name_plural = _("visibility changes")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_visibility=models.F("to_visibility")), name="visibility_change_changes"
            ),
        ]

    def __str__(self):
        return f"{self.community}: {self.get_from_visibility_display()} → {self.get_to_visibility_display()}"


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked=False, expires_at__gt=timezone.now())


def _invitation_expiry():
    return timezone.now() + timedelta(days=INVITATION_DAYS)


class Invitation(models.Model):
    """An invitation by link for an address that has no account yet."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    school = models.ForeignKey(
        School, verbose_name=_("school of the new account"), on_delete=models.PROTECT, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.community}"

    def get_absolute_url(self):
        return reverse("communities:invitation", args=[self.token])

    @property
    def is_usable(self):
        return self.accepted_at is None and not self.revoked and self.expires_at > timezone.now()


def validate_evidence_links(value):
    validate = URLValidator(schemes=["http", "https"])
    for line in value.splitlines():
        if line.strip():
            try:
                validate(line.strip())
            except ValidationError:
                raise ValidationError(
                    _("Each evidence line must be a web address starting with http:// or https://: %(line)s"),
                    params={"line": line.strip()[:80]},
                ) from None


class StageChange(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="stage_changes"
    )
    from_stage = models.CharField(_("from"), max_length=12, choices=Stage.choices)
    to_stage = models.CharField(_("to"), max_length=12, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"))
    evidence = models.TextField(
        _("evidence links"),
        blank=True,
        validators=[validate_evidence_links],
        help_text=_("Optional: one web address per line (photos, minutes, a decree)."),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("endorsed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    endorsed_at = models.DateTimeField(_("endorsed"), null=True, blank=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_stage=models.F("to_stage")), name="stage_change_moves"),
        ]

    def __str__(self):
        return f"{self.community}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"

    @property
    def is_advance(self):
        return Stage.order(self.to_stage) > Stage.order(self.from_stage)

    @property
    def evidence_links(self):
        return [line.strip() for line in self.evidence.splitlines() if line.strip()]


class ProblemQuerySet(models.QuerySet):
    def with_support_count(self):
        return self.annotate(support_count=Count("supporters", distinct=True))


class Problem(models.Model):
    """A masalah bersama: a problem of practice that members share."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACTING = "acting", _("being acted on")
        RESOLVED = "resolved", _("resolved")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="problems"
    )
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown is allowed."))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    is_focus = models.BooleanField(_("current focus"), default=False)
    supporters = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("shared by"), related_name="+", blank=True
    )
    created_at = models.DateTimeField(_("raised"), default=timezone.now)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("shared problem")
        verbose_name_plural = _("shared problems")
        ordering = ["-is_focus", "status", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["community"], condition=Q(is_focus=True), name="problem_one_focus_per_community"
            ),
            # What is solved is no longer what the community works on.
            models.CheckConstraint(
                condition=~Q(is_focus=True, status="resolved"), name="problem_resolved_is_not_the_focus"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("communities:problem", args=[self.community.slug, self.uid])

    def clean(self):
        super().clean()
        if self.is_focus and self.status == self.Status.RESOLVED:
            raise ValidationError({"is_focus": _("A resolved problem cannot be the current focus.")})

    @property
    def is_current_focus(self):
        return self.is_focus and self.status != self.Status.RESOLVED


class ProblemComment(models.Model):
    problem = models.ForeignKey(Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("comment"), help_text=_("Markdown is allowed."))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.author}: {shorten(self.body, 40)}"
