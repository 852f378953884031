"""Uploads that survive a dropped connection: a retry or a double submit never stores a
second copy, and the enhanced form gets answers it can show without leaving the page."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Document
from tests.factories import ActivityFactory, ProductFactory, jpeg_bytes

pytestmark = pytest.mark.django_db

JSON = {"accept": "application/json"}


def photo(color=(90, 140, 60), name="kelas.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes((60, 40), color), content_type="image/jpeg")


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.fixture(autouse=True)
def _member_reads_english(member):
    member.language = "en"
    member.save(update_fields=["language"])


@pytest.fixture
def activity(community, coordinator):
    return ActivityFactory(community=community, proposed_by=coordinator)


def upload_url(activity):
    return reverse("activities:upload", args=[activity.community.slug, activity.uid])


def test_sending_the_same_photo_again_keeps_one_copy(activity, member, login):
    first = login(member).post(upload_url(activity), {"files": [photo()]})
    again = login(member).post(upload_url(activity), {"files": [photo(name="IMG_0001.jpg")]})
    assert activity.documents.count() == 1
    assert ("success", "1 file(s) uploaded.") in messages_of(first)
    assert messages_of(again) == [("info", "1 file(s) had already been uploaded; no second copy was kept.")]
    assert again.status_code == 302


def test_a_retry_with_one_new_photo_adds_only_that_one(activity, member, login):
    login(member).post(upload_url(activity), {"files": [photo()]})
    response = login(member).post(upload_url(activity), {"files": [photo(), photo((10, 20, 30), "baru.jpg")]})
    assert activity.documents.count() == 2
    assert ("success", "1 file(s) uploaded.") in messages_of(response)
    assert ("info", "1 file(s) had already been uploaded; no second copy was kept.") in messages_of(response)


def test_the_same_photo_twice_in_one_upload_is_stored_once(activity, member, login):
    login(member).post(upload_url(activity), {"files": [photo(), photo(name="salinan.jpg")]})
    assert activity.documents.count() == 1


def test_the_same_photo_may_document_another_activity_and_a_product(activity, community, member, login):
    client = login(member)
    other = ActivityFactory(community=community)
    product = ProductFactory(community=community, created_by=member)
    client.post(upload_url(activity), {"files": [photo()]})
    client.post(upload_url(other), {"files": [photo()]})
    client.post(reverse("activities:product_upload", args=[community.slug, product.uid]), {"files": [photo()]})
    client.post(reverse("activities:product_upload", args=[community.slug, product.uid]), {"files": [photo()]})
    assert Document.objects.count() == 3


def test_the_enhanced_form_gets_json_and_the_messages_wait_for_the_next_page(activity, member, login):
    client = login(member)
    response = client.post(upload_url(activity), {"files": [photo()]}, headers=JSON)
    assert response.status_code == 200
    assert response.json() == {"redirect": activity.get_absolute_url(), "added": 1, "already": 0}
    page = client.get(activity.get_absolute_url())
    assert "1 file(s) uploaded." in page.content.decode()


def test_a_refusal_answers_json_and_leaves_no_message_for_later(activity, member, login):
    client = login(member)
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    response = client.post(upload_url(activity), {"files": [bad]}, headers=JSON)
    assert response.status_code == 400
    assert "This kind of file is not accepted" in response.json()["error"]
    assert messages_of(response) == []
    assert not activity.documents.exists()


def test_json_refusal_of_an_empty_form(activity, member, login):
    response = login(member).post(upload_url(activity), {}, headers=JSON)
    assert response.status_code == 400
    assert response.json()["error"]
