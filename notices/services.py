"""Telling people things. Services of the other apps call `notice_send` explicitly
when something happens; the tick calls it for reminders. Nothing here knows what a
community is: the apps register kinds and visibility rules (notices.registry)."""

import uuid
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone, translation

from notices import bell
from notices.models import Mute, Notice, Preference
from notices.registry import KINDS, VISIBILITY, Mode


def _ct(obj):
    return ContentType.objects.get_for_model(obj)


def modes_for(users, kind):
    """{user_id: mode} for one kind: the person's choice or the kind's default. One query."""
    default = KINDS[kind].default
    chosen = dict(Preference.objects.filter(user__in=users, kind=kind).values_list("user_id", "mode"))
    return {u.pk: chosen.get(u.pk, default) for u in users}


def notice_send(*, kind, to, about, title, params=None, key=None, group=None, url=None):
    """Tells each person in `to` (a user or several) about `about`, in their own
    language, following their preferences and mutes. `title` is a lazy message with
    %(name)s placeholders filled from `params`.

    `key` names the event: a person gets one notice per key, ever (reminders pass a
    stable key; without one, every call is a new event). Emails go out from the task
    worker, so a failing mail server never breaks the request that caused the notice.
    Returns the notices written."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notice kind {kind!r}: register it in notices.registry.")
    users = [to] if hasattr(to, "pk") else list(to)
    users = [u for u in users if u.is_active]
    if not users:
        return []
    key = key or f"{kind}:{uuid.uuid4().hex}"
    about_type = _ct(about)
    group_type = _ct(group) if group is not None else None
    modes = modes_for(users, kind)
    muted = set()
    if group is not None:
        muted = set(
            Mute.objects.filter(user__in=users, group_type=group_type, group_id=group.pk).values_list(
                "user_id", flat=True
            )
        )
    url = url if url is not None else about.get_absolute_url()
    now = timezone.now()
    notices = []
    for user in users:
        mode = modes[user.pk]
        if mode == Mode.OFF or user.pk in muted:
            continue
        with translation.override(user.language or "id"):
            text = str(title) % (params or {})
        email = {
            Mode.EMAIL: Notice.Email.PENDING,
            Mode.DIGEST: Notice.Email.DIGEST,
        }.get(mode, Notice.Email.NONE)
        notices.append(
            Notice(
                recipient=user,
                kind=kind,
                key=key,
                title=text[:300],
                url=url,
                about_type=about_type,
                about_id=about.pk,
                group_type=group_type,
                group_id=group.pk if group is not None else None,
                urgent=KINDS[kind].urgent,
                created_at=now,
                email_status=email if user.email else Notice.Email.NONE,
            )
        )
    # A notice already written under this key (a second tick, a retry) is skipped.
    Notice.objects.bulk_create(notices, ignore_conflicts=True)
    bell.forget(n.recipient.pk for n in notices)
    emailed = [n.recipient.pk for n in notices if n.email_status == Notice.Email.PENDING]
    if emailed:
        from notices.tasks import deliver_email

        # The database queue takes the task in the same transaction as the notices:
        # both are kept or both are rolled back.
        deliver_email.enqueue(emailed)
    return notices


def visible_pks(user, about_type, pks):
    """The ids among `pks` (objects of `about_type`) the user may still see, asked of
    the app that owns them. Unregistered kinds of object stay visible to their recipient."""
    check = VISIBILITY.get(f"{about_type.app_label}.{about_type.model}")
    if check is None:
        return set(pks)
    return set(check(user, set(pks)))


def still_visible(user, notices):
    """The notices whose object `user` may still see: one check per kind of object."""
    by_type = defaultdict(set)
    for notice in notices:
        by_type[notice.about_type_id].add(notice.about_id)
    allowed = {
        type_id: visible_pks(user, ContentType.objects.get_for_id(type_id), pks) for type_id, pks in by_type.items()
    }
    return [n for n in notices if n.about_id in allowed[n.about_type_id]]


def notices_withdraw_invisible(*, user, notices):
    """Withdraws the notices of `notices` the user may no longer see; returns the rest."""
    visible = still_visible(user, notices)
    gone = {n.pk for n in notices} - {n.pk for n in visible}
    if gone:
        Notice.objects.filter(pk__in=gone).update(withdrawn=True)
        bell.forget([user.pk])
    return visible


def notices_withdraw_group(*, user, group):
    """Someone left a group (a community): its unread notices go from their bell and
    nothing more of it is emailed to them."""
    Notice.objects.filter(recipient=user, group_type=_ct(group), group_id=group.pk, read_at__isnull=True).update(
        withdrawn=True
    )
    Notice.objects.filter(
        recipient=user,
        group_type=_ct(group),
        group_id=group.pk,
        email_status__in=[Notice.Email.PENDING, Notice.Email.DIGEST],
    ).update(email_status=Notice.Email.DROPPED)
    bell.forget([user.pk])


def notices_recheck_group(*, group):
    """Who may see a group's things changed (its visibility): withdraw the unread
    notices that are no longer visible to their recipient."""
    unread = list(
        Notice.objects.filter(group_type=_ct(group), group_id=group.pk, read_at__isnull=True, withdrawn=False)
        .select_related("recipient")
        .order_by("recipient_id")
    )
    by_user = defaultdict(list)
    for notice in unread:
        by_user[notice.recipient].append(notice)
    for user, notices in by_user.items():
        notices_withdraw_invisible(user=user, notices=notices)


def notice_mark_read(*, notice):
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
        bell.forget([notice.recipient_id])
    return notice


def notices_mark_all_read(*, user):
    count = Notice.objects.for_user(user).unread().update(read_at=timezone.now())
    bell.forget([user.pk])
    return count


def preference_set(*, user, kind, mode):
    if kind not in KINDS or mode not in Mode.values:
        raise ValueError(f"Unknown kind or mode: {kind!r}, {mode!r}")
    if mode == KINDS[kind].default:
        Preference.objects.filter(user=user, kind=kind).delete()
    else:
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"mode": mode})


def mute_set(*, user, group, muted):
    group_type = _ct(group)
    if muted:
        Mute.objects.get_or_create(user=user, group_type=group_type, group_id=group.pk)
    else:
        Mute.objects.filter(user=user, group_type=group_type, group_id=group.pk).delete()


def is_muted(*, user, group):
    """One query, even before the content types are cached (pages pin their counts): a
    fixed statement, as the community overview asks it on every request."""
    meta = group._meta
    sql = (
        f"SELECT 1 FROM {Mute._meta.db_table} m"  # noqa: S608 - table names from the models
        f" INNER JOIN {ContentType._meta.db_table} ct ON ct.id = m.group_type_id"
        " WHERE m.user_id = %s AND ct.app_label = %s AND ct.model = %s AND m.group_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, meta.app_label, meta.model_name, group.pk])
        return cursor.fetchone() is not None
