"""Writes of the practice cycle: activities, attendance, documentation, action plans,
reflections and products. Keyword-only and atomic; refusals raise `Refused`."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import notify
from activities.models import (
    REFLECTION_TEMPLATES,
    ActionPlan,
    Activity,
    Attendance,
    Document,
    ReflectionDismissal,
)
from activities.uploads import UploadRejected, display_name, process_upload
from communities.models import Membership
from communities.services import Refused, require_live
from kompra.ops.logs import security_event
from kompra.ops.storage import STORAGE_ERRORS

logger = logging.getLogger(__name__)

MAX_FILES_PER_UPLOAD = 20


# Activities


# What members hear about when it changes.
NOTEWORTHY_FIELDS = ("title", "starts_at", "ends_at", "place", "online_url")


@transaction.atomic
def activity_save(*, activity, by=None):
    """Validates and saves an activity (new or edited) of a live community, and tells
    the members when it is new or its time or place changed."""
    require_live(activity.community)
    if activity.ends_at <= activity.starts_at:
        raise Refused(_("The end must be after the start."))
    before = None
    if activity.pk is not None:
        before = Activity.objects.filter(pk=activity.pk).values(*NOTEWORTHY_FIELDS, "status").first()
    activity.save()
    if by is not None and activity.status == Activity.Status.PLANNED:
        if before is None:
            notify.activity_planned(activity, by)
        elif any(before[field] != getattr(activity, field) for field in NOTEWORTHY_FIELDS):
            notify.activity_changed(activity, by)
    return activity


@transaction.atomic
def activity_set_status(*, activity, status, by=None):
    require_live(activity.community)
    if status not in Activity.Status.values:
        raise Refused(_("Unknown status."))
    if status == Activity.Status.HELD and activity.starts_at > timezone.now():
        raise Refused(_("An activity can be marked as held only once it has started."))
    was = activity.status
    activity.status = status
    activity.save(update_fields=["status"])
    if by is not None and status == Activity.Status.CANCELLED and was != status:
        notify.activity_cancelled(activity, by)
    return activity


def activity_record_held(
    *, activity, by, statuses, files=(), caption="", shows_students=False, consent_confirmed=False
):
    """Records a meeting as held in one step, all or nothing: `activity` (planned, or
    new and unsaved) already carries the date and times it really took place and its
    minutes; `statuses` is the attendance (as attendance_record takes it) and `files`
    its documentation, verified and re-encoded as any upload. On a refusal nothing is
    saved: neither the activity, its attendance nor any file."""
    require_live(activity.community)
    if activity.ends_at <= activity.starts_at:
        raise Refused(_("The end must be after the start."))
    if activity.starts_at > timezone.now():
        raise Refused(_("An activity can be marked as held only once it has started."))
    with transaction.atomic():
        activity.status = Activity.Status.HELD
        activity.save()
        attendance_record(activity=activity, statuses=statuses)
        if files:
            document_add_many(
                community=activity.community,
                by=by,
                files=files,
                activity=activity,
                caption=caption,
                shows_students=shows_students,
                consent_confirmed=consent_confirmed,
            )
    return activity


# Attendance


def attendance_check_in(*, activity, user):
    """A member checks themselves in, from half an hour before the start until the end."""
    require_live(activity.community)
    if activity.status == Activity.Status.CANCELLED:
        raise Refused(_("This activity was cancelled, so there is nothing to check in to."))
    now = timezone.now()
    if now > activity.ends_at:
        raise Refused(_("This activity has ended; ask the coordinator to record your attendance."))
    if not activity.check_in_open:
        raise Refused(_("Check-in opens 30 minutes before the activity starts."))
    attendance, _created = Attendance.objects.update_or_create(
        activity=activity,
        user=user,
        defaults={"status": Attendance.Status.PRESENT, "checked_in_at": now},
    )
    return attendance


@transaction.atomic
def attendance_record(*, activity, statuses):
    """The coordinator's list: `statuses` maps active members' user ids to a status
    (or "" to clear). Ids of non-members are refused."""
    require_live(activity.community)
    if activity.status == Activity.Status.CANCELLED:
        raise Refused(_("This activity was cancelled; attendance cannot be recorded."))
    members = set(
        activity.community.memberships.filter(status=Membership.Status.ACTIVE).values_list("user_id", flat=True)
    )
    if not set(statuses) <= members:
        raise Refused(_("Attendance can be recorded only for members of the community."))
    for user_id, status in statuses.items():
        if status == "":
            Attendance.objects.filter(activity=activity, user_id=user_id).delete()
        elif status in Attendance.Status.values:
            Attendance.objects.update_or_create(activity=activity, user_id=user_id, defaults={"status": status})
        else:
            raise Refused(_("Unknown attendance status."))


# Documentation


def document_add_many(
    *, community, by, files, activity=None, product=None, caption="", shows_students=False, consent_confirmed=False
):
    """Verifies and stores the files one by one, all or none: a rejected file removes
    what was already written. Photos are re-encoded (no EXIF, no location) with a
    thumbnail; other files keep their bytes under random names.

    Idempotent: a file whose stored bytes (by SHA-256) the activity or product already
    has is not stored again, so a retry after a dropped connection or a double submit
    adds nothing. Returns the new documents only; len(files) - len(result) were there.

    When the storage cannot be written (a full or read-only disk, an unreachable bucket)
    nothing stays behind, no row and no file, not even half of one; the failure is logged
    and the person is told in plain words (Refused)."""
    require_live(community)
    if not files:
        raise Refused(_("Choose at least one photo or file."))
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise Refused(_("Upload at most %(n)d files at once.") % {"n": MAX_FILES_PER_UPLOAD})
    target = activity or product
    written = []  # (storage, name) of every file written, or being written when it failed
    try:
        with transaction.atomic():
            # Two copies of one upload arriving together queue here, so the second sees the first.
            type(target).objects.select_for_update().filter(pk=target.pk).exists()
            stored = set(Document.objects.filter(activity=activity, product=product).values_list("sha256", flat=True))
            documents = []
            for uploaded in files:
                try:
                    item = process_upload(uploaded, max_bytes=settings.KOMPRA_MAX_UPLOAD_BYTES)
                except UploadRejected as exc:
                    security_event("upload_rejected", user=by.pk, community=community.pk, reason=exc.code)
                    raise Refused(f"{display_name(uploaded.name)}: {exc}") from None
                if item.sha256 in stored:
                    continue
                stored.add(item.sha256)
                is_photo = item.kind == Document.Kind.PHOTO
                document = Document(
                    community=community,
                    activity=activity,
                    product=product,
                    kind=item.kind,
                    original_name=item.original_name,
                    content_type=item.content_type,
                    size=len(item.content),
                    sha256=item.sha256,
                    width=item.width,
                    height=item.height,
                    caption=caption,
                    shows_students=shows_students and is_photo,
                    consent_confirmed=consent_confirmed and shows_students and is_photo,
                    uploaded_by=by,
                )
                # Files first, then the row: on any failure below, the files written so far
                # are removed and the transaction drops the rows, so the two never part.
                _store(document.file, f"upload{item.extension}", item.content, written)
                if item.thumbnail:
                    _store(document.thumbnail, "thumb.jpg", item.thumbnail, written)
                document.save()
                documents.append(document)
    except StorageFailed as exc:
        _remove(written)
        logger.error(
            "event=upload_storage_failed user=%s community=%s files=%d error=%s",
            by.pk,
            community.pk,
            len(files),
            type(exc.__cause__).__name__,
            exc_info=exc.__cause__,
        )
        raise Refused(
            _(
                "The upload could not be saved because file storage is not working right now. "
                "Nothing was saved; please try again later."
            )
        ) from None
    except BaseException:
        _remove(written)
        raise
    return documents


class StorageFailed(Exception):
    """The storage refused a write; the storage's own exception is the cause."""


def _store(field_file, filename, content, written):
    """Saves `content` under a fresh name for `field_file`, recording the name before the
    write starts, so that a write failing halfway leaves nothing `_remove` cannot find."""
    storage, field = field_file.storage, field_file.field
    try:
        name = storage.get_available_name(field.generate_filename(field_file.instance, filename), field.max_length)
        written.append((storage, name))
        saved = storage.save(name, ContentFile(content), max_length=field.max_length)
    except STORAGE_ERRORS as exc:
        raise StorageFailed from exc
    if saved != name:
        written.append((storage, saved))
    setattr(field_file.instance, field.attname, saved)


def _remove(written):
    for storage, name in written:
        try:
            storage.delete(name)
        except STORAGE_ERRORS:
            if _still_there(storage, name):
                # Still down: the operator finds the name here and removes the file by hand.
                logger.exception("event=orphan_file name=%s: could not be removed after a failed upload", name)


def _still_there(storage, name):
    try:
        return storage.exists(name)
    except STORAGE_ERRORS:
        return True


@transaction.atomic
def document_delete(*, document):
    """Removes a document and its files (the coordinator's or the uploader's call)."""
    require_live(document.community)
    names = [(f.storage, f.name) for f in (document.file, document.thumbnail) if f]
    document.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


# Action plans


@transaction.atomic
def action_plan_save(*, plan, by=None):
    require_live(plan.community)
    if plan.problem.community_id != plan.community_id:
        raise Refused(_("The action plan must belong to a problem of this community."))
    if not plan.community.memberships.filter(user=plan.owner, status=Membership.Status.ACTIVE).exists():
        raise Refused(_("The person responsible must be a member of the community."))
    owner_before = ActionPlan.objects.filter(pk=plan.pk).values_list("owner_id", flat=True).first() if plan.pk else None
    plan.save()
    if by is not None and owner_before != plan.owner_id:
        notify.action_assigned(plan, by)
    return plan


def action_plan_set_status(*, plan, status, outcome=None):
    """Moves an action plan on; completing it records when (and invites a reflection)."""
    require_live(plan.community)
    if status not in ActionPlan.Status.values:
        raise Refused(_("Unknown status."))
    plan.status = status
    plan.completed_at = timezone.now() if status == ActionPlan.Status.DONE else None
    fields = ["status", "completed_at"]
    if outcome is not None:
        plan.outcome = outcome
        fields.append("outcome")
    plan.save(update_fields=fields)
    return plan


# Reflections


def reflection_save(*, reflection, answers):
    """Saves a reflection with the answers to its template's questions. Only attendees
    (or coordinators) reflect on an activity; one reflection per person per activity."""
    community = reflection.community
    require_live(community)
    keys = [key for key, _label in REFLECTION_TEMPLATES[reflection.template]]
    cleaned = {key: (answers.get(key) or "").strip()[:5000] for key in keys}
    if not any(cleaned.values()):
        raise Refused(_("Write at least one answer."))
    if reflection.activity_id and reflection.pk is None:
        require_can_reflect(activity=reflection.activity, user=reflection.author)
    reflection.answers = cleaned
    try:
        with transaction.atomic():
            reflection.save()
    except IntegrityError:
        raise Refused(_("You already wrote a reflection on this activity; edit it instead.")) from None
    ReflectionDismissal.objects.filter(user=reflection.author, activity_id=reflection.activity_id).delete()
    return reflection


def require_can_reflect(*, activity, user):
    if activity.status != Activity.Status.HELD:
        raise Refused(_("Reflections are written after the activity has been held."))
    is_coordinator = activity.community.memberships.coordinators().filter(user=user).exists()
    attended = activity.attendances.filter(user=user, status=Attendance.Status.PRESENT).exists()
    if not (attended or is_coordinator):
        raise Refused(_("Only members who attended can reflect on this activity."))


def reflection_dismiss(*, activity, user):
    ReflectionDismissal.objects.get_or_create(activity=activity, user=user)


# Products


@transaction.atomic
def product_save(*, product, authors, files=(), by=None, caption="", shows_students=False, consent_confirmed=False):
    """Saves a product, its authors and (in the same step, all or nothing) its files,
    verified and re-encoded as any upload."""
    require_live(product.community)
    if product.activity_id and product.activity.community_id != product.community_id:
        raise Refused(_("The activity must belong to this community."))
    with transaction.atomic():
        _product_save(product=product, authors=authors)
        if files:
            document_add_many(
                community=product.community,
                by=by or product.created_by,
                files=files,
                product=product,
                caption=caption,
                shows_students=shows_students,
                consent_confirmed=consent_confirmed,
            )
    return product


def _product_save(*, product, authors):
    members = set(
        product.community.memberships.filter(status=Membership.Status.ACTIVE).values_list("user_id", flat=True)
    )
    if not authors or any(author.pk not in members for author in authors):
        raise Refused(_("Authors must be members of the community."))
    if product.problem_id and product.problem.community_id != product.community_id:
        raise Refused(_("The problem must belong to this community."))
    product.save()
    product.authors.set(authors)
    return product
