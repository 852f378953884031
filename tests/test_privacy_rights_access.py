"""The access matrix of the "privacy" namespace: every URL, every persona. Each
person's requests and downloads are theirs alone (others get 404). A new URL without a
row fails `test_every_url_has_a_row`."""

from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from privacy_rights.models import ExportRequest
from tests.factories import DocumentFactory, held_activity
from tests.matrix import (
    LOGIN,
    OK,
    PERSONAS,
    SEES_COMMUNITY,
    assert_outcome,
    call,
    patterns_of,
    row,
    visibility_cases,
)

pytestmark = pytest.mark.django_db

EVERYONE = row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
SIGNED_IN = row(LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
MANAGE_GET = row(LOGIN, 404, 403, 403, 200, 403, 404, 403, 404, 404, 404, 404)
MANAGE_POST = row(LOGIN, 404, 403, 403, OK, 403, 404, 403, 404, 404, 404, 404)

# Columns: anonymous, other_teacher, teacher, member, coordinator, principal, other_principal, staff,
# pengawas, dinas, other_dinas, other_pengawas.
EXPECTED = {
    "notice": ("get", EVERYONE),
    # The form; a POST without the password shows it again with the error, nothing changed.
    "delete": ("get", SIGNED_IN),
    "deletion_scheduled": ("get", EVERYONE),
    "exports": ("get", SIGNED_IN),
    # The member's own download: nobody else, site staff included, can fetch it.
    "export_download": ("get", row(LOGIN, 404, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404)),
    # Photos showing students: the community's coordinators (a community visible to its school).
    "student_photos": ("get", MANAGE_GET),
    "photo_withdraw": ("post", MANAGE_POST),
    # The first step shows what would go; nothing is deleted before the confirmation.
    "student_photos_purge": ("post", MANAGE_GET),
}
POSTS = {"delete": ("post", SIGNED_IN), "exports": ("post", row(LOGIN, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK))}
POST_DATA = {"student_photos_purge": {"days": "365"}}
PATTERNS = patterns_of("privacy")


def build_world(community, coordinator, member):
    """A ready download of the member's data and a photo showing students (also used by
    the page sweep, tests/browser/test_every_page.py)."""
    export = ExportRequest.objects.create(user=member, state=ExportRequest.State.READY, ready_at=timezone.now(), size=3)
    export.file.save("data.zip", ContentFile(b"zip"))
    photo = DocumentFactory(
        activity=held_activity(community, proposed_by=coordinator),
        shows_students=True,
        consent_confirmed=True,
        uploaded_by=coordinator,
    )
    return SimpleNamespace(export=export, photo=photo, community=community)


@pytest.fixture
def world(community, coordinator, member, principal, teacher, other_teacher, other_principal, staff):
    return build_world(community, coordinator, member)


def url_for(name, world):
    if name == "export_download":
        return reverse("privacy:export_download", args=[world.export.uid])
    if name == "photo_withdraw":
        return reverse("privacy:photo_withdraw", args=[world.community.slug, world.photo.uid])
    if name in ("student_photos", "student_photos_purge"):
        return reverse(f"privacy:{name}", args=[world.community.slug])
    return reverse(f"privacy:{name}")


def test_every_url_has_a_row():
    assert set(PATTERNS) == set(EXPECTED)


CASES = [(n, *EXPECTED[n]) for n in EXPECTED] + [(n, *POSTS[n]) for n in POSTS]


@pytest.mark.parametrize(
    ("name", "method", "expected", "persona"),
    [pytest.param(n, m, e, p, id=f"{n}-{m}-{p}") for n, m, e in CASES for p in PERSONAS],
)
def test_matrix(name, method, expected, persona, world, login, request):
    url = url_for(name, world)
    response = call(login(request.getfixturevalue(persona)), method, url, POST_DATA.get(name))
    assert_outcome(response, expected[persona], url)


@pytest.mark.parametrize("name", ["photo_withdraw", "student_photos_purge"])
def test_get_on_post_only_view_is_405(name, world, coordinator, login):
    assert login(coordinator).get(url_for(name, world)).status_code == 405


@pytest.mark.parametrize(("visibility", "name", "persona"), visibility_cases(["student_photos"]))
def test_student_photos_at_every_visibility(visibility, name, persona, world, login, request):
    """Coordinators only, whatever the visibility: who cannot see the community gets 404,
    who sees it without managing it 403."""
    world.community.visibility = visibility
    world.community.save(update_fields=["visibility"])
    sees = SEES_COMMUNITY[visibility][persona]
    expected = LOGIN if sees == LOGIN else 200 if persona == "coordinator" else 403 if sees == 200 else 404
    url = url_for(name, world)
    assert_outcome(call(login(request.getfixturevalue(persona)), "get", url), expected, url)
