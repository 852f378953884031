"""The access matrix of the "search" namespace: every URL, every persona. Each persona's
results are walked link by link in test_search.py."""

import pytest
from django.urls import reverse

from tests.matrix import LOGIN, PERSONAS, assert_outcome, call, patterns_of, row

pytestmark = pytest.mark.django_db

# Columns: anonymous, other_teacher, teacher, member, coordinator, principal, other_principal, staff,
# pengawas, dinas, other_dinas, other_pengawas. Everyone signed in searches what they may open.
EXPECTED = {
    "results": ("get", row(LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
}
PATTERNS = patterns_of("search")


def test_every_url_has_a_row():
    assert set(PATTERNS) == set(EXPECTED)


@pytest.mark.parametrize(("name", "persona"), [pytest.param(n, p, id=f"{n}-{p}") for n in EXPECTED for p in PERSONAS])
def test_matrix(name, persona, community, coordinator, member, login, request):
    method, expected = EXPECTED[name]
    url = reverse(f"search:{name}")
    response = call(login(request.getfixturevalue(persona)), method, url)
    assert_outcome(response, expected[persona], url)
