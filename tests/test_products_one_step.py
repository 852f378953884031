"""A product (karya) with its files in one form, linked to the activity it came from."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Document, Product
from tests.factories import ActivityFactory, CommunityFactory
from tests.test_activities import photo

pytestmark = pytest.mark.django_db


def new_url(community):
    return reverse("activities:product_new", args=[community.slug])


def test_product_with_files_and_activity_in_one_step(community, member, coordinator, login):
    activity = ActivityFactory(community=community, title="Lokakarya kartu kata")
    response = login(member).post(
        new_url(community),
        {
            "title": "Kartu kata bergambar",
            "description": "Untuk kelas 1.",
            "authors": [member.pk],
            "activity": activity.pk,
            "files": [photo("a.jpg"), photo("b.jpg")],
            "caption": "Kartu jadi",
        },
    )
    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == product.get_absolute_url()
    assert product.activity == activity
    assert Document.objects.filter(product=product, activity=None).count() == 2
    assert set(Document.objects.values_list("caption", flat=True)) == {"Kartu jadi"}
    activity_page = login(coordinator).get(activity.get_absolute_url()).content.decode()
    assert product.get_absolute_url() in activity_page
    product_page = login(coordinator).get(product.get_absolute_url()).content.decode()
    assert activity.get_absolute_url() in product_page


def test_files_stay_optional(community, member, login):
    response = login(member).post(new_url(community), {"title": "RPP", "authors": [member.pk]})
    assert response.status_code == 302
    assert Product.objects.get().activity is None
    assert not Document.objects.exists()


def test_a_rejected_file_saves_nothing(community, member, login):
    fake = SimpleUploadedFile("virus.jpg", b"MZ not a picture", content_type="image/jpeg")
    response = login(member).post(
        new_url(community), {"title": "Karya", "authors": [member.pk], "files": [photo("ok.jpg"), fake]}
    )
    assert response.status_code == 200
    assert "virus.jpg" in response.content.decode()
    assert not Product.objects.exists()
    assert not Document.objects.exists()


def test_an_activity_of_another_community_is_refused(community, member, login):
    elsewhere = ActivityFactory(community=CommunityFactory(home_school=community.home_school))
    response = login(member).post(
        new_url(community), {"title": "Karya", "authors": [member.pk], "activity": elsewhere.pk}
    )
    assert response.status_code == 200
    assert "activity" in response.context["form"].errors
    assert not Product.objects.exists()


def test_the_activity_page_offers_a_prefilled_form(community, member, login):
    activity = ActivityFactory(community=community)
    page = login(member).get(activity.get_absolute_url()).content.decode()
    link = f"{new_url(community)}?kegiatan={activity.uid}"
    assert link in page
    form = login(member).get(link).context["form"]
    assert form.initial["activity"] == activity
    # A malformed or foreign uid is ignored.
    assert "activity" not in login(member).get(f"{new_url(community)}?kegiatan=xyz").context["form"].initial
