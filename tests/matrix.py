"""What every access-matrix test shares: the personas, the expected outcomes, the URL
names of a namespace read from the resolver, and how a response is judged."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import URLResolver, get_resolver, reverse

PERSONAS = (
    "anonymous",
    "other_teacher",
    "teacher",
    "member",
    "coordinator",
    "principal",
    "other_principal",
    "staff",
    # Supervisors: a pengawas assigned the community's school, the dinas pendidikan of its
    # district, the dinas of another district, and a pengawas of other schools.
    "pengawas",
    "dinas",
    "other_dinas",
    "other_pengawas",
)

# Expected outcomes: HTTP statuses, or one of these redirects.
LOGIN = "login"  # 302 to /akun/login/?next=<the page>
REFUSED = "refused"  # 302 back with an error message: allowed to ask, the rules say no
OK = "ok"  # 302 after a successful POST, without an error message


def row(*statuses):
    """One expected outcome per persona, in PERSONAS order: anonymous, other_teacher,
    teacher, member, coordinator, principal, other_principal, staff, then the supervisors
    pengawas, dinas, other_dinas, other_pengawas."""
    return dict(zip(PERSONAS, statuses, strict=True))


def patterns_of(namespace):
    """{url name: pattern} of a URL namespace, read from the resolver."""
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == namespace:
            return {pattern.name: pattern for pattern in entry.url_patterns}
    raise AssertionError(f'No URL namespace "{namespace}" is included.')


def call(client, method, url, data=None):
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    if response.streaming:  # files: read them, so they are closed
        b"".join(response.streaming_content)
    return response


def error_messages(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def assert_outcome(response, expected, url):
    if expected == LOGIN:
        assert response.status_code == 302
        location = urlsplit(response["Location"])
        assert location.path == reverse("account_login") == "/akun/login/"
        assert parse_qs(location.query)["next"] == [url]
    elif expected == REFUSED:
        assert response.status_code == 302
        assert not response["Location"].startswith(reverse("account_login"))
        assert error_messages(response), "a refusal must say why"
    elif expected == OK:
        assert response.status_code == 302, response.status_code
        assert not response["Location"].startswith(reverse("account_login"))
        assert error_messages(response) == []
    else:
        assert response.status_code == expected, response.status_code


# Visibility and private content: the three settings every matrix walks, who opens a
# community's pages at each, and who sees what stays inside the community whatever the
# setting (photos of students without the parents' consent, reflections their authors
# kept out of reports, one member's record).
VISIBILITIES = ("members", "school", "public")
SEES_COMMUNITY = {
    "members": row(LOGIN, 404, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404),
    "school": row(LOGIN, 404, 200, 200, 200, 200, 404, 200, 404, 404, 404, 404),
    # Supervisors, like everyone signed in, open a public community's pages.
    "public": row(LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
}
# The community's active members only; site staff read these in the Django admin.
SEES_PRIVATE = row(LOGIN, 404, 404, 200, 200, 404, 404, 404, 404, 404, 404, 404)


def visibility_cases(names, personas=PERSONAS):
    return [
        pytest.param(visibility, name, persona, id=f"{visibility}-{name}-{persona}")
        for visibility in VISIBILITIES
        for name in names
        for persona in personas
    ]
