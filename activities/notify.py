"""What activities tell people: plans, changes and cancellations, actions assigned,
and the reminders the tick sends (the day before and an hour before a meeting, an
action due in two days or overdue, a reflection prompt the day after a meeting)."""

import zoneinfo
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import ActionPlan, Activity, Attendance, Reflection, ReflectionDismissal
from communities.models import Community, Membership
from communities.notify import MEMBERS, YOU, members_of
from notices import registry
from notices.mail import site_url
from notices.registry import DigestLine, Reminder
from notices.services import notice_send

User = get_user_model()

# Local hours at which the daily reminders go out, in each person's own zone.
DAY_BEFORE_HOUR = 16
ACTION_HOUR = 7
REFLECTION_HOUR = 9

ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

registry.kind("activity_planned", label=gettext_lazy("An activity is planned"), audience=MEMBERS, order=20)
registry.kind("activity_changed", label=gettext_lazy("An activity changes time or place"), audience=MEMBERS, order=21)
registry.kind(
    "activity_cancelled", label=gettext_lazy("An activity is cancelled"), audience=MEMBERS, urgent=True, order=22
)
registry.kind("action_assigned", label=gettext_lazy("An action is assigned to you"), audience=YOU, order=30)
registry.kind(
    "reminder_day_before",
    label=gettext_lazy("Reminder the day before an activity"),
    audience=MEMBERS,
    urgent=True,
    order=50,
)
registry.kind(
    "reminder_hour_before",
    label=gettext_lazy("Reminder an hour before an activity"),
    audience=MEMBERS,
    urgent=True,
    order=51,
)
registry.kind("action_due", label=gettext_lazy("Your action is due in two days"), audience=YOU, order=52)
registry.kind("action_overdue", label=gettext_lazy("Your action is overdue"), audience=YOU, order=53)
registry.kind("reflection_prompt", label=gettext_lazy("Reflect on a meeting you attended"), audience=YOU, order=54)


@registry.visibility(Activity)
def _activity_visible(user, pks):
    communities = Community.objects.visible_to(user)
    return Activity.objects.filter(pk__in=pks, community__in=communities).values_list("pk", flat=True)


@registry.visibility(ActionPlan)
def _action_visible(user, pks):
    communities = Community.objects.visible_to(user)
    return ActionPlan.objects.filter(pk__in=pks, community__in=communities).values_list("pk", flat=True)


def local_time(moment, zone_name):
    """“Kamis 12-06-2026 14.00 WITA”-style time in a person's zone, language-neutral
    apart from the zone's name."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone_name))
    return f"{local:%d-%m-%Y %H.%M} {ZONE_NAMES.get(zone_name, zone_name)}"


def _at_local(day, hour, zone_name):
    return datetime.combine(day, time(hour), tzinfo=zoneinfo.ZoneInfo(zone_name))


def share_text(activity):
    """The activity as a WhatsApp message: title, community, day and time with the
    zone (the reader's, as the page shows it), place, link, and its page on Kompra."""
    zone = timezone.get_current_timezone_name()
    local = timezone.localtime(activity.starts_at)
    when = f"{date_format(local, 'l, j F Y')}, {local:%H.%M} {ZONE_NAMES.get(zone, zone)}"
    lines = [f"*{activity.title}*", activity.community.name, f"🗓 {when}"]
    if activity.place:
        lines.append(f"📍 {activity.place}")
    if activity.online_url:
        lines.append(f"💻 {activity.online_url}")
    lines.append(site_url(activity.get_absolute_url()))
    return "\n".join(lines)


# Events


def _tell_members(kind, activity, by, title):
    """One notice per member, with the time in each member's own zone."""
    for zone, people in _by_zone(members_of(activity.community, exclude=by)).items():
        notice_send(
            kind=kind,
            to=people,
            about=activity,
            group=activity.community,
            title=title,
            params={
                "community": activity.community.name,
                "title": activity.title,
                "when": local_time(activity.starts_at, zone),
            },
        )


def activity_planned(activity, by):
    _tell_members("activity_planned", activity, by, gettext_lazy("New activity in %(community)s: %(title)s, %(when)s"))


def activity_changed(activity, by):
    _tell_members("activity_changed", activity, by, gettext_lazy("Changed: %(title)s (%(community)s) is now %(when)s"))


def activity_cancelled(activity, by):
    notice_send(
        kind="activity_cancelled",
        to=members_of(activity.community, exclude=by),
        about=activity,
        group=activity.community,
        title=gettext_lazy("Cancelled: %(title)s (%(community)s)"),
        params={"community": activity.community.name, "title": activity.title},
    )


def action_assigned(plan, by):
    if plan.owner_id == by.pk:
        return
    notice_send(
        kind="action_assigned",
        to=plan.owner,
        about=plan,
        group=plan.community,
        title=gettext_lazy("%(by)s assigned you an action in %(community)s: %(what)s (due %(due)s)"),
        params={
            "by": str(by),
            "community": plan.community.name,
            "what": plan.what[:80],
            "due": plan.due.strftime("%d-%m-%Y"),
        },
    )


def _by_zone(people):
    zones = {}
    for person in people:
        zones.setdefault(person.time_zone, []).append(person)
    return zones


# Reminders


def _members_by_community(community_ids):
    rows = (
        Membership.objects.active()
        .filter(community_id__in=community_ids, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    members = {}
    for row in rows:
        members.setdefault(row.community_id, []).append(row.user)
    return members


@registry.reminders
def _activity_reminders(now, since):
    """The day before (at DAY_BEFORE_HOUR local time) and an hour before, to the active
    members; never once the activity has started or was cancelled. The key carries the
    start time, so a moved activity is reminded again."""
    activities = list(
        Activity.objects.filter(
            status=Activity.Status.PLANNED, starts_at__gt=now, starts_at__lte=now + timedelta(days=2)
        )
        .select_related("community")
        .filter(community__archived=False)
    )
    members = _members_by_community({a.community_id for a in activities})
    for activity in activities:
        stamp = f"{activity.uid}:{activity.starts_at.timestamp():.0f}"
        for user in members.get(activity.community_id, []):
            start_day = activity.starts_at.astimezone(zoneinfo.ZoneInfo(user.time_zone)).date()
            day_before = _at_local(start_day - timedelta(days=1), DAY_BEFORE_HOUR, user.time_zone)
            when = local_time(activity.starts_at, user.time_zone)
            params = {"title": activity.title, "community": activity.community.name, "when": when}
            if since < day_before <= now:
                yield Reminder(
                    kind="reminder_day_before",
                    to=user,
                    about=activity,
                    group=activity.community,
                    key=f"reminder_day_before:{stamp}",
                    title=gettext_lazy("Tomorrow: %(title)s (%(community)s), %(when)s"),
                    params=params,
                )
            if since < activity.starts_at - timedelta(hours=1) <= now:
                yield Reminder(
                    kind="reminder_hour_before",
                    to=user,
                    about=activity,
                    group=activity.community,
                    key=f"reminder_hour_before:{stamp}",
                    title=gettext_lazy("In an hour: %(title)s (%(community)s), %(when)s"),
                    params=params,
                )


@registry.reminders
def _action_reminders(now, since):
    """To the owner of an open action: two days before it is due, and the day after
    (overdue), at ACTION_HOUR local time; only while they are still a member."""
    today = now.date()
    plans = (
        ActionPlan.objects.open()
        .filter(due__gte=today - timedelta(days=2), due__lte=today + timedelta(days=3), community__archived=False)
        .filter(owner__is_active=True)
        .select_related("owner", "community")
    )
    active = set(
        Membership.objects.active()
        .filter(community__in={p.community_id for p in plans})
        .values_list("community_id", "user_id")
    )
    for plan in plans:
        if (plan.community_id, plan.owner_id) not in active:
            continue
        zone = plan.owner.time_zone
        params = {"what": plan.what[:80], "community": plan.community.name, "due": plan.due.strftime("%d-%m-%Y")}
        if since < _at_local(plan.due - timedelta(days=2), ACTION_HOUR, zone) <= now:
            yield Reminder(
                kind="action_due",
                to=plan.owner,
                about=plan,
                group=plan.community,
                key=f"action_due:{plan.uid}:{plan.due.isoformat()}",
                title=gettext_lazy("Due in two days (%(due)s): %(what)s (%(community)s)"),
                params=params,
            )
        if since < _at_local(plan.due + timedelta(days=1), ACTION_HOUR, zone) <= now:
            yield Reminder(
                kind="action_overdue",
                to=plan.owner,
                about=plan,
                group=plan.community,
                key=f"action_overdue:{plan.uid}:{plan.due.isoformat()}",
                title=gettext_lazy("Overdue since %(due)s: %(what)s (%(community)s)"),
                params=params,
            )


@registry.reminders
def _reflection_prompts(now, since):
    """The day after a held meeting, at REFLECTION_HOUR local time, to each member who
    attended and has neither reflected nor said they will not."""
    activities = list(
        Activity.objects.held()
        .filter(ends_at__gte=now - timedelta(days=3), ends_at__lte=now, community__archived=False)
        .select_related("community")
    )
    if not activities:
        return
    present = (
        Attendance.objects.filter(activity__in=activities, status=Attendance.Status.PRESENT, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    wrote = set(Reflection.objects.filter(activity__in=activities).values_list("activity_id", "author_id"))
    dismissed = set(ReflectionDismissal.objects.filter(activity__in=activities).values_list("activity_id", "user_id"))
    active = set(
        Membership.objects.active()
        .filter(community__in={a.community_id for a in activities})
        .values_list("community_id", "user_id")
    )
    by_id = {a.pk: a for a in activities}
    for attendance in present:
        activity = by_id[attendance.activity_id]
        pair = (activity.pk, attendance.user_id)
        if pair in wrote or pair in dismissed or (activity.community_id, attendance.user_id) not in active:
            continue
        zone = attendance.user.time_zone
        ended = activity.ends_at.astimezone(zoneinfo.ZoneInfo(zone)).date()
        if since < _at_local(ended + timedelta(days=1), REFLECTION_HOUR, zone) <= now:
            yield Reminder(
                kind="reflection_prompt",
                to=attendance.user,
                about=activity,
                group=activity.community,
                key=f"reflection_prompt:{activity.uid}",
                title=gettext_lazy("How did “%(title)s” go? Write a short reflection (%(community)s)"),
                params={"title": activity.title, "community": activity.community.name},
            )


# Digest: the coming week's meetings and a person's actions due.


@registry.digest_section
def _upcoming(users, since, until):
    now = timezone.now()
    memberships = Membership.objects.active().filter(user__in=users).values_list("user_id", "community_id")
    people_of = {}
    for user_id, community_id in memberships:
        people_of.setdefault(community_id, []).append(user_id)
    zones = {u.pk: u.time_zone for u in users}
    activities = (
        Activity.objects.filter(
            community_id__in=people_of, status=Activity.Status.PLANNED, starts_at__gte=now, starts_at__lte=until
        )
        .select_related("community")
        .order_by("starts_at")
    )
    heading = _("Meetings this week")
    lines = {}
    for activity in activities:
        for user_id in people_of[activity.community_id]:
            when = local_time(activity.starts_at, zones[user_id])
            lines.setdefault(user_id, []).append(
                DigestLine(
                    section=heading,
                    text=f"{activity.title} ({activity.community.name}), {when}",
                    url=activity.get_absolute_url(),
                    order=10,
                )
            )
    plans = (
        ActionPlan.objects.open()
        .filter(owner__in=users, due__lte=until.date(), community__archived=False)
        .select_related("community")
        .order_by("due")
    )
    heading = _("Your actions due")
    for plan in plans:
        lines.setdefault(plan.owner_id, []).append(
            DigestLine(
                section=heading,
                text=_("%(what)s (%(community)s), due %(due)s")
                % {"what": plan.what[:80], "community": plan.community.name, "due": plan.due.strftime("%d-%m-%Y")},
                url=plan.get_absolute_url(),
                order=20,
            )
        )
    return lines
