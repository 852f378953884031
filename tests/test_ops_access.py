"""The access matrix of the "ops" namespace. The health check is for load balancers and
monitors, which never sign in: everybody gets the same answer, which holds no secrets.
A new URL without a row fails `test_every_url_has_a_row`."""

import pytest
from django.urls import reverse

from kompra.ops.heartbeat import WORKER, heartbeat_beat
from tests.matrix import PERSONAS, assert_outcome, call, patterns_of, row

pytestmark = pytest.mark.django_db

# Columns: anonymous, other_teacher, teacher, member, coordinator, principal, other_principal, staff,
# pengawas, dinas, other_dinas, other_pengawas.
EXPECTED = {
    "health": ("get", row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
}
PATTERNS = patterns_of("ops")


def test_every_url_has_a_row():
    assert set(PATTERNS) == set(EXPECTED)


@pytest.mark.parametrize(("name", "persona"), [(name, persona) for name in EXPECTED for persona in PERSONAS])
def test_matrix(
    name,
    persona,
    community,
    coordinator,
    member,
    principal,
    teacher,
    other_teacher,
    other_principal,
    staff,
    login,
    request,
):
    heartbeat_beat(name=WORKER)  # a worker is running
    method, expected = EXPECTED[name]
    url = reverse(f"ops:{name}")
    response = call(login(request.getfixturevalue(persona)), method, url)
    assert_outcome(response, expected[persona], url)
    assert response.json()["status"] == "ok"
