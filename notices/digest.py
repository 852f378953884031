"""The weekly digest: Monday morning in each person's zone, what the week holds and
what happened in their communities. The apps register its sections; an empty digest
is not sent. Built in chunks of people, each in a fixed number of queries."""

import logging
import uuid
import zoneinfo
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from itertools import groupby

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import mailers
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notices.mail import build_message, site_url
from notices.models import Digest, Notice, Preference, TickJob
from notices.registry import DIGEST, DIGEST_SECTIONS, KINDS, DigestLine, Mode
from notices.tasks import MAX_ATTEMPTS, backoff

logger = logging.getLogger(__name__)
User = get_user_model()

DIGEST_WEEKDAY = 0  # Monday
DIGEST_HOUR = 6  # 06:00 local time, before school
CHUNK = 500


def digests_due(now):
    """Enqueues each zone's digest once its Monday morning has come (and not later
    than the lateness allowed, so a tick down all Monday sends none that week)."""
    lateness = timedelta(minutes=settings.KOMPRA_NOTICE_LATENESS_MINUTES)
    started = []
    for zone_name in {z for z, _label in User.TimeZone.choices}:
        zone = zoneinfo.ZoneInfo(zone_name)
        local = now.astimezone(zone)
        moment = datetime.combine(local.date(), time(DIGEST_HOUR), tzinfo=zone)
        if local.weekday() != DIGEST_WEEKDAY or not moment <= local < moment + lateness:
            continue
        _job, created = TickJob.objects.get_or_create(key=f"digest:{zone_name}:{local.date().isoformat()}")
        if created:
            digest_send_zone.enqueue(zone_name, local.date().isoformat())
            started.append(zone_name)
    return started


@task
def digest_send_zone(zone_name, week, attempt=1):
    """Every digest of one zone for the week starting `week` (an ISO date). When the mail
    server fails, the whole zone is tried again later: those already sent are skipped."""
    people = digest_audience().filter(time_zone=zone_name).order_by("pk")
    last = 0
    sent = 0
    while True:
        chunk = list(people.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return sent
        last = chunk[-1].pk
        try:
            sent += digest_send(users=chunk, week=date.fromisoformat(week))
        except Exception:
            if attempt >= MAX_ATTEMPTS:
                raise
            logger.warning("Digests of %s failed (try %s); retrying", zone_name, attempt, exc_info=True)
            digest_send_zone.using(run_after=timezone.now() + backoff(attempt)).enqueue(zone_name, week, attempt + 1)
            return sent


def digest_audience():
    off = Preference.objects.filter(kind=DIGEST, mode=Mode.OFF).values("user_id")
    people = User.objects.filter(is_active=True).exclude(email="").exclude(pk__in=off)
    if KINDS[DIGEST].default == Mode.OFF:
        people = people.filter(pk__in=Preference.objects.filter(kind=DIGEST, mode=Mode.EMAIL).values("user_id"))
    return people


def digest_send(*, users, week):
    """Claims, builds and sends the digests of `users` for `week`; returns how many
    went out. A digest already claimed (by another worker, or earlier) is skipped."""
    claim = uuid.uuid4()
    Digest.objects.bulk_create([Digest(user=u, week=week, claim=claim) for u in users], ignore_conflicts=True)
    mine = set(Digest.objects.filter(week=week, claim=claim).values_list("user_id", flat=True))
    users = [u for u in users if u.pk in mine]
    if not users:
        return 0
    now = timezone.now()
    contents = digest_contents(users=users, since=now - timedelta(days=7), until=now + timedelta(days=7))
    messages, sent_ids, empty_ids, notice_ids = [], [], [], []
    for user in users:
        lines = contents.get(user.pk, [])
        if not any(line.news and line.section for line in lines):
            empty_ids.append(user.pk)
            continue
        messages.append(_digest_message(user, lines, week))
        sent_ids.append(user.pk)
        notice_ids += [line.notice_id for line in lines if line.notice_id]
    try:
        mailers.default.send_messages(messages)
    except Exception:
        # Let a later run (or the admin) try these people again.
        Digest.objects.filter(week=week, claim=claim, user_id__in=sent_ids).delete()
        raise
    Digest.objects.filter(week=week, claim=claim, user_id__in=sent_ids).update(status=Digest.Status.SENT)
    Digest.objects.filter(week=week, claim=claim, user_id__in=empty_ids).update(status=Digest.Status.EMPTY)
    Notice.objects.filter(pk__in=notice_ids).update(email_status=Notice.Email.DIGESTED, emailed_at=timezone.now())
    return len(sent_ids)


def digest_contents(*, users, since, until):
    """{user_id: [DigestLine]}: each language's people are built under that language,
    so every section speaks to its reader."""
    contents = defaultdict(list)
    for language, group in groupby(sorted(users, key=lambda u: u.language or "id"), key=lambda u: u.language or "id"):
        group = list(group)
        with translation.override(language):
            for build in DIGEST_SECTIONS:
                for user_id, lines in build(group, since, until).items():
                    contents[user_id] += lines
            for user_id, lines in _notice_lines(group).items():
                contents[user_id] += lines
    for lines in contents.values():
        # A notice the sections already tell (a new problem, a publication) is not told twice.
        told = {line.url for line in lines if line.notice_id is None}
        lines[:] = [replace(line, section="") if line.notice_id and line.url in told else line for line in lines]
        lines.sort(key=lambda line: line.order)
    return contents


def _notice_lines(users):
    """Notices the people chose to read in the digest, still visible to them."""
    from notices.services import still_visible

    waiting = Notice.objects.filter(recipient__in=users, email_status=Notice.Email.DIGEST, withdrawn=False)
    by_user = defaultdict(list)
    for notice in waiting.order_by("recipient_id", "created_at"):
        by_user[notice.recipient_id].append(notice)
    people = {u.pk: u for u in users}
    heading = _("Other news for you")
    lines = {}
    for user_id, notices in by_user.items():
        lines[user_id] = []
        for notice in still_visible(people[user_id], notices):
            lines[user_id].append(
                DigestLine(section=heading, text=notice.title, url=notice.url, order=900, notice_id=notice.pk)
            )
    return lines


def _digest_message(user, lines, week):
    sections = [
        {"title": title, "lines": [{"text": line.text, "link": site_url(line.url)} for line in group]}
        for title, group in groupby([line for line in lines if line.section], key=lambda line: line.section)
    ]
    with translation.override(user.language or "id"):
        subject = _("Your week on Kompra (%(date)s)") % {"date": week.strftime("%d-%m-%Y")}
    return build_message(
        user=user,
        subject=subject,
        template="notices/email/digest",
        context={"sections": sections, "week": week},
        kinds={DIGEST},
    )
