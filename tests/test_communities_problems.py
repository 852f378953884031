"""Shared problems: raising, "me too", comments, status, the current focus, and the
Markdown members write, which must come out sanitised."""

import re
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from communities.models import Problem, ProblemComment
from tests.factories import MembershipFactory, ProblemFactory
from tests.migrations import apps_before, migrate_to_latest

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


def errors_of(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def url(name, community, *args):
    return reverse(f"communities:{name}", args=[community.slug, *args])


def purl(name, problem):
    return url(name, problem.community, problem.uid)


def problem_state(problem):
    problem = Problem.objects.get(pk=problem.pk)
    return (
        problem.title,
        problem.description,
        problem.status,
        problem.is_focus,
        sorted(problem.supporters.values_list("pk", flat=True)),
        list(problem.comments.values_list("body", flat=True)),
    )


# --- Raising ---------------------------------------------------------------------------------


def test_member_raises_a_problem(community, member, login):
    response = login(member).post(
        url("problem_new", community), {"title": "Siswa takut presentasi", "description": "Terutama kelas 7."}
    )
    problem = Problem.objects.get(title="Siswa takut presentasi")
    assert response.status_code == 302
    assert response["Location"] == problem.get_absolute_url()
    assert (problem.community, problem.raised_by, problem.status, problem.is_focus) == (
        community,
        member,
        Problem.Status.OPEN,
        False,
    )
    assert problem.description == "Terutama kelas 7."
    assert "Siswa takut presentasi" in login(member).get(url("problems", community)).content.decode()


def test_problem_needs_a_title(community, member, login):
    response = english(login(member)).post(url("problem_new", community), {"title": "", "description": "Apa?"})
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert not community.problems.exists()


def test_principal_cannot_raise_or_comment(community, problem, principal, login):
    client = login(principal)
    before = problem_state(problem)
    assert client.get(url("problem_new", community)).status_code == 403
    assert client.post(url("problem_new", community), {"title": "Dari kepala sekolah"}).status_code == 403
    assert client.post(purl("problem_comment", problem), {"body": "Catatan kepala sekolah"}).status_code == 403
    assert client.post(purl("problem_support", problem)).status_code == 403
    assert community.problems.count() == 1
    assert problem_state(problem) == before
    # They still read it.
    assert client.get(problem.get_absolute_url()).status_code == 200


# --- "Me too" ----------------------------------------------------------------------------------


def test_me_too_is_counted_on_list_and_detail(community, problem, member, coordinator, login):
    client = english(login(member))
    response = client.post(purl("problem_support", problem), {"share": "1", "next": "list"})
    assert response["Location"] == url("problems", community)
    assert list(problem.supporters.all()) == [member]
    login(coordinator).post(purl("problem_support", problem), {"share": "1"})
    assert problem.supporters.count() == 2

    listing = client.get(url("problems", community)).content.decode()
    assert re.search(r">\s*2 share it\s*<", listing)
    detail = client.get(problem.get_absolute_url()).content.decode()
    assert re.search(r">\s*2 members share this problem\s*<", detail)
    assert member.full_name in detail
    assert "You share this (undo)" in detail

    response = client.post(purl("problem_support", problem), {"share": "0"})
    assert response["Location"] == problem.get_absolute_url()
    assert list(problem.supporters.all()) == [coordinator]
    detail = client.get(problem.get_absolute_url()).content.decode()
    assert re.search(r">\s*1 member shares this problem\s*<", detail)
    assert re.search(r">\s*1 shares it\s*<", client.get(url("problems", community)).content.decode())


@pytest.mark.parametrize("share", ["1", "0"])
def test_saying_the_same_twice_changes_nothing_the_second_time(share, problem, member, login):
    if share == "0":
        problem.supporters.add(member)
    client = english(login(member))
    for _ in range(2):
        response = client.post(purl("problem_support", problem), {"share": share})
        assert errors_of(response) == []
    assert list(problem.supporters.all()) == ([member] if share == "1" else [])


@pytest.mark.parametrize("data", [{}, {"share": "ya"}, {"share": ""}])
def test_a_request_that_does_not_say_on_or_off_changes_nothing(data, problem, member, login):
    before = problem_state(problem)
    response = english(login(member)).post(purl("problem_support", problem), data)
    assert response.status_code == 400
    assert problem_state(problem) == before


def test_the_buttons_say_what_they_will_do(community, problem, member, login):
    client = english(login(member))
    share_fields = re.compile(r'<input type="hidden" name="share" value="([01])">')
    assert share_fields.findall(client.get(problem.get_absolute_url()).content.decode()) == ["1"]
    assert share_fields.findall(client.get(url("problems", community)).content.decode()) == ["1"]
    client.post(purl("problem_support", problem), {"share": "1"})
    assert share_fields.findall(client.get(problem.get_absolute_url()).content.decode()) == ["0"]
    assert share_fields.findall(client.get(url("problems", community)).content.decode()) == ["0"]


def test_the_database_keeps_one_row_per_person_and_problem(problem, member):
    through = Problem.supporters.through
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, through._meta.db_table)
    columns = {"problem_id", "user_id"}
    assert any(c["unique"] and set(c["columns"]) == columns for c in constraints.values())
    through.objects.create(problem=problem, user=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        through.objects.create(problem=problem, user=member)


def _simultaneously(requests):
    """Runs each (client, url, data) POST in its own thread, released together."""
    barrier = threading.Barrier(len(requests))
    statuses = []

    def post(client, address, data):
        try:
            barrier.wait()
            statuses.append(client.post(address, data).status_code)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=post, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_double_clicks_at_the_same_moment_leave_what_was_asked(community, problem):
    """Ten members press "Me too" twice at once; ten others, who share it, press "undo"
    twice at once. Each ends as they asked, with at most one row each."""
    sharing = [MembershipFactory(community=community).user for _ in range(10)]
    leaving = [MembershipFactory(community=community).user for _ in range(10)]
    problem.supporters.add(*leaving)
    requests = []
    for users, share in ((sharing, "1"), (leaving, "0")):
        for user in users:
            for _tab in range(2):
                client = Client()
                client.force_login(user)
                requests.append((client, purl("problem_support", problem), {"share": share}))
    statuses = _simultaneously(requests)
    assert statuses == [302] * len(requests)
    through = Problem.supporters.through.objects.filter(problem=problem)
    assert sorted(through.values_list("user_id", flat=True)) == sorted(user.pk for user in sharing)


# --- Comments ------------------------------------------------------------------------------------


def test_member_comments(problem, member, login):
    client = english(login(member))
    response = client.post(purl("problem_comment", problem), {"body": "Di kelas 8 juga begitu."})
    assert response["Location"] == problem.get_absolute_url()
    comment = ProblemComment.objects.get(problem=problem)
    assert (comment.author, comment.body) == (member, "Di kelas 8 juga begitu.")
    assert "Di kelas 8 juga begitu." in client.get(problem.get_absolute_url()).content.decode()


def test_empty_comment_is_refused(problem, member, login):
    response = english(login(member)).post(purl("problem_comment", problem), {"body": "  "})
    assert errors_of(response) == ["Write something before sending."]
    assert not problem.comments.exists()


# --- Status ------------------------------------------------------------------------------------


@pytest.fixture
def own_problem(community, member):
    """A problem the member raised themselves."""
    return ProblemFactory(community=community, raised_by=member, title="Buku bacaan kurang")


def test_author_moves_status_open_acting_resolved(own_problem, member, login):
    client = login(member)
    for status in (Problem.Status.ACTING, Problem.Status.RESOLVED):
        response = client.post(purl("problem_status", own_problem), {"status": status})
        assert response.status_code == 302
        assert errors_of(response) == []
        own_problem.refresh_from_db()
        assert own_problem.status == status


def test_coordinator_sets_status_of_anyones_problem(own_problem, coordinator, login):
    login(coordinator).post(purl("problem_status", own_problem), {"status": Problem.Status.RESOLVED})
    own_problem.refresh_from_db()
    assert own_problem.status == Problem.Status.RESOLVED


def test_member_who_is_not_the_author_cannot_set_status(problem, member, login):
    assert problem.raised_by != member
    before = problem_state(problem)
    assert login(member).post(purl("problem_status", problem), {"status": "resolved"}).status_code == 403
    assert login(member).get(purl("problem_edit", problem)).status_code == 403
    assert problem_state(problem) == before


def test_unknown_status_is_refused(problem, coordinator, login):
    before = problem_state(problem)
    response = english(login(coordinator)).post(purl("problem_status", problem), {"status": "closed"})
    assert errors_of(response) == ["Unknown status."]
    assert problem_state(problem) == before


def test_author_edits_own_problem(own_problem, member, login):
    response = login(member).post(
        purl("problem_edit", own_problem), {"title": "Buku bacaan sangat kurang", "description": "Perpustakaan kecil."}
    )
    assert response["Location"] == own_problem.get_absolute_url()
    own_problem.refresh_from_db()
    assert (own_problem.title, own_problem.description) == ("Buku bacaan sangat kurang", "Perpustakaan kecil.")


# --- Focus ---------------------------------------------------------------------------------------


def test_only_one_problem_is_the_focus(community, problem, own_problem, coordinator, member, login):
    client = english(login(coordinator))
    client.post(purl("problem_focus", problem), {"focus": "1"})
    assert list(community.problems.filter(is_focus=True)) == [problem]
    client.post(purl("problem_focus", own_problem), {"focus": "1"})
    assert list(community.problems.filter(is_focus=True)) == [own_problem]

    overview = english(login(member)).get(community.get_absolute_url()).content.decode()
    focus_card = overview[overview.index("Current focus") :]
    assert own_problem.title in focus_card[:500]
    assert problem.title not in overview

    client.post(purl("problem_focus", own_problem), {"focus": "0"})
    assert not community.problems.filter(is_focus=True).exists()


def test_problem_list_shows_focus_first_then_status_then_newest(community, coordinator, member, login):
    def raise_(title, status):
        return ProblemFactory(community=community, raised_by=coordinator, title=title, status=status)

    oldest_open = raise_("Satu terbuka lama", Problem.Status.OPEN)
    resolved = raise_("Dua selesai", Problem.Status.RESOLVED)
    acting = raise_("Tiga ditangani", Problem.Status.ACTING)
    newest_open = raise_("Empat terbuka baru", Problem.Status.OPEN)
    focus = raise_("Lima fokus", Problem.Status.OPEN)
    login(coordinator).post(purl("problem_focus", focus), {"focus": "1"})
    listing = login(member).get(url("problems", community)).content.decode()
    shown = sorted((listing.index(p.title), p.title) for p in (oldest_open, resolved, acting, newest_open, focus))
    assert [title for _, title in shown] == [
        focus.title,
        acting.title,
        newest_open.title,
        oldest_open.title,
        resolved.title,
    ]


def test_focus_of_one_community_leaves_others_alone(community, problem, coordinator, login, school):
    elsewhere = ProblemFactory(community__home_school=school, is_focus=True)
    login(coordinator).post(purl("problem_focus", problem), {"focus": "1"})
    elsewhere.refresh_from_db()
    assert elsewhere.is_focus is True


def test_member_cannot_set_the_focus(problem, member, login):
    before = problem_state(problem)
    assert login(member).post(purl("problem_focus", problem), {"focus": "1"}).status_code == 403
    assert problem_state(problem) == before


def test_database_allows_one_focus_per_community(community, problem, coordinator):
    constraint = next(c for c in Problem._meta.constraints if c.name == "problem_one_focus_per_community")
    assert constraint.fields == ("community",)
    Problem.objects.filter(pk=problem.pk).update(is_focus=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProblemFactory(community=community, raised_by=coordinator, is_focus=True)
    # Not focused: as many as you like.
    ProblemFactory(community=community, raised_by=coordinator)
    ProblemFactory(community=community, raised_by=coordinator)
    assert community.problems.filter(is_focus=True).count() == 1


@pytest.mark.parametrize("who", ["author", "coordinator"])
def test_resolving_the_focus_clears_it_and_its_badge(who, community, own_problem, coordinator, member, login):
    login(coordinator).post(purl("problem_focus", own_problem), {"focus": "1"})
    client = english(login(member if who == "author" else coordinator))
    response = client.post(purl("problem_status", own_problem), {"status": Problem.Status.RESOLVED})
    assert errors_of(response) == []
    own_problem.refresh_from_db()
    assert (own_problem.status, own_problem.is_focus) == (Problem.Status.RESOLVED, False)
    for page in (url("problems", community), own_problem.get_absolute_url()):
        assert "current focus" not in client.get(page).content.decode()
    overview = client.get(community.get_absolute_url()).content.decode()
    assert "Current focus" not in overview
    assert "No current focus yet" in overview


def test_reopening_a_resolved_problem_does_not_bring_the_focus_back(own_problem, coordinator, login):
    client = login(coordinator)
    client.post(purl("problem_focus", own_problem), {"focus": "1"})
    client.post(purl("problem_status", own_problem), {"status": Problem.Status.RESOLVED})
    client.post(purl("problem_status", own_problem), {"status": Problem.Status.ACTING})
    own_problem.refresh_from_db()
    assert (own_problem.status, own_problem.is_focus) == (Problem.Status.ACTING, False)


def test_a_resolved_problem_cannot_become_the_focus(community, own_problem, coordinator, login):
    Problem.objects.filter(pk=own_problem.pk).update(status=Problem.Status.RESOLVED)
    client = english(login(coordinator))
    page = client.get(own_problem.get_absolute_url()).content.decode()
    assert "Make it the current focus" not in page
    before = problem_state(own_problem)
    response = client.post(purl("problem_focus", own_problem), {"focus": "1"})
    assert errors_of(response) == [
        "A resolved problem cannot be the current focus. Set it back to open or being acted on first."
    ]
    assert problem_state(own_problem) == before


def test_database_refuses_a_resolved_focus(community, problem, coordinator):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProblemFactory(community=community, raised_by=coordinator, is_focus=True, status=Problem.Status.RESOLVED)
    Problem.objects.filter(pk=problem.pk).update(is_focus=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.filter(pk=problem.pk).update(status=Problem.Status.RESOLVED)


@pytest.mark.django_db(transaction=True)
def test_migration_clears_the_focus_of_problems_resolved_before(coordinator, community):
    OldProblem = apps_before("communities", "0003_problem_resolved_is_not_the_focus").get_model(
        "communities", "Problem"
    )
    stale = OldProblem.objects.create(
        community_id=community.pk, raised_by_id=coordinator.pk, title="Lama", status="resolved", is_focus=True
    )
    migrate_to_latest()
    assert Problem.objects.get(pk=stale.pk).is_focus is False


def test_admin_explains_that_a_resolved_problem_cannot_be_the_focus(problem, staff, login):
    client = english(login(staff))
    response = client.post(
        reverse("admin:communities_problem_change", args=[problem.pk]),
        {
            "community": problem.community.pk,
            "title": problem.title,
            "description": problem.description,
            "raised_by": problem.raised_by.pk,
            "status": Problem.Status.RESOLVED,
            "is_focus": "on",
            "created_at_0": "2026-01-05",
            "created_at_1": "10:00:00",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "A resolved problem cannot be the current focus." in response.content.decode()
    problem.refresh_from_db()
    assert problem.status != Problem.Status.RESOLVED


# --- Markdown ------------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '<a href="http://e.com" onclick="x()">e</a>',
]
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


def assert_sanitised(html):
    # Our own pages load scripts only from our static files, never inline.
    for tag in SCRIPT_TAG.findall(html):
        assert 'src="/static/' in tag, tag
    lowered = html.lower()
    for needle in ("alert(1)</script", "onerror", "javascript:", "onclick"):
        assert needle not in lowered, needle


@pytest.mark.parametrize("payload", HOSTILE)
def test_description_is_sanitised(payload, community, member, login):
    client = login(member)
    client.post(url("problem_new", community), {"title": "Uji", "description": f"{payload}\n\n**bold**"})
    problem = community.problems.get(title="Uji")
    assert problem.description.startswith(payload)  # stored as written
    html = client.get(problem.get_absolute_url()).content.decode()
    assert_sanitised(html)
    assert "<strong>bold</strong>" in html


@pytest.mark.parametrize("payload", HOSTILE)
def test_comment_is_sanitised(payload, problem, member, login):
    client = login(member)
    client.post(purl("problem_comment", problem), {"body": f"**bold** {payload}"})
    assert problem.comments.get().body.endswith(payload)
    html = client.get(problem.get_absolute_url()).content.decode()
    assert_sanitised(html)
    assert "<strong>bold</strong>" in html


def test_safe_link_survives_with_rel(problem, member, login):
    client = login(member)
    client.post(purl("problem_comment", problem), {"body": '<a href="http://e.com" onclick="x()">e</a>'})
    html = client.get(problem.get_absolute_url()).content.decode()
    assert re.search(r'<a href="http://e.com" rel="[^"]*nofollow[^"]*">e</a>', html)


def test_a_member_of_another_community_cannot_touch_the_problem(problem, school, login):
    stranger = MembershipFactory(user__school=school).user
    client = login(stranger)
    before = problem_state(problem)
    # Same school, school-visible: they see it, but may not contribute.
    assert client.get(problem.get_absolute_url()).status_code == 200
    assert client.post(purl("problem_support", problem)).status_code == 403
    assert client.post(purl("problem_comment", problem), {"body": "x"}).status_code == 403
    assert problem_state(problem) == before
