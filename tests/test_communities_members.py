"""Membership flows: founding, inviting (in the app or by sign-up link), asking to join,
leaving, roles, archived communities, and the bad inputs each must refuse with a clear
message and nothing changed.

Messages are English msgids translated by the locale files; tests that read the text
ask for English through the language cookie.
"""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communities import services
from communities.models import Community, Invitation, Membership, Problem, ProblemComment, Stage, StageChange
from kompra.accounts.models import User
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGN_UP_LINK = re.compile(r"https?://testserver(/undangan/[0-9a-f-]{36}/)")


def english(client):
    client.cookies["django_language"] = "en"
    return client


def messages_of(response):
    """[(level tag, text)] of the messages the request queued."""
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def errors_of(response):
    return [text for tag, text in messages_of(response) if tag == "error"]


def url(name, community, *args):
    return reverse(f"communities:{name}", args=[community.slug, *args])


def membership_of(user, community):
    return Membership.objects.filter(user=user, community=community).first()


# --- Founding -------------------------------------------------------------------------

FORGED_FIELDS = {"stage": Stage.MERAWAT, "archived": "on", "slug": "dibajak"}


def test_founding_in_three_steps_makes_the_founder_coordinator(teacher, other_school, other_teacher, login):
    client = login(teacher)
    forged = {**FORGED_FIELDS, "home_school": other_school.pk, "coordinator": other_teacher.pk}

    response = client.post(
        reverse("communities:found"),
        {"name": "Numerasi Asyik", "concern": "Siswa takut pelajaran matematika.", **forged},
    )
    community = Community.objects.get(name="Numerasi Asyik")
    assert response.status_code == 302
    assert response["Location"] == url("found_goal", community)

    response = client.post(
        url("found_goal", community),
        {
            "goal": "Siswa berani bertanya.",
            "norms": "Datang tepat waktu.",
            "rhythm_weeks": "2",
            "rhythm_note": "Kamis sore",
            "aim_share": "Berbagi soal cerita.",
            **forged,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("found_settings", community)

    response = client.post(
        url("found_settings", community),
        {"kind": Community.Kind.ACROSS_SCHOOLS, "visibility": Community.Visibility.MEMBERS, "cofounders": "", **forged},
    )
    assert response.status_code == 302
    assert response["Location"] == community.get_absolute_url()

    community.refresh_from_db()
    assert (community.goal, community.rhythm_weeks, community.aim_share) == (
        "Siswa berani bertanya.",
        2,
        "Berbagi soal cerita.",
    )
    assert (community.kind, community.visibility) == (Community.Kind.ACROSS_SCHOOLS, Community.Visibility.MEMBERS)
    # What the forms do not offer is never taken from the request.
    assert community.slug == "numerasi-asyik"
    assert community.home_school == teacher.school
    assert community.stage == Stage.MERINTIS
    assert community.archived is False
    founder = community.memberships.get()
    assert (founder.user, founder.role, founder.status) == (
        teacher,
        Membership.Role.COORDINATOR,
        Membership.Status.ACTIVE,
    )
    assert founder.joined_at is not None
    assert membership_of(other_teacher, community) is None


def test_founding_step_three_invites_cofounders(teacher, coordinator, login, mailoutbox, run_tasks):
    client = login(teacher)
    client.post(reverse("communities:found"), {"name": "Sains Seru", "concern": "Praktikum jarang."})
    community = Community.objects.get(name="Sains Seru")
    response = client.post(
        url("found_settings", community),
        {"kind": "within", "visibility": "school", "cofounders": f"{coordinator.email}\nbaru@smpn1.sch.id"},
    )
    assert response.status_code == 302
    assert membership_of(coordinator, community).status == Membership.Status.INVITED
    assert community.invitations.get().email == "baru@smpn1.sch.id"
    assert mailoutbox == []  # sent by the task worker, not by the request
    run_tasks()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([coordinator.email, "baru@smpn1.sch.id"])


def test_same_name_gets_a_numbered_slug(teacher, login):
    client = login(teacher)
    for _ in range(2):
        client.post(reverse("communities:found"), {"name": "Literasi Pagi", "concern": "Membaca 15 menit."})
    slugs = sorted(Community.objects.filter(name="Literasi Pagi").values_list("slug", flat=True))
    assert slugs == ["literasi-pagi", "literasi-pagi-2"]


def test_founding_without_a_school_is_refused(staff, login):
    client = english(login(staff))
    response = client.post(reverse("communities:found"), {"name": "Tanpa Sekolah", "concern": "Apa saja."})
    assert errors_of(response) == ["Your account is not linked to a school, so you cannot found a community yet."]
    assert not Community.objects.filter(name="Tanpa Sekolah").exists()


# --- Inviting someone with an account ---------------------------------------------------


def test_invite_colleague_who_accepts(community, coordinator, teacher, login, mailoutbox, run_tasks):
    response = english(login(coordinator)).post(url("invite", community), {"email": teacher.email})
    assert response.status_code == 302
    assert messages_of(response) == [("success", f"Invitation sent to {teacher.email}.")]
    membership = membership_of(teacher, community)
    assert (membership.status, membership.role, membership.invited_by) == (
        Membership.Status.INVITED,
        Membership.Role.MEMBER,
        coordinator,
    )
    run_tasks()
    assert [m.to for m in mailoutbox] == [[teacher.email]]
    assert f"{settings.KOMPRA_BASE_URL}{community.get_absolute_url()}" in mailoutbox[0].body

    invitee = english(login(teacher))
    dashboard = invitee.get(reverse("dashboard")).content.decode()
    assert "Invitations for you" in dashboard
    assert community.name in dashboard
    assert url("respond_invitation", community) in dashboard

    response = invitee.post(url("respond_invitation", community), {"accept": "1"})
    assert response.status_code == 302
    assert response["Location"] == community.get_absolute_url()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.joined_at is not None
    assert "Invitations for you" not in invitee.get(reverse("dashboard")).content.decode()


def test_invited_colleague_declines(community, coordinator, teacher, login):
    services.membership_invite(community=community, email=teacher.email, by=coordinator)
    response = login(teacher).post(url("respond_invitation", community), {"accept": "0"})
    assert response["Location"] == reverse("dashboard")
    assert membership_of(teacher, community).status == Membership.Status.DECLINED


# --- Inviting an address without an account -----------------------------------------------


def test_invite_unknown_address_sends_a_sign_up_link(community, coordinator, login, mailoutbox, run_tasks):
    response = english(login(coordinator)).post(url("invite", community), {"email": "dewi.baru@smpn1.sch.id"})
    assert messages_of(response) == [("success", "dewi.baru@smpn1.sch.id has no account yet: we sent a sign-up link.")]
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.community, invitation.school, invitation.invited_by) == (
        "dewi.baru@smpn1.sch.id",
        community,
        community.home_school,
        coordinator,
    )
    run_tasks()
    assert [m.to for m in mailoutbox] == [["dewi.baru@smpn1.sch.id"]]
    link = SIGN_UP_LINK.search(mailoutbox[0].body)
    assert link, mailoutbox[0].body
    assert link.group(1) == f"/undangan/{invitation.token}/" == invitation.get_absolute_url()
    assert not User.objects.filter(email__iexact="dewi.baru@smpn1.sch.id").exists()


@pytest.fixture
def invitation(community, coordinator):
    return Invitation.objects.create(
        community=community, email="dewi.baru@smpn1.sch.id", school=community.home_school, invited_by=coordinator
    )


SIGN_UP = {"full_name": "Dewi Guru Baru", "password1": PASSWORD, "password2": PASSWORD}


def test_sign_up_through_the_link(invitation, community):
    client = english(Client())
    page = client.get(invitation.get_absolute_url())
    assert page.status_code == 200
    assert invitation.email in page.content.decode()

    response = client.post(invitation.get_absolute_url(), SIGN_UP)
    assert response.status_code == 302
    assert response["Location"] == community.get_absolute_url()
    user = User.objects.get(email="dewi.baru@smpn1.sch.id")
    assert (user.full_name, user.school, user.role) == ("Dewi Guru Baru", community.home_school, User.Role.TEACHER)
    assert user.check_password(PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (user.email, True, True)
    membership = membership_of(user, community)
    assert (membership.status, membership.role) == (Membership.Status.ACTIVE, Membership.Role.MEMBER)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    # Signed in straight away.
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_link_works_once(invitation):
    assert Client().post(invitation.get_absolute_url(), SIGN_UP).status_code == 302
    users = User.objects.count()
    client = english(Client())
    page = client.get(invitation.get_absolute_url())
    assert page.status_code == 410
    assert "This invitation link cannot be used" in page.content.decode()
    again = client.post(invitation.get_absolute_url(), {**SIGN_UP, "full_name": "Orang Lain"})
    assert again.status_code == 410
    assert User.objects.count() == users
    assert not User.objects.filter(full_name="Orang Lain").exists()


def test_expired_link_cannot_be_used(invitation):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    users = User.objects.count()
    assert Client().get(invitation.get_absolute_url()).status_code == 410
    assert Client().post(invitation.get_absolute_url(), SIGN_UP).status_code == 410
    assert User.objects.count() == users


def test_unknown_token_is_404(db):
    assert Client().get("/undangan/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_sign_up_with_differing_passwords_creates_nothing(invitation):
    response = english(Client()).post(invitation.get_absolute_url(), {**SIGN_UP, "password2": "lain-sekali-987"})
    assert response.status_code == 200
    assert "The two passwords differ." in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()


def test_sign_up_when_the_address_got_an_account_meanwhile(invitation):
    UserFactory(email=invitation.email)
    users = User.objects.count()
    response = Client().post(invitation.get_absolute_url(), SIGN_UP)
    assert response.status_code == 410
    assert User.objects.count() == users
    assert errors_of(response)


# --- Invitations the rules refuse --------------------------------------------------------


def _state(community):
    return (
        list(community.memberships.order_by("pk").values_list("user_id", "status", "role")),
        list(Invitation.objects.order_by("pk").values_list("email", flat=True)),
    )


@pytest.mark.parametrize("email", ["bukan-email", "ani@@smpn1.sch.id", "guru@sekolah"])
def test_invite_malformed_address(email, community, coordinator, login, mailoutbox):
    before = _state(community)
    response = english(login(coordinator)).post(url("invite", community), {"email": email})
    assert response.status_code == 302
    assert errors_of(response) == [f"“{email}” is not a valid email address."]
    assert _state(community) == before
    assert mailoutbox == []


def test_invite_empty_address(community, coordinator, login, mailoutbox):
    before = _state(community)
    response = english(login(coordinator)).post(url("invite", community), {"email": ""})
    assert errors_of(response) == ["Enter an email address."]
    assert _state(community) == before
    assert mailoutbox == []


def test_invite_someone_already_a_member(community, coordinator, member, login, mailoutbox):
    before = _state(community)
    response = english(login(coordinator)).post(url("invite", community), {"email": member.email})
    assert errors_of(response) == [f"{member.full_name} is already a member."]
    assert _state(community) == before
    assert mailoutbox == []


def test_invite_someone_twice(community, coordinator, teacher, login, mailoutbox, run_tasks):
    client = english(login(coordinator))
    client.post(url("invite", community), {"email": teacher.email})
    before = _state(community)
    response = client.post(url("invite", community), {"email": teacher.email})
    assert errors_of(response) == [f"{teacher.full_name} has already been invited."]
    assert _state(community) == before
    run_tasks()
    assert len(mailoutbox) == 1


def test_invite_unknown_address_twice(community, coordinator, login, mailoutbox, run_tasks):
    client = english(login(coordinator))
    client.post(url("invite", community), {"email": "baru@smpn1.sch.id"})
    response = client.post(url("invite", community), {"email": "baru@smpn1.sch.id"})
    assert errors_of(response) == ["baru@smpn1.sch.id has already been invited and the link is still valid."]
    assert Invitation.objects.count() == 1
    run_tasks()
    assert len(mailoutbox) == 1


def test_invite_teacher_of_another_school_into_within_school_community(
    community, coordinator, other_teacher, login, mailoutbox
):
    before = _state(community)
    response = english(login(coordinator)).post(url("invite", community), {"email": other_teacher.email})
    assert errors_of(response) == [
        f"{other_teacher.full_name} teaches at another school, and this community is within one school."
    ]
    assert _state(community) == before
    assert mailoutbox == []


def test_invite_teacher_of_another_school_into_across_school_community(
    community, coordinator, other_teacher, login, mailoutbox, run_tasks
):
    Community.objects.filter(pk=community.pk).update(kind=Community.Kind.ACROSS_SCHOOLS)
    response = login(coordinator).post(url("invite", community), {"email": other_teacher.email})
    assert errors_of(response) == []
    assert membership_of(other_teacher, community).status == Membership.Status.INVITED
    run_tasks()
    assert [m.to for m in mailoutbox] == [[other_teacher.email]]
    # The invitation lets them see the community and accept.
    login(other_teacher).post(url("respond_invitation", community), {"accept": "1"})
    assert membership_of(other_teacher, community).status == Membership.Status.ACTIVE


# --- Asking to join ------------------------------------------------------------------------


def test_request_to_join_twice(community, coordinator, teacher, login):
    client = english(login(teacher))
    response = client.post(url("request_join", community))
    assert messages_of(response) == [("success", "Your request has been sent to the coordinator.")]
    assert membership_of(teacher, community).status == Membership.Status.REQUESTED

    response = client.post(url("request_join", community))
    assert errors_of(response) == ["You have already asked to join; the coordinator will answer."]
    assert Membership.objects.filter(user=teacher, community=community).count() == 1
    assert membership_of(teacher, community).status == Membership.Status.REQUESTED


def test_coordinator_sees_and_approves_a_request(community, coordinator, teacher, login):
    login(teacher).post(url("request_join", community))
    membership = membership_of(teacher, community)
    client = login(coordinator)
    assert teacher.full_name in client.get(reverse("dashboard")).content.decode()
    assert teacher.full_name in client.get(url("members", community)).content.decode()

    response = client.post(url("member_action", community, membership.uid, "approve"))
    assert response["Location"] == url("members", community)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.joined_at is not None


def test_coordinator_declines_a_request(community, coordinator, teacher, login):
    login(teacher).post(url("request_join", community))
    membership = membership_of(teacher, community)
    login(coordinator).post(url("member_action", community, membership.uid, "decline"))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.DECLINED
    # Answered once: approving now is refused.
    response = english(login(coordinator)).post(url("member_action", community, membership.uid, "approve"))
    assert errors_of(response) == ["This request has already been answered."]
    assert membership_of(teacher, community).status == Membership.Status.DECLINED


def test_other_school_cannot_ask_to_join_within_school_community(community, other_teacher, login):
    assert login(other_teacher).post(url("request_join", community)).status_code == 404
    assert membership_of(other_teacher, community) is None


def test_other_school_may_ask_to_join_public_across_school_community(school, other_teacher, login):
    open_community = CommunityFactory(
        home_school=school, visibility=Community.Visibility.PUBLIC, kind=Community.Kind.ACROSS_SCHOOLS
    )
    response = login(other_teacher).post(url("request_join", open_community))
    assert response.status_code == 302
    assert errors_of(response) == []
    assert membership_of(other_teacher, open_community).status == Membership.Status.REQUESTED


# --- Leaving, removing, roles ---------------------------------------------------------------


def test_member_leaves(community, member, login):
    response = login(member).post(url("leave", community))
    assert response["Location"] == reverse("communities:mine")
    membership = membership_of(member, community)
    assert membership.status == Membership.Status.LEFT
    assert membership.left_at is not None


def test_coordinator_removes_a_member(community, coordinator, member, login):
    membership = membership_of(member, community)
    login(coordinator).post(url("member_action", community, membership.uid, "remove"))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LEFT
    # No longer a member: the member's own pages turn them away.
    assert login(member).get(url("problem_new", community)).status_code == 403


def test_coordinator_promotes_then_demotes(community, coordinator, member, login):
    membership = membership_of(member, community)
    client = login(coordinator)
    client.post(url("member_action", community, membership.uid, "promote"))
    membership.refresh_from_db()
    assert membership.role == Membership.Role.COORDINATOR
    client.post(url("member_action", community, membership.uid, "demote"))
    membership.refresh_from_db()
    assert membership.role == Membership.Role.MEMBER


LAST_COORDINATOR = "A community needs at least one coordinator. Make another member coordinator first."


@pytest.mark.parametrize("action", ["remove", "demote"])
def test_last_coordinator_cannot_be_removed_or_demoted(action, community, coordinator, member, login):
    own = membership_of(coordinator, community)
    response = english(login(coordinator)).post(url("member_action", community, own.uid, action))
    assert errors_of(response) == [LAST_COORDINATOR]
    own.refresh_from_db()
    assert (own.status, own.role) == (Membership.Status.ACTIVE, Membership.Role.COORDINATOR)


def test_last_coordinator_cannot_leave(community, coordinator, login):
    response = english(login(coordinator)).post(url("leave", community))
    assert errors_of(response) == [LAST_COORDINATOR]
    own = membership_of(coordinator, community)
    assert (own.status, own.role) == (Membership.Status.ACTIVE, Membership.Role.COORDINATOR)


def test_coordinator_leaves_when_another_remains(community, coordinator, member, login):
    Membership.objects.filter(user=member, community=community).update(role=Membership.Role.COORDINATOR)
    response = login(coordinator).post(url("leave", community))
    assert errors_of(response) == []
    own = membership_of(coordinator, community)
    assert (own.status, own.role) == (Membership.Status.LEFT, Membership.Role.MEMBER)
    assert list(community.memberships.coordinators().values_list("user", flat=True)) == [member.pk]


def test_membership_is_unique_per_person_and_community(community, member):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=member, community=community, status=Membership.Status.REQUESTED)


# --- Forged requests ------------------------------------------------------------------------


def test_forged_member_action_on_a_community_they_cannot_see(member, other_school, login):
    elsewhere = CommunityFactory(home_school=other_school)
    target = MembershipFactory(community=elsewhere, user__school=other_school)
    response = login(member).post(url("member_action", elsewhere, target.uid, "remove"))
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.status == Membership.Status.ACTIVE


def test_forged_member_action_on_a_community_they_see_but_do_not_run(member, school, login):
    neighbour = CommunityFactory(home_school=school)
    target = MembershipFactory(community=neighbour, user__school=school)
    response = login(member).post(url("member_action", neighbour, target.uid, "promote"))
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == Membership.Role.MEMBER


def test_coordinator_cannot_reach_another_communitys_membership(community, coordinator, school, login):
    neighbour = CommunityFactory(home_school=school)
    target = MembershipFactory(community=neighbour, user__school=school)
    response = login(coordinator).post(url("member_action", community, target.uid, "remove"))
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.status == Membership.Status.ACTIVE


# --- Archived communities -------------------------------------------------------------------

ARCHIVED = "This community is archived and can no longer be changed."


@pytest.fixture
def archived(community, coordinator, member, teacher, principal, problem):
    """The conftest community with a stage change and an open invitation, then archived."""
    change = services.stage_change(community=community, to_stage=Stage.MENUMBUHKAN, by=coordinator, note="Tumbuh.")
    invitee = UserFactory(school=community.home_school)
    services.membership_invite(community=community, email=invitee.email, by=coordinator)
    Community.objects.filter(pk=community.pk).update(archived=True)
    community.refresh_from_db()
    return {"community": community, "change": change, "problem": problem, "invitee": invitee, "member": member}


def _archived_snapshot(community):
    return (
        model_to_dict(Community.objects.get(pk=community.pk)),
        list(Membership.objects.filter(community=community).order_by("pk").values()),
        list(Invitation.objects.filter(community=community).order_by("pk").values()),
        list(Problem.objects.filter(community=community).order_by("pk").values()),
        list(Problem.supporters.through.objects.order_by("pk").values()),
        list(ProblemComment.objects.order_by("pk").values()),
        list(StageChange.objects.filter(community=community).order_by("pk").values()),
    )


def _member_uid(world):
    return membership_of(world["member"], world["community"]).uid


# (who, method, url name, extra URL args from the fixture, POST data)
ARCHIVED_WRITES = {
    "invite": ("coordinator", "post", "invite", None, {"email": "baru@smpn1.sch.id"}),
    "request_join": ("teacher", "post", "request_join", None, {}),
    "respond_invitation": ("invitee", "post", "respond_invitation", None, {"accept": "1"}),
    "leave": ("member", "post", "leave", None, {}),
    "promote": ("coordinator", "post", "member_action", lambda w: [_member_uid(w), "promote"], {}),
    "remove": ("coordinator", "post", "member_action", lambda w: [_member_uid(w), "remove"], {}),
    "edit_get": ("coordinator", "get", "edit", None, {}),
    "edit_post": ("coordinator", "post", "edit", None, {"name": "Baru", "concern": "x", "kind": "within"}),
    "found_goal": ("coordinator", "post", "found_goal", None, {"goal": "Tujuan baru"}),
    "found_settings": ("coordinator", "post", "found_settings", None, {"kind": "across", "visibility": "public"}),
    "raise_problem": ("member", "post", "problem_new", None, {"title": "Masalah baru", "description": ""}),
    "edit_problem": ("coordinator", "get", "problem_edit", lambda w: [w["problem"].uid], {}),
    "support": ("member", "post", "problem_support", lambda w: [w["problem"].uid], {"share": "1"}),
    "comment": ("member", "post", "problem_comment", lambda w: [w["problem"].uid], {"body": "Saya juga."}),
    "problem_status": ("coordinator", "post", "problem_status", lambda w: [w["problem"].uid], {"status": "acting"}),
    "focus": ("coordinator", "post", "problem_focus", lambda w: [w["problem"].uid], {"focus": "1"}),
    "stage_change": ("coordinator", "post", "stage_change", None, {"to_stage": "merawat", "note": "Lanjut."}),
    "inform_principal": ("coordinator", "post", "inform_principal", None, {}),
    "endorse": ("principal", "post", "stage_endorse", lambda w: [w["change"].uid], {}),
}

ARCHIVED_BUGS = {}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=ARCHIVED_BUGS[name])] if name in ARCHIVED_BUGS else [],
        )
        for name in ARCHIVED_WRITES
    ],
)
def test_archived_community_refuses_every_write(case, archived, login, request, mailoutbox, run_tasks):
    who, method, name, extra, data = ARCHIVED_WRITES[case]
    community = archived["community"]
    user = archived["invitee"] if who == "invitee" else request.getfixturevalue(who)
    run_tasks()  # what the set-up queued
    before, sent = _archived_snapshot(community), len(mailoutbox)
    client = english(login(user))
    target = url(name, community, *(extra(archived) if extra else []))
    response = client.post(target, data) if method == "post" else client.get(target)
    assert response.status_code == 302
    errors = errors_of(response)
    assert errors, "the refusal must say why"
    assert any("archived" in text for text in errors), errors
    assert _archived_snapshot(community) == before
    run_tasks()
    assert len(mailoutbox) == sent


def test_archived_community_shows_it_is_read_only(archived, coordinator, login):
    page = english(login(coordinator)).get(archived["community"].get_absolute_url()).content.decode()
    assert "This community is archived" in page
    assert url("edit", archived["community"]) not in page


def test_coordinator_archives_and_restores(community, coordinator, member, login):
    client = login(coordinator)
    client.post(url("archive", community), {"archived": "1"})
    community.refresh_from_db()
    assert community.archived is True
    response = client.post(url("archive", community), {"archived": "0"})
    assert errors_of(response) == []
    community.refresh_from_db()
    assert community.archived is False
    # Live again: writes work.
    login(member).post(url("problem_new", community), {"title": "Lagi aktif", "description": ""})
    assert community.problems.filter(title="Lagi aktif").exists()


def test_archived_refusal_text(archived, member, login):
    response = english(login(member)).post(url("leave", archived["community"]))
    assert errors_of(response) == [ARCHIVED]


# --- Member counts on the lists -------------------------------------------------------------

LIST_BUGS = {}


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(name, marks=LIST_BUGS.get(name, ()))
        for name in ["communities:directory", "communities:mine", "dashboard"]
    ],
)
def test_lists_count_every_active_member(page, community, coordinator, member, teacher, login):
    MembershipFactory(community=community, user__school=community.home_school)
    MembershipFactory(community=community, user=teacher, status=Membership.Status.REQUESTED)
    html = english(login(member)).get(reverse(page)).content.decode()
    card = html[html.index(f'href="{community.get_absolute_url()}"') :]
    count = re.search(r">\s*(\d+) members?\s*<", card)
    assert count, "the card shows a member count"
    assert count.group(1) == "3"
