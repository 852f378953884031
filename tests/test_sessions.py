"""Sessions read together with their person (kompra/accounts/sessions.py): one statement
per signed-in request, and every check Django makes on a session still made."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session as OldSession
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.module_loading import import_string

from kompra.accounts.models import Session, User
from kompra.accounts.sessions import SessionStore
from tests.factories import PASSWORD, UserFactory
from tests.migrations import apps_before, migrate_to_latest

pytestmark = pytest.mark.django_db

PAGE = "/profil/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def signed_in(person):
    client = Client()
    response = client.post("/akun/login/", {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


def session_row(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def sees(client, page=PAGE):
    response = client.get(page)
    return response.status_code, response.wsgi_request.user


def test_signing_in_through_the_form_keeps_the_person_beside_the_session(teacher):
    client = signed_in(teacher)
    row = session_row(client)
    assert row.user_id == teacher.pk
    assert row.get_decoded()[BACKEND_SESSION_KEY] in settings.AUTHENTICATION_BACKENDS
    assert sees(client) == (200, teacher)


def test_a_signed_in_request_reads_session_and_person_in_one_statement(teacher):
    client = signed_in(teacher)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as captured:
        status, user = sees(client)
        assert user.is_authenticated  # evaluated inside, as a page would
    assert (status, user) == (200, teacher)
    reads = [q["sql"] for q in captured.captured_queries if "accounts_user" in q["sql"]]
    assert len(reads) == 1, reads
    assert "accounts_session" in reads[0]


def test_signing_out_removes_the_session(teacher):
    client = signed_in(teacher)
    key = client.cookies["sessionid"].value
    client.post("/akun/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    status, user = sees(client)
    assert status == 302 and not user.is_authenticated


def test_a_changed_password_signs_other_sessions_out(teacher):
    client = signed_in(teacher)
    teacher.set_password("kata-sandi-baru-456")
    teacher.save()
    status, user = sees(client)
    assert status == 302 and not user.is_authenticated
    assert not Session.objects.filter(user=teacher).exists()


def test_a_deactivated_account_is_signed_out(teacher):
    client = signed_in(teacher)
    User.objects.filter(pk=teacher.pk).update(is_active=False)
    status, user = sees(client)
    assert status == 302 and not user.is_authenticated


def test_a_removed_person_takes_their_sessions_along(teacher):
    client = signed_in(teacher)
    key = client.cookies["sessionid"].value
    teacher.delete()
    assert not Session.objects.filter(session_key=key).exists()
    assert not sees(client)[1].is_authenticated


def test_an_expired_session_signs_nobody_in(teacher):
    client = signed_in(teacher)
    Session.objects.filter(user=teacher).update(expire_date=timezone.now() - timedelta(seconds=1))
    status, user = sees(client)
    assert status == 302 and not user.is_authenticated


def test_the_person_column_never_decides_who_is_signed_in(teacher):
    """The session's own signed data names the person; a row whose column says someone
    else (written by hand, say) still signs in only the person the data names."""
    other = UserFactory(school=teacher.school)
    client = signed_in(teacher)
    Session.objects.filter(user=teacher).update(user=other)
    assert sees(client) == (200, teacher)
    # and a session row that names a person only in its column signs nobody in
    store = SessionStore()
    store["note"] = "no sign-in"
    store.create()
    Session.objects.filter(session_key=store.session_key).update(user=other)
    stranger = Client()
    stranger.cookies["sessionid"] = store.session_key
    assert not sees(stranger)[1].is_authenticated


def test_an_unknown_or_malformed_session_key_signs_nobody_in(teacher):
    for key in ["x" * 32, "short", "'; DROP TABLE accounts_session; --" + "a" * 10]:
        client = Client()
        client.cookies["sessionid"] = key
        status, user = sees(client)
        assert status == 302 and not user.is_authenticated
    assert Session.objects.count() == 0


def test_a_session_that_signs_in_again_as_someone_else_moves_to_them(teacher):
    other = UserFactory(school=teacher.school)
    client = signed_in(teacher)
    client.force_login(other)
    assert sees(client) == (200, other)
    assert session_row(client).user_id == other.pk


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_people_signed_in():
    apps = apps_before("accounts", "0007_carry_over_sessions")
    HistoricalUser = apps.get_model("accounts", "User")
    person = HistoricalUser.objects.create(email="guru@sekolah.sch.id", full_name="Sri Wahyuni")
    future = timezone.now() + timedelta(days=3)
    old_store = SessionStore()
    rows = {
        "signed": {
            SESSION_KEY: str(person.pk),
            BACKEND_SESSION_KEY: "allauth.account.auth_backends.AuthenticationBackend",
            HASH_SESSION_KEY: "abc",
        },
        "anonymous": {"django_language": "id"},
        "gone": {SESSION_KEY: "999999", BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend"},
    }
    for key, data in rows.items():
        OldSession.objects.create(session_key=f"{key:x<32}", session_data=old_store.encode(data), expire_date=future)
    OldSession.objects.create(
        session_key=f"{'expired':x<32}",
        session_data=old_store.encode(rows["anonymous"]),
        expire_date=timezone.now() - timedelta(days=1),
    )
    OldSession.objects.create(session_key=f"{'garbled':x<32}", session_data="not a session", expire_date=future)
    migrate_to_latest()
    carried = {row.session_key.rstrip("x"): row for row in Session.objects.all()}
    assert set(carried) == {"signed", "anonymous"}
    signed = carried["signed"]
    assert signed.user_id == person.pk
    assert signed.expire_date == future
    data = signed.get_decoded()
    assert data[BACKEND_SESSION_KEY] == "kompra.accounts.backends.AuthenticationBackend"
    assert data[SESSION_KEY] == str(person.pk) and data[HASH_SESSION_KEY] == "abc"
    assert carried["anonymous"].user_id is None
    assert carried["anonymous"].get_decoded() == {"django_language": "id"}


@pytest.mark.parametrize("path", settings.AUTHENTICATION_BACKENDS)
def test_outside_a_request_the_backends_read_the_person_themselves(path, teacher):
    backend = import_string(path)()
    assert backend.get_user(teacher.pk) == teacher
    assert backend.get_user(str(teacher.pk)) == teacher
    assert backend.get_user(987654) is None
    assert backend.get_user("not a number") is None
    User.objects.filter(pk=teacher.pk).update(is_active=False)
    assert backend.get_user(teacher.pk) is None
