"""The access matrix of the "supervision" namespace: every URL, every persona. A new URL
without a row fails `test_every_url_has_a_row`.

The supervision dashboard, its report and CSV answer every supervisor (and site admins)
with their own schools; whose schools appear is tested in test_supervision.py. A
school's feedback threads follow the school's oversight: its principal, the supervisors
of the school and admins read them; a school outside a person's oversight is a 404."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from supervision.models import SchoolFeedback
from tests.matrix import LOGIN, OK, PERSONAS, assert_outcome, call, patterns_of, row

pytestmark = pytest.mark.django_db

# Columns: anonymous, other_teacher, teacher, member, coordinator, principal, other_principal, staff,
# pengawas, dinas, other_dinas, other_pengawas.
OVERSIGHT = row(LOGIN, 404, 404, 404, 404, 404, 404, 200, 200, 200, 200, 200)
EXPECTED = {
    "dashboard": ("get", OVERSIGHT),
    "report": ("get", OVERSIGHT),
    "export": ("get", OVERSIGHT),
    "feedback": ("get", row(LOGIN, 404, 404, 404, 404, 200, 404, 200, 200, 200, 404, 404)),
    # Supervisors start threads; the principal answers them; admins only read.
    "feedback_new": ("post", row(LOGIN, 404, 404, 404, 404, 403, 404, 403, OK, OK, 404, 404)),
    "feedback_reply": ("post", row(LOGIN, 404, 404, 404, 404, OK, 404, 403, OK, OK, 404, 404)),
}
PATTERNS = patterns_of("supervision")


def build_world(community, pengawas):
    """A pengawas's feedback thread to the community's school."""
    thread = SchoolFeedback.objects.create(school=community.home_school, author=pengawas, body="Bagaimana kabarnya?")
    return SimpleNamespace(school=community.home_school, thread=thread)


@pytest.fixture
def world(community, coordinator, member, principal, pengawas):
    return build_world(community, pengawas)


def url_for(name, world):
    converters = PATTERNS[name].pattern.converters
    kwargs = {}
    if "npsn" in converters:
        kwargs["npsn"] = world.school.npsn
    if "uid" in converters:
        kwargs["uid"] = world.thread.uid
    return reverse(f"supervision:{name}", kwargs=kwargs)


def test_every_url_has_a_row():
    assert set(PATTERNS) == set(EXPECTED)


def test_every_row_covers_every_persona():
    for name, (method, statuses) in EXPECTED.items():
        assert method in ("get", "post"), name
        assert set(statuses) == set(PERSONAS), name


@pytest.mark.parametrize(("name", "persona"), [pytest.param(n, p, id=f"{n}-{p}") for n in EXPECTED for p in PERSONAS])
def test_matrix(name, persona, world, login, request):
    method, expected = EXPECTED[name]
    url = url_for(name, world)
    response = call(
        login(request.getfixturevalue(persona)), method, url, {"body": "Terima kasih, kami tindak lanjuti."}
    )
    assert_outcome(response, expected[persona], url)


@pytest.mark.parametrize("name", [name for name, (method, _) in EXPECTED.items() if method == "post"])
def test_get_on_post_only_view_is_405(name, world, pengawas, login):
    assert login(pengawas).get(url_for(name, world)).status_code == 405
