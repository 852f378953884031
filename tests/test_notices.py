"""Who is told what, by persona; the notices page and bell; email with one-click
unsubscribe; batching, retries and failures; notices that outlive the right to see."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from activities import services as activity_services
from activities.models import Activity
from communities import services as community_services
from communities.models import Community, Membership
from notices.mail import unsubscribe_token
from notices.models import Notice, Preference
from notices.registry import Mode
from notices.services import is_muted, notice_send, preference_set
from notices.share import whatsapp_text
from notices.tasks import MAX_ATTEMPTS
from publishing import services as publishing_services
from schools import services as school_services
from tests.conftest import client_for
from tests.factories import (
    ActivityFactory,
    CommunityFactory,
    MembershipFactory,
    PrincipalFactory,
    PublicationFactory,
    ReflectionFactory,
    UserFactory,
    held_activity,
)

pytestmark = pytest.mark.django_db

EVERYONE = ("teacher", "other_teacher", "member", "coordinator", "principal", "other_principal", "staff")


def told(request, kind):
    """{persona: got a notice of `kind`} for every persona."""
    users = {name: request.getfixturevalue(name) for name in EVERYONE}
    return {name: Notice.objects.filter(recipient=user, kind=kind).exists() for name, user in users.items()}


def only(*names):
    return {name: name in names for name in EVERYONE}


# --- Events, by persona -------------------------------------------------------------------


def test_join_request_tells_the_coordinators(request, community, coordinator, member, teacher):
    community_services.membership_request(community=community, user=teacher)
    assert told(request, "join_requested") == only("coordinator")


def test_invitation_and_its_answer(request, community, coordinator, member, teacher):
    community_services.membership_invite(community=community, email=teacher.email, by=coordinator)
    assert told(request, "invitation_received") == only("teacher")
    membership = Membership.objects.get(user=teacher, community=community)
    community_services.invitation_respond(membership=membership, accept=True)
    assert told(request, "invitation_answered") == only("coordinator")
    assert "accepted" in Notice.objects.get(kind="invitation_answered").title or "menerima" in (
        Notice.objects.get(kind="invitation_answered").title
    )


def test_principal_is_told_when_informed(request, community, coordinator, member, principal, other_principal):
    community_services.principal_inform(community=community, by=coordinator)
    assert told(request, "principal_informed") == only("principal")


def test_stage_advance_asks_the_principal_and_endorsement_tells_coordinators(
    request, community, coordinator, member, principal
):
    change = community_services.stage_change(
        community=community, to_stage="menumbuhkan", by=coordinator, note="Sudah rutin bertemu."
    )
    assert told(request, "endorsement_requested") == only("principal")
    community_services.stage_endorse(change=change, by=principal)
    assert told(request, "stage_endorsed") == only("coordinator")


def test_feedback_tells_the_coordinators(request, community, coordinator, member, principal):
    school_services.feedback_leave(community=community, by=principal, body="Bagus, lanjutkan.")
    assert told(request, "feedback") == only("coordinator")


def test_activity_planned_changed_cancelled_tell_the_members(request, community, coordinator, member, teacher):
    start = timezone.now() + timedelta(days=3)
    activity = Activity(
        community=community,
        title="Bedah RPP",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        proposed_by=coordinator,
    )
    activity_services.activity_save(activity=activity, by=coordinator)
    assert told(request, "activity_planned") == only("member")
    activity.minutes = "Catatan"
    activity_services.activity_save(activity=activity, by=coordinator)
    assert told(request, "activity_changed") == only()  # minutes are no change of plan
    activity.starts_at += timedelta(days=1)
    activity.ends_at += timedelta(days=1)
    activity_services.activity_save(activity=activity, by=coordinator)
    assert told(request, "activity_changed") == only("member")
    activity_services.activity_set_status(activity=activity, status="cancelled", by=coordinator)
    assert told(request, "activity_cancelled") == only("member")
    assert Notice.objects.get(kind="activity_cancelled").urgent


def test_action_assigned_tells_its_owner(request, community, coordinator, member, problem):
    from activities.models import ActionPlan

    plan = ActionPlan(
        community=community,
        problem=problem,
        what="Membaca berpasangan",
        owner=member,
        due=timezone.localdate() + timedelta(days=7),
        created_by=coordinator,
    )
    activity_services.action_plan_save(plan=plan, by=coordinator)
    assert told(request, "action_assigned") == only("member")


def test_problem_responses_tell_whoever_raised_it(request, community, coordinator, member, problem):
    community_services.problem_comment(problem=problem, by=member, body="Di kelas saya juga.")
    for share in (True, False, True):  # "me too", undone, again: the author hears once
        community_services.problem_set_support(problem=problem, user=member, share=share)
    assert Notice.objects.filter(recipient=coordinator, kind="problem_response").count() == 2
    assert told(request, "problem_response") == only("coordinator")


def test_new_problem_tells_the_other_members(request, community, coordinator, member):
    community_services.problem_raise(community=community, by=member, title="Siswa sering terlambat")
    assert told(request, "problem_new") == only("coordinator")


def test_new_publication_and_the_authors_answer(request, community, coordinator, member):
    reflection = ReflectionFactory(community=community, author=member)
    publication, _left_out = publishing_services.publication_create(
        community=community, by=coordinator, source=reflection, title="Refleksi Ani", summary="Ringkas."
    )
    assert told(request, "publication_new") == only()  # waits for the author
    publishing_services.publication_author_answer(publication=publication, by=member, agree=True)
    assert told(request, "publication_answered") == only("coordinator")
    assert told(request, "publication_new") == only("coordinator")


# --- The bell and the notices page --------------------------------------------------------


def tell(user, title="Ada kabar", about=None, **extra):
    return notice_send(
        kind="join_requested", to=user, about=about or user, title=title, url=reverse("dashboard"), **extra
    )


def test_bell_counts_unread_and_page_opens_a_notice(member, login):
    client = login(member)
    assert "notice-count" not in client.get(reverse("dashboard")).content.decode()
    tell(member, "Kabar satu")
    tell(member, "Kabar dua")
    page = client.get(reverse("dashboard")).content.decode()
    assert 'notice-count" aria-hidden="true">2</span>' in page
    listing = client.get(reverse("notices:list")).content.decode()
    assert listing.index("Kabar dua") < listing.index("Kabar satu")  # newest first
    notice = Notice.objects.get(title="Kabar satu")
    response = client.post(reverse("notices:open", args=[notice.uid]))
    assert response["Location"] == reverse("dashboard")
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert 'notice-count" aria-hidden="true">1</span>' in client.get(reverse("dashboard")).content.decode()
    client.post(reverse("notices:read_all"))
    assert not Notice.objects.filter(recipient=member, read_at__isnull=True).exists()


def test_bell_costs_at_most_one_query(member, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(member)
    client.get(reverse("notices:preferences"))  # warm: session, user, the count cached
    for n in range(30):
        tell(member, f"Kabar {n}")
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("notices:preferences"))
    bell = [q for q in captured.captured_queries if "notices_notice" in q["sql"]]
    assert len(bell) == 1 and "COUNT" in bell[0]["sql"].upper()
    with django_assert_max_num_queries(len(captured.captured_queries) - 1):
        client.get(reverse("notices:preferences"))  # cached now


def test_notices_page_is_paginated(member, login):
    for n in range(25):
        tell(member, f"Kabar nomor {n:02d}")
    client = login(member)
    first = client.get(reverse("notices:list")).content.decode()
    second = client.get(reverse("notices:list") + "?halaman=2").content.decode()
    assert "Kabar nomor 24" in first and "Kabar nomor 04" not in first
    assert "Kabar nomor 04" in second


def test_someone_elses_notice_is_not_found(member, teacher, login):
    tell(member)
    response = login(teacher).post(reverse("notices:open", args=[Notice.objects.get(recipient=member).uid]))
    assert response.status_code == 404


def test_notice_is_withdrawn_when_the_person_leaves(community, coordinator, member, login):
    community_services.problem_raise(community=community, by=coordinator, title="Masalah lama")
    assert Notice.objects.get(recipient=member, kind="problem_new")
    community_services.membership_end(membership=Membership.objects.get(user=member, community=community), by=member)
    notice = Notice.objects.get(recipient=member, kind="problem_new")
    assert notice.withdrawn and notice.email_status == Notice.Email.DROPPED
    assert "Masalah lama" not in login(member).get(reverse("notices:list")).content.decode()


def test_notice_is_withdrawn_when_visibility_changes(community, coordinator, teacher, login):
    # The teacher of the same school asked to join: the coordinator is told; then the
    # teacher is told of something in the (school-visible) community.
    community_services.problem_raise(community=community, by=coordinator, title="Terbuka untuk sekolah")
    problem = community.problems.get()
    notice_send(kind="problem_new", to=teacher, about=problem, group=community, title="Lihat ini")
    assert "Lihat ini" in login(teacher).get(reverse("notices:list")).content.decode()
    Community.objects.filter(pk=community.pk).update(visibility=Community.Visibility.MEMBERS)
    page = login(teacher).get(reverse("notices:list")).content.decode()
    assert "Lihat ini" not in page
    assert Notice.objects.get(recipient=teacher, title="Lihat ini").withdrawn


def test_muted_community_tells_nothing(community, coordinator, member, login):
    login(member).post(reverse("communities:mute", args=[community.slug]), {"muted": "1"})
    community_services.problem_raise(community=community, by=coordinator, title="Tak terdengar")
    assert not Notice.objects.filter(recipient=member).exists()
    page = login(member).get(reverse("notices:preferences")).content.decode()
    assert community.name in page


def test_the_overview_shows_who_muted_it_and_only_them(community, coordinator, member, login):
    other = CommunityFactory(home_school=community.home_school)
    MembershipFactory(community=other, user=member)
    url = reverse("communities:detail", args=[community.slug])
    assert 'name="muted" value="1"' in login(member).get(url).content.decode()
    login(member).post(reverse("communities:mute", args=[community.slug]), {"muted": "1"})
    assert is_muted(user=member, group=community)
    assert not is_muted(user=coordinator, group=community)
    assert not is_muted(user=member, group=other)
    assert 'name="muted" value="0"' in login(member).get(url).content.decode()
    assert 'name="muted" value="1"' in login(coordinator).get(url).content.decode()
    login(member).post(reverse("communities:mute", args=[community.slug]), {"muted": "0"})
    assert not is_muted(user=member, group=community)
    assert 'name="muted" value="1"' in login(member).get(url).content.decode()


def test_preferences_page_saves_a_choice(member, login):
    response = login(member).post(reverse("notices:preferences"), {"activity_planned": "off", "digest": "email"})
    assert response.status_code == 200  # every kind must be chosen: the form says so
    from notices.registry import KINDS

    data = {key: kind.default for key, kind in KINDS.items()} | {"activity_planned": Mode.OFF}
    response = login(member).post(reverse("notices:preferences"), data)
    assert response.status_code == 302
    assert Preference.objects.get(user=member, kind="activity_planned").mode == Mode.OFF
    assert Preference.objects.filter(user=member).count() == 1  # defaults are not stored


# --- Email --------------------------------------------------------------------------------


def test_email_in_the_recipients_language_with_unsubscribe_headers(member, mailoutbox, run_tasks, settings):
    member.language = "en"
    member.save()
    tell(member, "Something new")
    run_tasks()
    message = mailoutbox[0]
    assert message.to == [member.email]
    assert message.subject == "[Kompra] Something new"
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{settings.KOMPRA_BASE_URL}/pemberitahuan/berhenti/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Hello" in message.body and "Kompra" in message.body
    html = message.alternatives[0].content
    assert unsubscribe[1:-1] in html


def test_one_click_unsubscribe_without_login(member, client):
    token = unsubscribe_token(user=member, kinds=["join_requested"])
    url = reverse("notices:unsubscribe", args=[token])
    assert client.get(url).status_code == 200
    assert not Preference.objects.exists()  # a GET (a link preview) changes nothing
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Preference.objects.get(user=member, kind="join_requested").mode == Mode.IN_APP


@pytest.mark.parametrize("how", ["tampered", "expired", "garbage"])
def test_bad_unsubscribe_token_changes_nothing(how, member, client):
    token = unsubscribe_token(user=member, kinds=["join_requested"])
    if how == "tampered":
        token = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    elif how == "garbage":
        token = "bukan-token"
    moment = timezone.now() + timedelta(days=365 if how == "expired" else 0)
    with time_machine.travel(moment, tick=False):
        response = client.post(reverse("notices:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert "Nothing has been changed" in response.content.decode() or "Tidak ada yang diubah" in (
        response.content.decode()
    )
    assert not Preference.objects.exists()


def test_non_urgent_email_at_most_once_per_fifteen_minutes(member, mailoutbox, run_tasks):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        tell(member, "Pertama")
        run_tasks()
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        tell(member, "Kedua")
        tell(member, "Ketiga")
        run_tasks()
    assert len(mailoutbox) == 1
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        run_tasks()
    assert len(mailoutbox) == 2
    assert "Kedua" in mailoutbox[1].body and "Ketiga" in mailoutbox[1].body
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        run_tasks()
    assert len(mailoutbox) == 2  # nothing twice


def test_urgent_email_is_not_held_back(community, coordinator, member, mailoutbox, run_tasks):
    tell(member, "Biasa")
    run_tasks()
    activity = ActivityFactory(community=community, proposed_by=coordinator)
    activity_services.activity_set_status(activity=activity, status="cancelled", by=coordinator)
    run_tasks()
    assert len(mailoutbox) == 2


def test_failing_mail_server_retries_with_backoff_then_shows_failed(
    member, login, community, teacher, mailoutbox, run_tasks, coordinator
):
    broken = mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("SMTP down"))
    with broken:
        # The request that causes the notice does not care.
        response = login(teacher).post(reverse("communities:request_join", args=[community.slug]))
        assert response.status_code == 302
        assert Notice.objects.filter(recipient=coordinator, kind="join_requested").exists()
        start = timezone.now()
        waits = []
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with time_machine.travel(start + timedelta(days=attempt), tick=False):
                run_tasks()
            pending = DBTaskResult.objects.filter(status="READY").order_by("-enqueued_at").first()
            if pending:
                waits.append(pending.run_after - pending.enqueued_at)
    notice = Notice.objects.get(recipient=coordinator, kind="join_requested")
    assert notice.email_status == Notice.Email.FAILED
    assert notice.email_attempts == MAX_ATTEMPTS
    assert "SMTP down" in notice.email_error
    assert waits == sorted(waits) and len(waits) == MAX_ATTEMPTS - 1  # backing off
    failed = DBTaskResult.objects.filter(status="FAILED")
    assert failed.count() == 1 and "DeliveryFailed" in failed.get().exception_class_path
    run_tasks()
    assert mailoutbox == []


def test_cache_outage_does_not_break_the_request(community, teacher, coordinator, login, settings):
    # Redis on a port where nothing listens: every cache call fails.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    response = login(teacher).post(reverse("communities:request_join", args=[community.slug]))
    assert response.status_code == 302
    assert Notice.objects.filter(recipient=coordinator, kind="join_requested").exists()
    page = login(coordinator).get(reverse("dashboard"))
    assert page.status_code == 200
    assert 'notice-count" aria-hidden="true">1</span>' in page.content.decode()


def test_password_reset_names_kompra_and_the_configured_address(teacher, client, mailoutbox, settings):
    settings.KOMPRA_BASE_URL = "https://kompra.contoh.sch.id"
    client.post("/akun/password/reset/", {"email": teacher.email})
    message = mailoutbox[0]
    assert "Kompra" in message.subject and "Kompra" in message.body
    assert "https://kompra.contoh.sch.id/akun/password/reset/key/" in message.body
    assert "testserver" not in message.body


# --- Calendar and WhatsApp ----------------------------------------------------------------


def test_feeds_carry_alarms(community, coordinator, login):
    ActivityFactory(community=community, proposed_by=coordinator, title="Rapat bulanan")
    cancelled = ActivityFactory(community=community, proposed_by=coordinator, title="Batal", status="cancelled")
    assert cancelled
    client = login(coordinator)
    client.get(reverse("activities:calendar"))
    token = coordinator.calendar_token.token
    for url in (
        reverse("activities:calendar_person", args=[token]),
        reverse("activities:calendar_community", args=[token, community.slug]),
    ):
        feed = client.get(url).content.decode()
        assert feed.count("BEGIN:VALARM") == 2  # the planned one only: a day and an hour before
        assert "TRIGGER:-P1D" in feed and "TRIGGER:-PT1H" in feed and "ACTION:DISPLAY" in feed


def test_subscribe_links_on_the_activity_page_and_dashboard(community, coordinator, login):
    client = login(coordinator)
    client.get(reverse("activities:calendar"))
    token = coordinator.calendar_token.token
    listing = client.get(reverse("activities:list", args=[community.slug])).content.decode()
    assert f"webcal://testserver/kalender/{token}/k/{community.slug}.ics" in listing
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert f"webcal://testserver/kalender/{token}/saya.ics" in dashboard


def test_whatsapp_share_carries_the_activity(community, coordinator, member, login):
    member.time_zone = "Asia/Makassar"
    member.save()
    start = timezone.now().replace(hour=7, minute=0, second=0, microsecond=0) + timedelta(days=2)
    activity = ActivityFactory(
        community=community,
        proposed_by=coordinator,
        title="Bedah Buku",
        starts_at=start,
        place="Ruang guru",
        ends_at=start + timedelta(hours=1),
    )
    page = login(member).get(activity.get_absolute_url()).content.decode()
    from urllib.parse import unquote

    link = page.split('class="btn btn-sm btn-success share-whatsapp" href="', 1)[1].split('"', 1)[0]
    assert link.startswith("https://wa.me/?text=")
    text = unquote(link.split("=", 1)[1].replace("&amp;", "&"))
    assert "*Bedah Buku*" in text and "Ruang guru" in text and "15.00 WITA" in text
    assert activity.get_absolute_url() in text


def test_minutes_as_whatsapp_text():
    assert whatsapp_text("## Hasil\n**Sepakat** membaca *15 menit*\n- satu\n- dua") == (
        "*Hasil*\n*Sepakat* membaca _15 menit_\n• satu\n• dua"
    )


def test_invitation_link_and_publication_can_be_shared(community, coordinator, login):
    community_services.membership_invite(community=community, email="baru@smpn1.sch.id", by=coordinator)
    page = login(coordinator).get(reverse("communities:members", args=[community.slug])).content.decode()
    invitation = community.invitations.get()
    assert "https://wa.me/?text=" in page and str(invitation.token) in page


def test_publication_page_shares_its_public_address(community, coordinator):
    from urllib.parse import unquote

    publication = PublicationFactory(activity=held_activity(community), published_by=coordinator, title="Pojok Baca")
    page = client_for(None).get(reverse("publishing:public", args=[publication.uid])).content.decode()
    link = page.split('class="btn btn-sm btn-success share-whatsapp" href="', 1)[1].split('"', 1)[0]
    text = unquote(link.removeprefix("https://wa.me/?text="))
    assert text.startswith("*Pojok Baca*")
    assert community.name in text
    assert text.endswith(settings.KOMPRA_BASE_URL + reverse("publishing:public", args=[publication.uid]))


def test_principal_notices_follow_new_principals(community, coordinator):
    later = PrincipalFactory(school=community.home_school)
    community_services.principal_inform(community=community, by=coordinator)
    assert Notice.objects.filter(recipient=later, kind="principal_informed").exists()


def test_inactive_people_are_not_told(community, coordinator):
    gone = UserFactory(school=community.home_school, is_active=False)
    MembershipFactory(user=gone, community=community)
    community_services.problem_raise(community=community, by=coordinator, title="Apa saja")
    assert not Notice.objects.filter(recipient=gone).exists()


def test_unknown_kind_is_refused(member):
    with pytest.raises(ValueError):
        notice_send(kind="tidak-ada", to=member, about=member, title="x")


def test_signed_token_is_bound_to_its_salt(member):
    other = signing.dumps({"u": member.pk, "k": ["join_requested"]})
    from notices.mail import unsubscribe_read

    with pytest.raises(signing.BadSignature):
        unsubscribe_read(other)
    assert preference_set
