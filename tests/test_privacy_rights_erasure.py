"""Erasing an account on the demo data: no row keeps the person's name, email address, NIP
or NUPTK, every page of their communities still answers, and the community's history
(activities, attendance) is whole."""

import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Attendance, Document, Reflection
from communities.models import Community, Problem
from communities.services import problem_comment
from kompra.accounts.models import User
from privacy_rights.erasure import ERASED_NAME, account_erase
from privacy_rights.services import deletion_request
from publishing.models import Publication
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "kompra-demo-2026"


def rows_mentioning(*needles):
    """(model, field, pk) of every row whose text, char or JSON column holds a needle."""
    found = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                continue
            queryset = model._default_manager.annotate(_text=Cast(field.name, models.TextField()))
            for needle in needles:
                for pk in queryset.filter(_text__icontains=needle).values_list("pk", flat=True):
                    found.append((model._meta.label, field.name, pk))
    return found


def community_pages(community):
    slug = community.slug
    urls = [
        reverse(name, args=[slug])
        for name in (
            "communities:detail",
            "communities:members",
            "communities:problems",
            "communities:stage",
            "activities:list",
            "activities:gallery",
            "activities:reflections",
            "activities:products",
            "publishing:list",
            "schools:feedback",
            "reports:portfolio",
            "reports:activities_csv",
        )
    ]
    urls += [p.get_absolute_url() for p in community.problems.all()]
    urls += [a.get_absolute_url() for a in community.activities.all()]
    urls += [reverse("activities:attendance", args=[slug, a.uid]) for a in community.activities.all()]
    urls += [r.get_absolute_url() for r in community.reflections.all()]
    urls += [a.get_absolute_url() for a in community.action_plans.all()]
    urls += [p.get_absolute_url() for p in community.products.all()]
    urls += [d.get_absolute_url() for d in Document.objects.filter(community=community)]
    urls += [p.get_absolute_url() for p in Publication.objects.filter(community=community)]
    return urls


def test_erasure_on_demo_data_leaves_no_trace_and_every_page_whole(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    ani = User.objects.get(email="ani@smpn1sleman.sch.id")
    User.objects.filter(pk=ani.pk).update(nip="199002202015042003", nuptk="6543210987654321")
    name, email, nip, nuptk = ani.full_name, ani.email, "199002202015042003", "6543210987654321"
    community = Community.objects.get(slug="literasi-membaca-kelas-7")
    problem = Problem.objects.filter(community=community).first()
    # Her name written by others, a comment of hers, and a reflection she kept private.
    problem_comment(problem=problem, by=ani, body="Saya coba di kelas 7B minggu ini.")
    activity = community.activities.filter(status="held").first()
    Activity.objects.filter(pk=activity.pk).update(minutes=f"{name} memimpin diskusi. Kontak: {email}")
    private = Reflection.objects.create(
        community=community,
        author=ani,
        activity=community.activities.filter(status="held").exclude(reflections__author=ani).first(),
        template="free",
        answers={"text": "Catatan pribadi."},
        in_reports=False,
    )
    assert rows_mentioning(name, email, nip, nuptk)

    coordinator = User.objects.get(email="budi@smpn1sleman.sch.id")
    staff = User.objects.get(is_staff=True)
    before = {
        "activities": Activity.objects.count(),
        "attendance": Attendance.objects.count(),
        "present": Attendance.objects.filter(status="present").count(),
        "documents": Document.objects.count(),
        "comments": problem.comments.count(),
    }
    pages = community_pages(community)
    # What each viewer got before (a planned activity has no attendance sheet yet: 403).
    statuses = {
        (viewer.pk, url): client_for(viewer).get(url).status_code for viewer in (coordinator, staff) for url in pages
    }
    assert list(statuses.values()).count(200) > len(statuses) * 0.9

    request = deletion_request(user=ani, password=DEMO_PASSWORD)
    call_command("privacy_erase", now=(request.erase_after + timedelta(minutes=1)).isoformat())

    assert rows_mentioning(name, email, nip, nuptk) == []
    ani.refresh_from_db()
    assert ani.full_name == ERASED_NAME
    assert not Reflection.objects.filter(pk=private.pk).exists()
    assert Reflection.objects.filter(author=ani, in_reports=True).exists()  # shared ones stay, anonymised
    after = {
        "activities": Activity.objects.count(),
        "attendance": Attendance.objects.count(),
        "present": Attendance.objects.filter(status="present").count(),
        "documents": Document.objects.count(),
        "comments": problem.comments.count(),
    }
    assert after == before

    for viewer in (coordinator, staff):
        client = client_for(viewer)
        for url in pages:
            if url == private.get_absolute_url():
                continue
            response = client.get(url)
            assert response.status_code == statuses[viewer.pk, url], (url, response.status_code)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert name.encode() not in body and email.encode() not in body, url
        problem_page = client.get(problem.get_absolute_url()).content.decode()
        assert ERASED_NAME in problem_page
    found = client_for(coordinator).get(reverse("search:results"), {"q": "Rahmawati"})
    assert found.status_code == 200 and name not in found.content.decode()


def test_erasing_twice_is_harmless(member, coordinator, community):
    account_erase(user=member)
    account_erase(user=member, now=timezone.now())
    member.refresh_from_db()
    assert member.full_name == ERASED_NAME
