"""Photos showing students: consent logged when given, withdrawn by a coordinator (the
photo leaves every publication at once, its file goes, the record stays), purged when
old; such files are never kept by a cache."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse
from django.utils import timezone

from activities.models import Document
from privacy_rights.models import DeletionRequest, ExportRequest, PhotoConsentEvent
from tests.factories import DocumentFactory, PublicationFactory, held_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(community, coordinator, member):
    activity = held_activity(community, proposed_by=coordinator)
    photo = DocumentFactory(activity=activity, shows_students=True, consent_confirmed=True, uploaded_by=member)
    publication = PublicationFactory(community=community, activity=activity, published_by=coordinator, photos=[photo])
    photo.publication = publication
    return photo


def public_url(photo, name="publishing:photo"):
    return reverse(name, args=[photo.publication.uid, photo.uid])


def test_consent_given_at_upload_is_logged(photo, member):
    event = PhotoConsentEvent.objects.get(photo_uid=photo.uid)
    assert (event.kind, event.by, event.community_id) == (PhotoConsentEvent.Kind.GIVEN, member, photo.community_id)


def test_photos_of_students_are_never_cached(client, login, photo, member):
    for url in (public_url(photo), public_url(photo, "publishing:thumbnail")):
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content)
        assert response["Cache-Control"] == "private, no-store"
    response = login(member).get(photo.get_absolute_url())
    b"".join(response.streaming_content)
    assert response["Cache-Control"] == "private, no-store"


def test_withdrawing_consent_takes_the_photo_out_everywhere_and_keeps_the_record(client, login, photo, coordinator):
    storage, names = photo.file.storage, [photo.file.name, photo.thumbnail.name]
    publication_page = photo.publication.get_absolute_url()
    assert str(photo.uid) in client.get(publication_page).content.decode()

    coordinator_client = login(coordinator)
    page = coordinator_client.get(reverse("privacy:student_photos", args=[photo.community.slug])).content.decode()
    assert str(photo.uid) in page
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda f, *a, **k: f())
        response = coordinator_client.post(reverse("privacy:photo_withdraw", args=[photo.community.slug, photo.uid]))
    assert response.status_code == 302

    assert not Document.objects.filter(pk=photo.pk).exists()
    assert not any(storage.exists(name) for name in names)
    for url in (public_url(photo), public_url(photo, "publishing:thumbnail")):
        gone = client.get(url)
        assert gone.status_code == 410
        assert gone["Cache-Control"] == "no-store"
        assert "tidak lagi dipublikasikan" in gone.content.decode()
    # A photo that never existed stays a plain 404.
    assert client.get(reverse("publishing:photo", args=[photo.publication.uid, uuid.uuid4()])).status_code == 404
    assert str(photo.uid) not in client.get(publication_page).content.decode()
    assert coordinator_client.get(photo.get_absolute_url()).status_code == 404
    event = PhotoConsentEvent.objects.get(photo_uid=photo.uid, kind=PhotoConsentEvent.Kind.WITHDRAWN)
    assert event.by == coordinator and event.at


def test_a_member_cannot_withdraw(login, member, photo):
    response = login(member).post(reverse("privacy:photo_withdraw", args=[photo.community.slug, photo.uid]))
    assert response.status_code == 403
    assert Document.objects.filter(pk=photo.pk).exists()


def test_purging_old_student_photos_asks_first(login, coordinator, photo, community, member):
    old = DocumentFactory(
        activity=photo.activity,
        shows_students=True,
        uploaded_by=member,
        created_at=timezone.now() - timedelta(days=400),
    )
    plain_old = DocumentFactory(
        activity=photo.activity, uploaded_by=member, created_at=timezone.now() - timedelta(days=400)
    )
    client = login(coordinator)
    url = reverse("privacy:student_photos_purge", args=[community.slug])

    response = client.post(url, {"days": "365"})
    assert response.status_code == 200
    assert "1" in response.content.decode()
    assert Document.objects.filter(pk=old.pk).exists()  # nothing before the confirmation

    response = client.post(url, {"days": "365", "confirm": "True"})
    assert response.status_code == 302
    assert not Document.objects.filter(pk=old.pk).exists()
    assert Document.objects.filter(pk__in=[photo.pk, plain_old.pk]).count() == 2
    assert PhotoConsentEvent.objects.get(photo_uid=old.uid).kind == PhotoConsentEvent.Kind.PURGED

    # A period that is not offered: nothing deleted, a clear message.
    response = client.post(url, {"days": "1", "confirm": "True"})
    assert response.status_code == 302
    assert Document.objects.filter(pk=photo.pk).exists()


def test_the_admin_lists_requests_and_the_consent_log_without_contents(login, staff, member, photo):
    DeletionRequest.objects.create(user=member)
    ExportRequest.objects.create(user=member, state=ExportRequest.State.READY)
    client = login(staff)
    for model in (DeletionRequest, ExportRequest, PhotoConsentEvent):
        assert model in site._registry
        url = reverse(f"admin:privacy_rights_{model._meta.model_name}_changelist")
        html = client.get(url).content.decode()
        assert member.full_name not in html and member.email not in html
    export = ExportRequest.objects.get()
    html = client.get(reverse("admin:privacy_rights_exportrequest_change", args=[export.pk])).content.decode()
    assert "export_download" not in html and "data.zip" not in html
    assert client.post(reverse("admin:privacy_rights_deletionrequest_add")).status_code == 403


def test_the_photos_page_takes_a_fixed_number_of_queries(
    login, coordinator, photo, member, django_assert_max_num_queries
):
    client = login(coordinator)
    url = reverse("privacy:student_photos", args=[photo.community.slug])
    client.get(url)
    for _ in range(6):
        DocumentFactory(activity=photo.activity, shows_students=True, consent_confirmed=True, uploaded_by=member)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.content.decode().count("tarik-izin/") == 7
