"""The access matrix of the "reports" and "schools" namespaces: every URL, every persona,
against DESIGN.md. A new URL without a row fails `test_every_url_has_a_row`."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from schools.models import Feedback
from tests.matrix import LOGIN, OK, PERSONAS, assert_outcome, call, patterns_of, row

pytestmark = pytest.mark.django_db

# Columns: anonymous, other_teacher, teacher, member, coordinator, principal, other_principal, staff,
# pengawas, dinas, other_dinas, other_pengawas.
REPORTS = {
    # The portfolio is the community's record: members, its principal and admins.
    "portfolio": ("get", row(LOGIN, 404, 403, 200, 200, 200, 404, 200, 404, 404, 404, 404)),
    "portfolio_pdf": ("get", row(LOGIN, 404, 403, 200, 200, 200, 404, 200, 404, 404, 404, 404)),
    "activities_csv": ("get", row(LOGIN, 404, 403, 403, 200, 200, 404, 200, 404, 404, 404, 404)),
    # Everything of the community, personal data included: its coordinators (and admins).
    "archive": ("get", row(LOGIN, 404, 403, 403, 200, 403, 404, 200, 404, 404, 404, 404)),
}
SCHOOLS = {
    # A principal is sent on to their own school; admins choose from the list.
    "mine": ("get", row(LOGIN, 404, 404, 404, 404, 302, 302, 200, 200, 200, 200, 200)),
    # Another school's dashboard is not revealed to anyone but its principal and admins.
    "dashboard": ("get", row(LOGIN, 404, 404, 404, 404, 200, 404, 200, 200, 200, 404, 404)),
    "report": ("get", row(LOGIN, 404, 404, 404, 404, 200, 404, 200, 200, 200, 404, 404)),
    "export_activities": ("get", row(LOGIN, 404, 404, 404, 404, 200, 404, 200, 403, 403, 404, 404)),
    "feedback": ("get", row(LOGIN, 404, 403, 200, 200, 200, 404, 200, 404, 404, 404, 404)),
    "feedback_new": ("post", row(LOGIN, 404, 403, 403, 403, OK, 404, 403, 404, 404, 404, 404)),
    "feedback_reply": ("post", row(LOGIN, 404, 403, 403, OK, OK, 404, 403, 404, 404, 404, 404)),
}
EXPECTED = {("reports", name): rule for name, rule in REPORTS.items()} | {
    ("schools", name): rule for name, rule in SCHOOLS.items()
}
PATTERNS = {(ns, name): pattern for ns in ("reports", "schools") for name, pattern in patterns_of(ns).items()}


@pytest.fixture
def world(community, coordinator, member, principal, teacher, other_teacher, other_principal, staff):
    return build_world(community, principal)


def build_world(community, principal):
    thread = Feedback.objects.create(community=community, author=principal, body="Bagus, lanjutkan.")
    return SimpleNamespace(community=community, thread=thread)


def url_for(key, world):
    namespace, name = key
    converters = PATTERNS[key].pattern.converters
    kwargs = {}
    if "slug" in converters:
        kwargs["slug"] = world.community.slug
    if "npsn" in converters:
        kwargs["npsn"] = world.community.home_school.npsn
    if "uid" in converters:
        kwargs["uid"] = world.thread.uid
    return reverse(f"{namespace}:{name}", kwargs=kwargs)


def test_every_url_has_a_row():
    assert set(PATTERNS) == set(EXPECTED)


@pytest.mark.parametrize(
    ("key", "persona"),
    [pytest.param(key, persona, id=f"{key[0]}:{key[1]}-{persona}") for key in EXPECTED for persona in PERSONAS],
)
def test_matrix(key, persona, world, login, request):
    method, expected = EXPECTED[key]
    url = url_for(key, world)
    user = request.getfixturevalue(persona)
    response = call(login(user), method, url, {"body": "Terima kasih atas dokumentasinya."})
    assert_outcome(response, expected[persona], url)


@pytest.mark.parametrize("key", [key for key, (method, _) in EXPECTED.items() if method == "post"])
def test_get_on_post_only_view_is_405(key, world, principal, login):
    assert login(principal).get(url_for(key, world)).status_code == 405
