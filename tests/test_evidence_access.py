"""Access matrix of the personal portfolio: every URL of the `evidence` namespace, for
every persona. The portfolio belongs to `member`, who shared one period."""

import pytest
from django.urls import reverse

from evidence.models import PortfolioShare
from tests.matrix import LOGIN, OK, PERSONAS, REFUSED, assert_outcome, call, patterns_of, row

pytestmark = pytest.mark.django_db

OWN_PAGE = row(LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
# Sharing needs a school, hence a principal: site staff and supervisors have none.
SHARE = row(LOGIN, OK, OK, OK, OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED)
OWNER_ONLY_POST = row(LOGIN, 404, 404, OK, 404, 404, 404, 404, 404, 404, 404, 404)
PRINCIPALS = row(LOGIN, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404, 404)
OWNER_AND_PRINCIPAL = row(LOGIN, 404, 404, 200, 404, 200, 404, 404, 404, 404, 404, 404)

EXPECTED = {
    "mine": ("get", OWN_PAGE),
    "mine_pdf": ("get", OWN_PAGE),
    "share": ("post", SHARE),
    "withdraw": ("post", OWNER_ONLY_POST),
    "shared_list": ("get", PRINCIPALS),
    "shared": ("get", OWNER_AND_PRINCIPAL),
    "shared_pdf": ("get", OWNER_AND_PRINCIPAL),
}
PATTERNS = patterns_of("evidence")


def test_every_url_has_a_row():
    assert set(PATTERNS) == set(EXPECTED)


def url_for(name, share):
    if "uid" in PATTERNS[name].pattern.converters:
        return reverse(f"evidence:{name}", args=[share.uid])
    return reverse(f"evidence:{name}")


@pytest.mark.parametrize(
    ("name", "persona"), [pytest.param(n, p, id=f"{n}-{p}") for n in sorted(EXPECTED) for p in PERSONAS]
)
def test_access(name, persona, member, login, request):
    share = PortfolioShare.objects.create(owner=member, start="2026-01-01", end="2026-06-30")
    method, statuses = EXPECTED[name]
    url = url_for(name, share)
    data = {"dari": "2026-01-01", "sampai": "2026-03-31"} if name == "share" else None
    response = call(login(request.getfixturevalue(persona)), method, url, data)
    assert_outcome(response, statuses[persona], url)


@pytest.mark.parametrize("name", ["share", "withdraw"])
def test_get_on_post_only_view_is_405(name, member, login):
    share = PortfolioShare.objects.create(owner=member, start="2026-01-01", end="2026-06-30")
    assert login(member).get(url_for(name, share)).status_code == 405
