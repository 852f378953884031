"""Publishing through its pages: a held activity with photos (and the parents' consent),
a product, a member's reflection (and its author's agreement), withdrawing. Every bad
input gets a clear message, or a 404, and leaves nothing public."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from activities.models import Activity, Document
from activities.services import document_add_many
from communities.models import Community
from publishing.models import Publication
from tests.conftest import client_for
from tests.factories import (
    ActivityFactory,
    CommunityFactory,
    DocumentFactory,
    MembershipFactory,
    ProductFactory,
    PublicationFactory,
    ReflectionFactory,
    UserFactory,
    held_activity,
    jpeg_bytes,
)

pytestmark = pytest.mark.django_db

FORM = {"title": "Membaca berpasangan di kelas 2", "summary": "Siswa saling membacakan cerita; lebih berani."}
LEFT_OUT = "1 photo(s) of students were left out because the parents' consent is not confirmed."
PUBLISHED = "Published. Share the link with parents and colleagues."


@pytest.fixture
def login():
    """Signed-in clients that read the pages in English, so messages can be asserted."""

    def make(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def colleague(community, school):
    """A second ordinary member."""
    user = UserFactory(school=school, full_name="Citra Anggota Lain", email="citra@smpn1.sch.id")
    MembershipFactory(user=user, community=community)
    return user


@pytest.fixture
def held(community, coordinator):
    return held_activity(community, proposed_by=coordinator, title="Lesson study kelas 2")


def upload(activity, by, *, consent, product=None):
    """One real photo of students, through the upload pipeline (a different picture for
    each consent, since the same picture is stored once)."""
    picture = jpeg_bytes((40, 30), (120, 160, 200) if consent else (200, 160, 120))
    files = [SimpleUploadedFile("kelas.jpg", picture, content_type="image/jpeg")]
    (document,) = document_add_many(
        community=(activity or product).community,
        by=by,
        files=files,
        activity=activity,
        product=product,
        shows_students=True,
        consent_confirmed=consent,
    )
    return document


@pytest.fixture
def photos(held, member):
    """(consented at upload, not consented), both showing students."""
    return upload(held, member, consent=True), upload(held, member, consent=False)


def messages_of(response, level=None):
    return [str(m) for m in get_messages(response.wsgi_request) if level is None or m.level_tag == level]


def assert_refused(response, text):
    assert response.status_code == 302
    errors = messages_of(response, "error")
    assert any(text in error for error in errors), errors


def new_url(community, query=""):
    return reverse("publishing:new", args=[community.slug]) + query


def publish(client, community, source_param, source, **data):
    return client.post(new_url(community), {source_param: source.uid, **FORM, **data})


def public_status(client, publication):
    return client.get(publication.get_absolute_url()).status_code


def photo_url(publication, photo):
    return reverse("publishing:photo", args=[publication.uid, photo.uid])


def showcase(client):
    return client.get(reverse("publishing:showcase")).content.decode()


# Activities and their photos


def test_form_offers_consent_only_for_photos_that_need_it(community, coordinator, held, photos, login):
    consented, unconsented = photos
    response = login(coordinator).get(new_url(community, f"?kegiatan={held.uid}"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'name="kegiatan" value="{held.uid}"' in page
    assert f'value="{held.title}"' in page  # the title is suggested
    for photo in photos:
        assert f'name="foto" value="{photo.uid}"' in page
    assert f'name="izin" value="{unconsented.uid}"' in page
    assert f'name="izin" value="{consented.uid}"' not in page


def test_photo_of_students_without_consent_is_left_out(community, coordinator, held, photos, login):
    consented, unconsented = photos
    client = login(coordinator)
    response = publish(client, community, "kegiatan", held, foto=[consented.uid, unconsented.uid])
    assert response.status_code == 302
    assert response["Location"] == reverse("publishing:list", args=[community.slug])
    assert messages_of(response, "warning") == [LEFT_OUT]
    assert messages_of(response, "success") == [PUBLISHED]

    publication = Publication.objects.get()
    assert (publication.activity, publication.status, publication.published_by) == (held, "published", coordinator)
    assert (publication.title, publication.summary) == (FORM["title"], FORM["summary"])
    assert publication.published_at is not None
    assert list(publication.photos.all()) == [consented]
    unconsented.refresh_from_db()
    assert unconsented.consent_confirmed is False

    anonymous = client_for(None)
    page = anonymous.get(publication.get_absolute_url()).content.decode()
    assert photo_url(publication, consented) in page
    assert str(unconsented.uid) not in page
    assert anonymous.get(photo_url(publication, unconsented)).status_code == 404


def test_confirming_consent_when_publishing_includes_the_photo(community, coordinator, held, photos, login):
    consented, unconsented = photos
    response = publish(
        login(coordinator), community, "kegiatan", held, foto=[consented.uid, unconsented.uid], izin=[unconsented.uid]
    )
    assert messages_of(response, "warning") == []
    assert messages_of(response, "success") == [PUBLISHED]
    publication = Publication.objects.get()
    assert set(publication.photos.all()) == {consented, unconsented}
    unconsented.refresh_from_db()
    assert unconsented.consent_confirmed is True
    served = client_for(None).get(photo_url(publication, unconsented))
    assert served.status_code == 200
    assert b"".join(served.streaming_content)[:3] == b"\xff\xd8\xff"


def test_consent_for_a_photo_not_chosen_is_not_recorded(community, coordinator, held, photos, login):
    consented, unconsented = photos
    publish(login(coordinator), community, "kegiatan", held, foto=[consented.uid], izin=[unconsented.uid])
    assert list(Publication.objects.get().photos.all()) == [consented]
    unconsented.refresh_from_db()
    assert unconsented.consent_confirmed is False


def test_photos_of_another_activity_are_ignored(community, coordinator, member, held, login):
    other = upload(held_activity(community), member, consent=True)
    response = publish(login(coordinator), community, "kegiatan", held, foto=[other.uid, "not-a-uuid"])
    assert messages_of(response, "success") == [PUBLISHED]
    assert not Publication.objects.get().photos.exists()


def test_publishing_without_photos(community, coordinator, held, photos, login):
    publish(login(coordinator), community, "kegiatan", held)
    assert not Publication.objects.get().photos.exists()


@pytest.mark.parametrize(
    ("status", "starts_in"),
    [(Activity.Status.CANCELLED, timedelta(days=-2)), (Activity.Status.PLANNED, timedelta(days=3))],
    ids=["cancelled", "not-yet-held"],
)
def test_only_held_activities_can_be_published(status, starts_in, community, coordinator, login):
    start = timezone.now() + starts_in
    activity = ActivityFactory(community=community, status=status, starts_at=start, ends_at=start + timedelta(hours=1))
    response = publish(login(coordinator), community, "kegiatan", activity)
    assert_refused(response, "Only activities that have been held can be published")
    assert response["Location"] == activity.get_absolute_url()
    assert not Publication.objects.exists()


def test_publishing_twice_is_refused(community, coordinator, held, login):
    client = login(coordinator)
    publish(client, community, "kegiatan", held)
    response = publish(client, community, "kegiatan", held, title="Lagi")
    assert_refused(response, "This item has already been published.")
    assert Publication.objects.count() == 1


def test_a_withdrawn_item_can_be_published_again(community, coordinator, held, login):
    PublicationFactory(activity=held, status=Publication.Status.WITHDRAWN, published_by=coordinator)
    response = publish(login(coordinator), community, "kegiatan", held)
    assert messages_of(response, "success") == [PUBLISHED]
    assert list(Publication.objects.filter(activity=held).values_list("status", flat=True).order_by("pk")) == [
        "withdrawn",
        "published",
    ]


def test_invalid_form_is_shown_again(community, coordinator, held, login):
    response = login(coordinator).post(new_url(community), {"kegiatan": held.uid, "title": "", "summary": ""})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"title", "summary"}
    assert not Publication.objects.exists()


# Products


def test_product_publication(community, coordinator, member, login):
    product = ProductFactory(community=community, created_by=member, description="Kartu kata bergambar untuk kelas 2.")
    photo = DocumentFactory(activity=None, product=product, uploaded_by=member)
    response = login(coordinator).get(new_url(community, f"?karya={product.uid}"))
    assert f'name="foto" value="{photo.uid}"' in response.content.decode()
    response = publish(login(coordinator), community, "karya", product, foto=[photo.uid])
    assert messages_of(response, "success") == [PUBLISHED]
    publication = Publication.objects.get()
    assert (publication.product, publication.activity, publication.status) == (product, None, "published")
    assert list(publication.photos.all()) == [photo]
    page = client_for(None).get(publication.get_absolute_url()).content.decode()
    assert "Kartu kata bergambar untuk kelas 2." in page
    assert photo_url(publication, photo) in page


# Reflections: the author decides


@pytest.fixture
def reflection(community, held, member):
    return ReflectionFactory(
        activity=held, author=member, answers={"text": "Saya belajar menunggu siswa menjawab sendiri."}
    )


def ask(coordinator, community, reflection, login):
    response = publish(login(coordinator), community, "refleksi", reflection, title="Belajar menunggu")
    assert messages_of(response, "info") == [
        "We asked the author of the reflection to agree; it goes public once they do."
    ]
    return Publication.objects.get(reflection=reflection)


def answer(client, publication, agree):
    url = reverse("publishing:author_answer", args=[publication.community.slug, publication.uid])
    return client.post(url, {"setuju": "1" if agree else "0"})


def test_reflection_of_another_member_waits_for_the_author(community, coordinator, member, reflection, login):
    page = login(coordinator).get(new_url(community, f"?refleksi={reflection.uid}")).content.decode()
    assert "it goes public only after they agree" in page
    publication = ask(coordinator, community, reflection, login)
    assert (publication.status, publication.published_at) == ("awaiting", None)
    anonymous = client_for(None)
    assert public_status(anonymous, publication) == 404
    assert "Belajar menunggu" not in showcase(anonymous)

    dashboard = login(member).get(reverse("dashboard")).content.decode()
    assert "May we publish your reflection?" in dashboard
    assert "Belajar menunggu" in dashboard
    assert reverse("publishing:author_answer", args=[community.slug, publication.uid]) in dashboard

    response = answer(login(member), publication, agree=True)
    assert response["Location"] == reverse("dashboard")
    assert messages_of(response, "success") == ["Thank you: your reflection is now published."]
    publication.refresh_from_db()
    assert publication.status == "published"
    assert publication.published_at is not None
    assert publication.author_answered_at is not None
    page = anonymous.get(publication.get_absolute_url()).content.decode()
    assert "Saya belajar menunggu siswa menjawab sendiri." in page
    assert "Belajar menunggu" in showcase(anonymous)
    assert "May we publish your reflection?" not in login(member).get(reverse("dashboard")).content.decode()


def test_declined_reflection_is_never_public(community, coordinator, member, reflection, login):
    publication = ask(coordinator, community, reflection, login)
    response = answer(login(member), publication, agree=False)
    assert messages_of(response, "info") == ["Your reflection will not be published."]
    publication.refresh_from_db()
    assert (publication.status, publication.published_at) == ("declined", None)
    assert public_status(client_for(None), publication) == 404
    # Changing their mind afterwards is not possible through the same request.
    response = answer(login(member), publication, agree=True)
    assert_refused(response, "This request has already been answered.")
    publication.refresh_from_db()
    assert publication.status == "declined"
    assert public_status(client_for(None), publication) == 404


@pytest.mark.parametrize("who", ["colleague", "coordinator", "principal"])
def test_only_the_author_can_answer(who, community, coordinator, reflection, login, request):
    publication = ask(coordinator, community, reflection, login)
    response = answer(login(request.getfixturevalue(who)), publication, agree=True)
    assert_refused(response, "Only the author of the reflection can answer.")
    publication.refresh_from_db()
    assert (publication.status, publication.author_answered_at) == ("awaiting", None)
    assert public_status(client_for(None), publication) == 404


def test_own_reflection_is_published_at_once(community, coordinator, held, login):
    own = ReflectionFactory(activity=held, author=coordinator)
    response = publish(login(coordinator), community, "refleksi", own)
    assert messages_of(response, "success") == [PUBLISHED]
    publication = Publication.objects.get()
    assert publication.status == "published"
    assert publication.author_answered_at is not None
    assert public_status(client_for(None), publication) == 200


# Withdrawing, and the community's list


def test_withdrawing_takes_it_off_the_showcase(community, coordinator, member, held, photos, login):
    consented, _ = photos
    publication = PublicationFactory(activity=held, published_by=coordinator, photos=[consented], title="Cerita Kami")
    anonymous = client_for(None)
    assert public_status(anonymous, publication) == 200
    assert "Cerita Kami" in showcase(anonymous)

    response = login(coordinator).post(reverse("publishing:withdraw", args=[community.slug, publication.uid]))
    assert response["Location"] == reverse("publishing:list", args=[community.slug])
    assert messages_of(response, "info") == ["The publication has been withdrawn; it is no longer public."]
    publication.refresh_from_db()
    assert publication.status == "withdrawn"
    assert publication.withdrawn_at is not None
    assert public_status(anonymous, publication) == 404
    assert anonymous.get(photo_url(publication, consented)).status_code == 404
    assert "Cerita Kami" not in showcase(anonymous)

    page = login(coordinator).get(reverse("publishing:list", args=[community.slug])).content.decode()
    assert "Cerita Kami" in page
    assert "withdrawn" in page
    assert publication.get_absolute_url() not in page  # no link to a page that is gone

    again = login(coordinator).post(reverse("publishing:withdraw", args=[community.slug, publication.uid]))
    assert_refused(again, "already been withdrawn")


def test_withdrawing_another_communitys_publication_is_404(community, coordinator, login):
    foreign = PublicationFactory(activity=held_activity(CommunityFactory()))
    response = login(coordinator).post(reverse("publishing:withdraw", args=[community.slug, foreign.uid]))
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "published"


@pytest.fixture
def one_of_each(community, coordinator, member):
    by_status = {}
    for status in Publication.Status.values:
        reflection = ReflectionFactory(activity=held_activity(community), author=member)
        by_status[status] = PublicationFactory(
            activity=None, reflection=reflection, status=status, published_by=coordinator, title=f"Judul {status}"
        )
    return by_status


def titles_on_list(client, community):
    page = client.get(reverse("publishing:list", args=[community.slug])).content.decode()
    return {status for status in Publication.Status.values if f"Judul {status}" in page}


def test_member_sees_only_published_items(community, member, one_of_each, login):
    assert titles_on_list(login(member), community) == {"published"}


def test_coordinator_and_principal_see_everything(community, coordinator, principal, one_of_each, login):
    assert titles_on_list(login(coordinator), community) == set(Publication.Status.values)
    assert titles_on_list(login(principal), community) == set(Publication.Status.values)


def test_withdraw_buttons_only_for_live_items(community, coordinator, one_of_each, login):
    page = login(coordinator).get(reverse("publishing:list", args=[community.slug])).content.decode()
    for status, publication in one_of_each.items():
        url = reverse("publishing:withdraw", args=[community.slug, publication.uid])
        assert (url in page) == (status in ("published", "awaiting")), status


# Archived communities


def test_archived_community_cannot_publish_but_can_withdraw(community, coordinator, held, login):
    published = PublicationFactory(activity=held_activity(community), published_by=coordinator)
    Community.objects.filter(pk=community.pk).update(archived=True)
    client = login(coordinator)
    response = publish(client, community, "kegiatan", held)
    assert_refused(response, "This community is archived")
    assert not Publication.objects.filter(activity=held).exists()

    response = login(coordinator).post(reverse("publishing:withdraw", args=[community.slug, published.uid]))
    assert messages_of(response) == ["The publication has been withdrawn; it is no longer public."]
    published.refresh_from_db()
    assert published.status == "withdrawn"


# Sources that are not there


@pytest.mark.parametrize(
    "query",
    ["?kegiatan=not-a-uuid", "?kegiatan=", "", "?karya=12345", "?refleksi=00000000-0000-0000-0000-000000000000"],
)
def test_malformed_source_is_404(query, community, coordinator, login):
    assert login(coordinator).get(new_url(community, query)).status_code == 404


def test_foreign_source_is_404(community, coordinator, held, login):
    other = CommunityFactory(home_school=community.home_school)
    foreign_activity = held_activity(other)
    foreign_product = ProductFactory(community=other)
    client = login(coordinator)
    for param, source in (("kegiatan", foreign_activity), ("karya", foreign_product), ("karya", held)):
        assert client.get(new_url(community, f"?{param}={source.uid}")).status_code == 404, param
        assert publish(client, community, param, source).status_code == 404, param
    assert client.post(new_url(community), {"kegiatan": "not-a-uuid", **FORM}).status_code == 404
    assert not Publication.objects.exists()
    assert not Document.objects.exists()


def test_author_who_left_can_still_decline(community, coordinator, member, reflection, login):
    publication = ask(coordinator, community, reflection, login)
    Community.objects.filter(pk=community.pk).update(visibility=Community.Visibility.MEMBERS)
    community.memberships.filter(user=member).update(status="left", left_at=timezone.now())
    assert "Belajar menunggu" in login(member).get(reverse("dashboard")).content.decode()
    response = answer(login(member), publication, agree=False)
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.status == "declined"


def test_database_refuses_a_second_live_publication_of_the_same_item(community, coordinator, held):
    PublicationFactory(activity=held, published_by=coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        PublicationFactory(activity=held, published_by=coordinator)
