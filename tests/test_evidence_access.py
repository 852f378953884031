"""Access matrix of the `evidence` namespace, every URL for every persona: the personal
portfolio (it belongs to `member`, who shared one period) and the certificates of
participation (of `member` in `community`, whose home school `principal` leads)."""

import pytest
from django.urls import reverse

from evidence import certificates
from evidence.models import Certificate, PortfolioShare
from tests.matrix import LOGIN, OK, PERSONAS, REFUSED, assert_outcome, call, patterns_of, row

pytestmark = pytest.mark.django_db

OWN_PAGE = row(LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
# Sharing needs a school, hence a principal: site staff and supervisors have none.
SHARE = row(LOGIN, OK, OK, OK, OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED)
OWNER_ONLY_POST = row(LOGIN, 404, 404, OK, 404, 404, 404, 404, 404, 404, 404, 404)
PRINCIPALS = row(LOGIN, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404, 404)
OWNER_AND_PRINCIPAL = row(LOGIN, 404, 404, 200, 404, 200, 404, 404, 404, 404, 404, 404)
MANAGE_GET = row(LOGIN, 404, 403, 403, 200, 403, 404, 403, 404, 404, 404, 404)
MANAGE_POST = row(LOGIN, 404, 403, 403, OK, 403, 404, 403, 404, 404, 404, 404)
HOME_PRINCIPAL_POST = row(LOGIN, 404, 404, 404, 404, OK, 404, 404, 404, 404, 404, 404)
# Revoking a certificate still waiting for approval: the principal is told why not.
HOME_PRINCIPAL_REVOKE = row(LOGIN, 404, 404, 404, 404, REFUSED, 404, 404, 404, 404, 404, 404)
# It prints the holder's NIP: the holder and the principal only, not the coordinators.
HOLDER_AND_PRINCIPAL = row(LOGIN, 404, 404, 200, 404, 200, 404, 404, 404, 404, 404, 404)
PUBLIC = row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)

EXPECTED = {
    "mine": ("get", OWN_PAGE),
    "mine_pdf": ("get", OWN_PAGE),
    "share": ("post", SHARE),
    "withdraw": ("post", OWNER_ONLY_POST),
    "shared_list": ("get", PRINCIPALS),
    "shared": ("get", OWNER_AND_PRINCIPAL),
    "shared_pdf": ("get", OWNER_AND_PRINCIPAL),
    "certificates": ("get", MANAGE_GET),
    "approvals": ("get", PRINCIPALS),
    "approve": ("post", HOME_PRINCIPAL_POST),
    "decline": ("post", HOME_PRINCIPAL_POST),
    "revoke": ("post", HOME_PRINCIPAL_REVOKE),
    "certificate_pdf": ("get", HOLDER_AND_PRINCIPAL),
    "verify": ("get", PUBLIC),
}
POST_EXPECTED = {"certificates": MANAGE_POST}
CERTIFICATE_URLS = {"approve", "decline", "revoke", "certificate_pdf"}
PATTERNS = patterns_of("evidence")


def test_every_url_has_a_row():
    assert set(PATTERNS) == set(EXPECTED)


def build_world(member, coordinator, community, *, approved_by=None):
    """The member's shared portfolio and a certificate asked for them (approved when
    `approved_by` is given); the page sweep (tests/browser/test_every_page.py) uses it too."""
    share = PortfolioShare.objects.create(owner=member, start="2026-01-01", end="2026-06-30")
    certificate = Certificate.objects.create(
        community=community, holder=member, start="2026-01-01", end="2026-06-30", requested_by=coordinator
    )
    if approved_by is not None:
        certificate = certificates.certificate_approve(certificate=certificate, by=approved_by)
    return {"share": share, "certificate": certificate, "community": community}


@pytest.fixture
def objects(member, coordinator, community):
    return build_world(member, coordinator, community)


def url_for(name, objects):
    if name in CERTIFICATE_URLS:
        return reverse(f"evidence:{name}", args=[objects["certificate"].uid])
    if name == "verify":
        return reverse("evidence:verify", args=[objects["certificate"].code])
    if name == "certificates":
        return reverse("evidence:certificates", args=[objects["community"].slug])
    if "uid" in PATTERNS[name].pattern.converters:
        return reverse(f"evidence:{name}", args=[objects["share"].uid])
    return reverse(f"evidence:{name}")


def post_data(name, member):
    if name == "share":
        return {"dari": "2026-01-01", "sampai": "2026-03-31"}
    if name == "certificates":
        return {"holder": member.pk, "start": "2026-02-01", "end": "2026-03-31"}
    return None


@pytest.mark.parametrize(
    ("name", "persona"), [pytest.param(n, p, id=f"{n}-{p}") for n in sorted(EXPECTED) for p in PERSONAS]
)
def test_access(name, persona, objects, member, principal, login, request):
    if name in ("certificate_pdf", "verify"):
        certificates.certificate_approve(certificate=objects["certificate"], by=principal)
    method, statuses = EXPECTED[name]
    url = url_for(name, objects)
    response = call(login(request.getfixturevalue(persona)), method, url, post_data(name, member))
    assert_outcome(response, statuses[persona], url)


@pytest.mark.parametrize(
    ("name", "persona"), [pytest.param(n, p, id=f"{n}-{p}") for n in sorted(POST_EXPECTED) for p in PERSONAS]
)
def test_form_submissions(name, persona, objects, member, login, request):
    url = url_for(name, objects)
    response = call(login(request.getfixturevalue(persona)), "post", url, post_data(name, member))
    assert_outcome(response, POST_EXPECTED[name][persona], url)


@pytest.mark.parametrize("name", ["share", "withdraw", "approve", "decline", "revoke"])
def test_get_on_post_only_view_is_405(name, objects, member, principal, login):
    person = principal if name in CERTIFICATE_URLS else member
    assert login(person).get(url_for(name, objects)).status_code == 405
