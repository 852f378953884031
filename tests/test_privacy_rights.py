"""Personal data rights (UU 27/2022): the privacy notice, correcting one's data, and
deleting one's account (closed at once, erased after a grace period)."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from activities.models import Reflection
from communities.models import Membership
from kompra.accounts.models import User
from privacy_rights.erasure import ERASED_NAME
from privacy_rights.models import DeletionRequest
from tests.factories import PASSWORD, ActivityFactory, ReflectionFactory

pytestmark = pytest.mark.django_db


# 1. The privacy notice


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_notice_names_the_operator_and_every_right(client, settings, language):
    settings.KOMPRA_OPERATOR_NAME = "Dinas Pendidikan Contoh"
    settings.KOMPRA_OPERATOR_CONTACT = "privasi@contoh.go.id"
    settings.KOMPRA_DELETION_GRACE_DAYS = 21
    response = client.get(reverse("privacy:notice"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dinas Pendidikan Contoh" in html
    assert "privasi@contoh.go.id" in html
    assert "21" in html
    assert "UU No. 27 Tahun 2022" in html
    if language == "id":
        for words in ("Kebijakan privasi", "Yang disimpan", "Siapa yang melihatnya", "Berapa lama", "Mantan anggota"):
            assert words in html, words
    else:
        for words in ("Privacy notice", "What is kept", "Who sees it", "How long", "To delete"):
            assert words in html, words


def test_every_page_links_the_notice_in_its_footer(client, login, member):
    notice = reverse("privacy:notice")
    pages = (
        client.get(reverse("account_login")),
        login(member).get(reverse("dashboard")),
        client.get(reverse("publishing:showcase")),  # the public pages' own layout
    )
    for response in pages:
        footer = response.content.decode().split("<footer", 1)[1]
        assert f'href="{notice}"' in footer


def test_signup_and_invitation_pages_link_the_notice(client, settings, community, coordinator):
    from communities.models import Invitation

    settings.KOMPRA_OPEN_SIGNUP = True
    notice = f'href="{reverse("privacy:notice")}"'
    signup = client.get(reverse("account_signup")).content.decode().split("<footer", 1)[0]
    assert notice in signup
    invitation = Invitation.objects.create(
        community=community, email="baru@smpn1.sch.id", school=community.home_school, invited_by=coordinator
    )
    page = client.get(invitation.get_absolute_url()).content.decode().split("<footer", 1)[0]
    assert notice in page


# 2. Correcting one's data


def test_the_owner_corrects_every_personal_field_on_the_profile(login, member):
    response = login(member).post(
        reverse("profile"),
        {"full_name": "Ani Rahmawati, S.Pd.", "short_name": "Bu Ani", "language": "en", "time_zone": "Asia/Makassar"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.full_name, member.short_name, member.language, member.time_zone) == (
        "Ani Rahmawati, S.Pd.",
        "Bu Ani",
        "en",
        "Asia/Makassar",
    )


def test_every_personal_field_is_on_the_profile_or_changed_by_confirmed_email():
    from kompra.accounts.forms import ProfileForm

    assert set(User.PERSONAL_FIELDS) - {User.EMAIL_FIELD} <= set(ProfileForm.Meta.fields)


def test_a_new_email_address_counts_only_once_confirmed_from_it(login, member):
    EmailAddress.objects.update_or_create(user=member, email=member.email, defaults={"verified": True, "primary": True})
    client = login(member)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "ani.baru@contoh.sch.id"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "ani@smpn1.sch.id"  # the old address stays until confirmed
    (message,) = mail.outbox
    assert message.to == ["ani.baru@contoh.sch.id"]
    link = re.search(r"https?://\S+/akun/confirm-email/\S+/", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    # A forged key changes nothing.
    assert client.post("/" + path[:-5] + "xxxx/").status_code in (302, 404)
    member.refresh_from_db()
    assert member.email == "ani@smpn1.sch.id"

    client.post("/" + path)
    member.refresh_from_db()
    assert member.email == "ani.baru@contoh.sch.id"
    assert list(EmailAddress.objects.filter(user=member).values_list("email", flat=True)) == ["ani.baru@contoh.sch.id"]


def test_an_expired_confirmation_link_changes_nothing(login, member, settings):
    EmailAddress.objects.update_or_create(user=member, email=member.email, defaults={"verified": True, "primary": True})
    client = login(member)
    client.post(reverse("account_email"), {"action_add": "", "email": "ani.baru@contoh.sch.id"})
    link = re.search(r"https?://\S+/akun/confirm-email/\S+/", mail.outbox[0].body).group(0)
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = -1
    client.post("/" + link.split("://", 1)[1].split("/", 1)[1])
    member.refresh_from_db()
    assert member.email == "ani@smpn1.sch.id"


# 3. Deleting one's account


def test_deleting_closes_the_account_at_once_and_signs_out(login, member):
    client = login(member)
    response = client.post(reverse("privacy:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:deletion_scheduled")
    member.refresh_from_db()
    assert not member.is_active
    request = DeletionRequest.objects.get(user=member)
    assert request.state == DeletionRequest.State.PENDING
    assert timedelta(days=13, hours=23) < request.erase_after - timezone.now() <= timedelta(days=14)
    # Signed out: the next page asks to log in.
    assert client.get(reverse("dashboard")).status_code == 302
    page = client.get(reverse("privacy:deletion_scheduled")).content.decode()
    assert "14" in page and reverse("account_login") in page


def test_a_wrong_password_changes_nothing(login, member):
    response = login(member).post(reverse("privacy:delete"), {"password": "salah-sandi"})
    assert response.status_code == 200
    assert "Kata sandi itu tidak benar" in response.content.decode()
    member.refresh_from_db()
    assert member.is_active
    assert not DeletionRequest.objects.exists()


def test_a_second_request_while_one_is_pending_changes_nothing(login, member):
    first = DeletionRequest.objects.create(user=member)
    response = login(member).post(reverse("privacy:delete"), {"password": PASSWORD})
    assert response.status_code == 200
    assert "sudah meminta agar akun Anda dihapus" in response.content.decode()
    assert list(DeletionRequest.objects.all()) == [first]
    member.refresh_from_db()
    assert member.is_active


def test_the_last_coordinator_must_hand_over_first(login, coordinator, community, member):
    client = login(coordinator)
    page = client.get(reverse("privacy:delete")).content.decode()
    assert "Anda satu-satunya koordinator" in page and community.name in page
    response = client.post(reverse("privacy:delete"), {"password": PASSWORD})
    assert response.status_code == 200
    assert "Jadikan anggota lain koordinator, atau arsipkan komunitasnya" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.is_active and not DeletionRequest.objects.exists()

    # With a second coordinator (or the community archived) they may go.
    Membership.objects.filter(user=member).update(role=Membership.Role.COORDINATOR)
    assert client.post(reverse("privacy:delete"), {"password": PASSWORD}).status_code == 302


def test_an_archived_community_does_not_hold_its_coordinator(login, coordinator, community):
    community.archived = True
    community.save(update_fields=["archived"])
    assert login(coordinator).post(reverse("privacy:delete"), {"password": PASSWORD}).status_code == 302


def test_signing_in_again_within_the_grace_period_cancels_the_deletion(client, member):
    login(member_client := client, member)
    member_client.post(reverse("privacy:delete"), {"password": PASSWORD})
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "Akun Anda tidak jadi dihapus" in response.content.decode()
    member.refresh_from_db()
    assert member.is_active
    request = DeletionRequest.objects.get(user=member)
    assert request.state == DeletionRequest.State.CANCELLED and request.cancelled_at
    # Nothing left to erase.
    call_command("privacy_erase", now=(timezone.now() + timedelta(days=30)).isoformat())
    member.refresh_from_db()
    assert member.full_name == "Ani Anggota"


def test_a_wrong_password_does_not_cancel_it(client, member):
    login(client, member)
    client.post(reverse("privacy:delete"), {"password": PASSWORD})
    client.post(reverse("account_login"), {"login": member.email, "password": "salah-sandi"})
    assert DeletionRequest.objects.get(user=member).state == DeletionRequest.State.PENDING


def login(client, user):
    client.force_login(user)
    return client


def test_erasure_waits_for_the_grace_period_then_anonymises(member, coordinator, community, settings):
    from privacy_rights.services import deletion_request

    activity = ActivityFactory(community=community, proposed_by=coordinator)
    shared = ReflectionFactory(community=community, author=member, activity=activity, in_reports=True)
    private = ReflectionFactory(
        community=community, author=member, activity=ActivityFactory(community=community, proposed_by=coordinator)
    )
    request = deletion_request(user=member, password=PASSWORD)

    call_command("privacy_erase", now=(request.erase_after - timedelta(minutes=1)).isoformat())
    member.refresh_from_db()
    assert member.full_name == "Ani Anggota"

    call_command("privacy_erase", now=(request.erase_after + timedelta(minutes=1)).isoformat())
    member.refresh_from_db()
    assert member.full_name == ERASED_NAME
    assert member.email.endswith("@anonim.invalid")
    assert not member.has_usable_password() and not member.is_active
    assert Reflection.objects.filter(pk=shared.pk).exists()
    assert not Reflection.objects.filter(pk=private.pk).exists()
    assert Membership.objects.get(user=member).status == Membership.Status.LEFT
    request.refresh_from_db()
    assert request.state == DeletionRequest.State.ERASED and request.erased_at


def test_the_tick_starts_the_erasures_that_are_due(member, run_tasks):
    from notices.tick import tick
    from privacy_rights.services import deletion_request

    request = deletion_request(user=member, password=PASSWORD)
    tick()
    run_tasks()
    member.refresh_from_db()
    assert member.full_name == "Ani Anggota"

    DeletionRequest.objects.filter(pk=request.pk).update(erase_after=timezone.now() - timedelta(minutes=1))
    tick()
    run_tasks()
    member.refresh_from_db()
    assert member.full_name == ERASED_NAME


def test_no_personal_text_in_the_logs(login, member, caplog, run_tasks):
    import logging

    caplog.set_level(logging.DEBUG)
    client = login(member)
    client.post(reverse("privacy:exports"))
    run_tasks()
    client.post(reverse("privacy:delete"), {"password": PASSWORD})
    call_command("privacy_erase", now=(timezone.now() + timedelta(days=15)).isoformat())
    messages = [record.getMessage() for record in caplog.records if record.name.startswith("privacy_rights")]
    assert len(messages) >= 4
    for text in messages:
        assert "Ani" not in text and "@" not in text, text


def test_guessing_the_password_is_limited_like_logins(login, member):
    client = login(member)
    for _ in range(5):
        client.post(reverse("privacy:delete"), {"password": "salah-sandi"})
    response = client.post(reverse("privacy:delete"), {"password": PASSWORD})
    assert response.status_code == 200
    assert "Terlalu banyak" in response.content.decode()
    member.refresh_from_db()
    assert member.is_active and not DeletionRequest.objects.exists()
