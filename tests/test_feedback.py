"""Feedback (umpan balik): the home school's principal writes on a community, an activity
or a stage change; coordinators and the principal reply; members read. Choice: plain
members read the threads too, since they are about their community; teachers of the
school who are not members, and other schools' people, do not."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities.models import Membership
from schools.models import Feedback
from schools.selectors import feedback_for_dashboard
from tests.factories import (
    ActivityFactory,
    CommunityFactory,
    FeedbackFactory,
    MembershipFactory,
    StageChangeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


def messages_of(response, level="error"):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == level]


def list_url(community):
    return reverse("schools:feedback", args=[community.slug])


def new_url(community):
    return reverse("schools:feedback_new", args=[community.slug])


def reply_url(community, thread):
    return reverse("schools:feedback_reply", args=[community.slug, thread.uid])


@pytest.fixture
def activity(community, coordinator):
    start = timezone.now() - timedelta(days=2)
    return ActivityFactory(
        community=community, status="held", starts_at=start, ends_at=start + timedelta(hours=2), proposed_by=coordinator
    )


@pytest.fixture
def change(community, coordinator):
    return StageChangeFactory(community=community, changed_by=coordinator)


@pytest.fixture
def thread(community, principal):
    return FeedbackFactory(community=community, author=principal, body="Bagaimana kabar komunitas ini?")


# --- Writing -------------------------------------------------------------------------------


def test_principal_writes_on_the_community(community, principal, member, login):
    response = english(login(principal)).post(new_url(community), {"body": "Semangat, **terus** bertemu!"})
    assert response.status_code == 302
    assert response["Location"] == list_url(community) + "#umpan-balik"
    note = Feedback.objects.get()
    assert (note.community, note.author, note.activity, note.stage_change, note.reply_to) == (
        community,
        principal,
        None,
        None,
        None,
    )
    assert messages_of(response, "success")
    html = login(member).get(list_url(community)).content.decode()
    assert "<strong>terus</strong>" in html


def test_principal_writes_on_an_activity(community, principal, activity, login):
    response = login(principal).post(new_url(community), {"body": "Dokumentasinya bagus.", "activity": activity.uid})
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url() + f"#umpan-balik-{activity.uid}"
    assert Feedback.objects.get().activity == activity


def test_principal_writes_on_a_stage_change(community, principal, change, login):
    response = login(principal).post(new_url(community), {"body": "Saya mendukung.", "stage_change": change.uid})
    assert response.status_code == 302
    assert response["Location"] == reverse("communities:stage", args=[community.slug]) + f"#umpan-balik-{change.uid}"
    assert Feedback.objects.get().stage_change == change


@pytest.mark.parametrize("field", ["activity", "stage_change"])
def test_forged_target_is_404(field, community, principal, school, login):
    elsewhere = CommunityFactory(home_school=school)
    start = timezone.now() - timedelta(days=1)
    foreign = {
        "activity": ActivityFactory(community=elsewhere, starts_at=start, ends_at=start + timedelta(hours=1)),
        "stage_change": StageChangeFactory(community=elsewhere),
    }[field]
    client = login(principal)
    for forged in (foreign.uid, uuid.uuid4(), "bukan-uuid"):
        assert client.post(new_url(community), {"body": "Catatan.", field: forged}).status_code == 404
    assert not Feedback.objects.exists()


def test_both_targets_at_once_are_refused(community, principal, activity, change, login):
    response = english(login(principal)).post(
        new_url(community), {"body": "Dua hal.", "activity": activity.uid, "stage_change": change.uid}
    )
    assert response.status_code == 302
    assert messages_of(response) == ["Feedback is about one thing at a time."]
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_empty_body_stores_nothing(body, community, principal, thread, coordinator, login):
    response = english(login(principal)).post(new_url(community), {"body": body})
    assert response.status_code == 302
    assert messages_of(response) == ["Write something before sending."]
    response = english(login(coordinator)).post(reply_url(community, thread), {"body": body})
    assert response.status_code == 302
    assert messages_of(response) == ["Write something before sending."]
    assert Feedback.objects.count() == 1


def test_too_long_body_is_refused(community, principal, login):
    response = english(login(principal)).post(new_url(community), {"body": "a" * 5001})
    assert messages_of(response) and "5000" in messages_of(response)[0]
    assert not Feedback.objects.exists()


def test_archived_community_stores_nothing(community, principal, coordinator, thread, login):
    community.archived = True
    community.save()
    response = english(login(principal)).post(new_url(community), {"body": "Masih ada?"})
    assert response.status_code == 302
    assert messages_of(response) == ["This community is archived and can no longer be changed."]
    response = english(login(coordinator)).post(reply_url(community, thread), {"body": "Ya."})
    assert messages_of(response) == ["This community is archived and can no longer be changed."]
    assert Feedback.objects.count() == 1
    html = login(principal).get(list_url(community)).content.decode()
    assert new_url(community) not in html
    assert reply_url(community, thread) not in html


# --- Replying ------------------------------------------------------------------------------


def test_coordinator_sees_and_replies(community, coordinator, principal, activity, login):
    thread = FeedbackFactory(community=community, author=principal, activity=activity, body="Apa hasilnya?")
    client = login(coordinator)
    html = client.get(list_url(community)).content.decode()
    assert "Apa hasilnya?" in html
    assert reply_url(community, thread) in html
    assert new_url(community) not in html, "only the principal starts a thread"
    response = client.post(reply_url(community, thread), {"body": "Siswa lebih lancar."})
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url() + f"#umpan-balik-{activity.uid}"
    reply = Feedback.objects.get(reply_to=thread)
    assert (reply.author, reply.community, reply.activity) == (coordinator, community, activity)
    response = client.post(reply_url(community, thread), {"body": "Dari daftar.", "back": "list"})
    assert response["Location"] == list_url(community) + "#umpan-balik"
    assert "Siswa lebih lancar." in login(principal).get(list_url(community)).content.decode()


def test_principal_replies_in_their_own_thread(community, principal, thread, login):
    assert login(principal).post(reply_url(community, thread), {"body": "Tambahan."}).status_code == 302
    assert Feedback.objects.get(reply_to=thread).author == principal


def test_a_reply_to_a_reply_joins_the_thread(community, coordinator, principal, thread, login):
    first = Feedback.objects.create(community=community, author=coordinator, body="Baik.", reply_to=thread)
    login(principal).post(reply_url(community, first), {"body": "Terima kasih."})
    assert Feedback.objects.get(body="Terima kasih.").reply_to == thread


def test_thread_of_another_community_is_404(community, coordinator, school, login):
    elsewhere = CommunityFactory(home_school=school)
    foreign = FeedbackFactory(community=elsewhere)
    response = login(coordinator).post(
        reverse("schools:feedback_reply", args=[community.slug, foreign.uid]), {"body": "x"}
    )
    assert response.status_code == 404
    assert not Feedback.objects.filter(reply_to=foreign).exists()


# --- Who may do what -------------------------------------------------------------------------

# persona: (read the list, write a note, reply)
RIGHTS = {
    "anonymous": ("login", "login", "login"),
    "other_teacher": (404, 404, 404),
    "other_principal": (404, 404, 404),
    "teacher": (403, 403, 403),
    "member": (200, 403, 403),
    "coordinator": (200, 403, 302),
    "principal": (200, 302, 302),
    "staff": (200, 403, 403),
}


@pytest.mark.parametrize("persona", RIGHTS)
def test_rights(persona, community, member, thread, request, login):
    user = request.getfixturevalue(persona)
    client = login(user)
    expected = dict(zip(("list", "new", "reply"), RIGHTS[persona], strict=True))
    responses = {
        "list": client.get(list_url(community)),
        "new": client.post(new_url(community), {"body": "Catatan baru."}),
        "reply": client.post(reply_url(community, thread), {"body": "Balasan."}),
    }
    for action, response in responses.items():
        if expected[action] == "login":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login")), action
        else:
            assert response.status_code == expected[action], action
    stored = set(Feedback.objects.exclude(pk=thread.pk).values_list("body", flat=True))
    assert stored == {
        body for action, body in (("new", "Catatan baru."), ("reply", "Balasan.")) if expected[action] == 302
    }


def test_members_only_community_is_404_for_a_teacher(school, principal, teacher, login):
    hidden = CommunityFactory(home_school=school, visibility="members")
    assert login(teacher).get(list_url(hidden)).status_code == 404
    assert login(principal).get(list_url(hidden)).status_code == 200


def test_a_member_who_left_reads_no_more(community, member, thread, login):
    Membership.objects.filter(user=member).update(status=Membership.Status.LEFT)
    assert login(member).get(list_url(community)).status_code == 403


@pytest.mark.parametrize("name", ["feedback_new", "feedback_reply"])
def test_get_on_post_only_views_is_405(name, community, principal, thread, login):
    args = [community.slug] if name == "feedback_new" else [community.slug, thread.uid]
    assert login(principal).get(reverse(f"schools:{name}", args=args)).status_code == 405


# --- Markdown, sanitised -------------------------------------------------------------------------

XSS = (
    "<script>alert('x')</script>\n\n"
    "<img src=x onerror=alert(1)>\n\n"
    '[klik](javascript:alert(1)) <a href="javascript:alert(2)">dua</a>\n\n'
    '<iframe src="https://jahat.example"></iframe>'
)


def test_body_is_sanitised(community, principal, coordinator, member, login):
    login(principal).post(new_url(community), {"body": XSS})
    thread = Feedback.objects.get()
    login(coordinator).post(reply_url(community, thread), {"body": XSS})
    assert Feedback.objects.count() == 2
    html = login(member).get(list_url(community)).content.decode()
    start = html.index('id="umpan-balik"')
    section = html[start:]
    assert "<script>alert" not in section
    assert "onerror" not in section
    assert "javascript:" not in section.lower()
    assert "<iframe" not in section


# --- The partial for other pages ----------------------------------------------------------------

TAG = Template("{% load feedback %}{% for target in targets %}{% feedback_for target %}{% endfor %}")


def render_tag(user, community, targets):
    request = RequestFactory().get("/")
    request.user = user
    return TAG.render(
        Context(
            {
                "request": request,
                "community": community,
                "access": community.access_for(user),
                "targets": targets,
                "csrf_token": "t",
                "user": user,
            }
        )
    )


def test_partial_shows_threads_and_the_principal_form(community, principal, coordinator, member, teacher, activity):
    FeedbackFactory(community=community, author=principal, activity=activity, body="Tentang kegiatan.")
    FeedbackFactory(community=community, author=principal, body="Tentang komunitas.")
    html = render_tag(principal, community, [activity])
    assert "Tentang kegiatan." in html
    assert "Tentang komunitas." not in html
    assert f'name="activity" value="{activity.uid}"' in html
    assert f'id="umpan-balik-{activity.uid}"' in html

    html = render_tag(coordinator, community, [activity])
    assert "Tentang kegiatan." in html
    assert new_url(community) not in html
    assert "/balas/" in html, "coordinators reply"

    html = render_tag(member, community, [activity])
    assert "Tentang kegiatan." in html
    assert "<form" not in html

    assert render_tag(teacher, community, [activity]).strip() == ""


def test_partial_reads_once_per_page(community, principal, coordinator):
    changes = [StageChangeFactory(community=community, changed_by=coordinator) for _i in range(4)]
    for change in changes:
        FeedbackFactory(community=community, author=principal, stage_change=change, body=f"Catatan {change.uid}")
    with CaptureQueriesContext(connection) as captured:
        html = render_tag(principal, community, changes)
    assert len(captured) == 2  # the principal's membership (access_for) and the threads
    for change in changes:
        assert f"Catatan {change.uid}" in html
        assert f'name="stage_change" value="{change.uid}"' in html


def test_partial_shows_nothing_for_members_when_there_is_no_feedback(community, member, activity):
    assert render_tag(member, community, [activity]).strip() == ""


# --- The coordinator's dashboard ---------------------------------------------------------------


def test_feedback_for_dashboard(community, coordinator, member, principal, school):
    waiting = FeedbackFactory(community=community, author=principal)
    answered_by_principal = FeedbackFactory(community=community, author=principal)
    Feedback.objects.create(community=community, author=principal, body="Lagi.", reply_to=answered_by_principal)
    answered = FeedbackFactory(community=community, author=principal)
    Feedback.objects.create(community=community, author=coordinator, body="Sudah.", reply_to=answered)
    FeedbackFactory(community=community, author=principal, created_at=timezone.now() - timedelta(days=31))
    archived = CommunityFactory(home_school=school, archived=True)
    MembershipFactory(community=archived, user=coordinator, role=Membership.Role.COORDINATOR)
    FeedbackFactory(community=archived, author=principal)
    other = CommunityFactory(home_school=school)
    FeedbackFactory(community=other, author=principal)

    with CaptureQueriesContext(connection) as captured:
        notes = feedback_for_dashboard(coordinator)
    assert len(captured) == 1
    assert notes == [answered_by_principal, waiting]
    assert feedback_for_dashboard(member) == []
    assert feedback_for_dashboard(UserFactory(school=school)) == []


def test_reply_by_a_former_coordinator_does_not_count(community, coordinator, principal, school):
    thread = FeedbackFactory(community=community, author=principal)
    former = UserFactory(school=school)
    MembershipFactory(community=community, user=former, role=Membership.Role.COORDINATOR, status="left")
    Feedback.objects.create(community=community, author=former, body="Dulu.", reply_to=thread)
    assert feedback_for_dashboard(coordinator) == [thread]


# --- Admin ---------------------------------------------------------------------------------------


def test_admin_lists_and_searches_feedback(community, principal, staff, activity, change, login):
    FeedbackFactory(community=community, author=principal, activity=activity, body="Tentang kegiatan.")
    FeedbackFactory(community=community, author=principal, stage_change=change, body="Tentang tahap.")
    client = login(staff)
    for query in ("", "?q=tahap", "?balasan=0", "?balasan=1"):
        assert client.get(reverse("admin:schools_feedback_changelist") + query).status_code == 200
    assert "Tentang tahap" in client.get(reverse("admin:schools_feedback_changelist") + "?q=tahap").content.decode()
