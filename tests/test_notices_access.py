"""The access matrix of the "notices" namespace: every URL, every persona. A person's
notices and mutes are theirs alone (others get 404); the unsubscribe link works
without signing in, for whoever holds it. A new URL without a row fails
`test_every_url_has_a_row`."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from notices.mail import unsubscribe_token
from notices.models import Mute, Notice
from notices.services import mute_set, notice_send
from tests.matrix import LOGIN, OK, PERSONAS, assert_outcome, call, patterns_of, row

pytestmark = pytest.mark.django_db

# Columns: anonymous, other_teacher, teacher, member, coordinator, principal, other_principal, staff,
# pengawas, dinas, other_dinas, other_pengawas.
EXPECTED = {
    "list": ("get", row(LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "open": ("post", row(LOGIN, 404, 404, OK, 404, 404, 404, 404, 404, 404, 404, 404)),
    "read_all": ("post", row(LOGIN, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK)),
    "preferences": ("get", row(LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "unmute": ("post", row(LOGIN, 404, 404, OK, 404, 404, 404, 404, 404, 404, 404, 404)),
    "unsubscribe": ("get", row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
}
PATTERNS = patterns_of("notices")


def build_world(community, member):
    """A notice of the member's, their mute of the community and an unsubscribe token."""
    notice_send(kind="problem_new", to=member, about=community, group=community, title="Kabar untuk Ani")
    mute_set(user=member, group=community, muted=True)
    return SimpleNamespace(
        notice=Notice.objects.filter(recipient=member, kind="problem_new").latest("pk"),
        mute=Mute.objects.get(user=member),
        token=unsubscribe_token(user=member, kinds=["problem_new"]),
    )


@pytest.fixture
def world(community, coordinator, member, principal, teacher, other_teacher, other_principal, staff):
    return build_world(community, member)


def url_for(name, world):
    converters = PATTERNS[name].pattern.converters
    kwargs = {}
    if "uid" in converters:
        kwargs["uid"] = world.notice.uid
    if "pk" in converters:
        kwargs["pk"] = world.mute.pk
    if "token" in converters:
        kwargs["token"] = world.token
    return reverse(f"notices:{name}", kwargs=kwargs)


def test_every_url_has_a_row():
    assert set(PATTERNS) == set(EXPECTED)


@pytest.mark.parametrize(("name", "persona"), [pytest.param(n, p, id=f"{n}-{p}") for n in EXPECTED for p in PERSONAS])
def test_matrix(name, persona, world, login, request):
    method, expected = EXPECTED[name]
    url = url_for(name, world)
    response = call(login(request.getfixturevalue(persona)), method, url)
    assert_outcome(response, expected[persona], url)


@pytest.mark.parametrize("name", [name for name, (method, _) in EXPECTED.items() if method == "post"])
def test_get_on_post_only_view_is_405(name, world, member, login):
    assert login(member).get(url_for(name, world)).status_code == 405
