"""Privacy in the browser, in Indonesian on a phone-sized screen: the principal of a
school-visible community sees neither a photo of students without consent nor a
reflection kept out of reports, nor a teacher's file; the coordinator makes the
community members-only and is asked, in the same form, what becomes of the publication;
the showcase shows plain text."""

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from communities.models import Community, Membership, VisibilityChange
from publishing.models import Publication
from tests.browser.conftest import log_in
from tests.browser.test_community_flow import click_button, submit, wait_for_text
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    CommunityFactory,
    DocumentFactory,
    MembershipFactory,
    PrincipalFactory,
    PublicationFactory,
    ReflectionFactory,
    SchoolFactory,
    UserFactory,
)


@pytest.fixture
def life(transactional_db):
    school = SchoolFactory(npsn="20400123", name="SMP Negeri 1 Sleman")
    principal = PrincipalFactory(school=school, email="kepsek@smpn1.sch.id", full_name="Sri Wahyuni")
    coordinator = UserFactory(school=school, email="budi@smpn1.sch.id", full_name="Budi Santoso")
    member = UserFactory(school=school, email="ani@smpn1.sch.id", full_name="Ani Rahmawati")
    community = CommunityFactory(name="Literasi Kelas Rendah", home_school=school, visibility="school")
    MembershipFactory(user=coordinator, community=community, role=Membership.Role.COORDINATOR)
    MembershipFactory(user=member, community=community)
    start = timezone.now() - timedelta(days=3)
    activity = ActivityFactory(
        community=community, title="Membaca nyaring", status="held", starts_at=start, proposed_by=coordinator
    )
    return {
        "community": community,
        "principal": principal,
        "coordinator": coordinator,
        "member": community.memberships.get(user=member),
        "activity": activity,
        "private_photo": DocumentFactory(activity=activity, uploaded_by=member, shows_students=True, caption="Tanpa"),
        "shared_photo": DocumentFactory(
            activity=activity, uploaded_by=member, shows_students=True, consent_confirmed=True, caption="Izin"
        ),
        "private": ReflectionFactory(activity=activity, author=member, answers={"text": "Catatan pribadi Ani."}),
        "publication": PublicationFactory(
            activity=activity,
            published_by=coordinator,
            title="Membaca nyaring di kelas 2",
            summary="Siswa membaca **bergiliran** dengan suara nyaring.",
        ),
    }


@pytest.mark.browser
def test_private_content_the_visibility_question_and_plain_excerpts(browser, live_server, life):
    url = live_server.url
    community = life["community"]

    # 1. The principal opens the activity: the consented photo only, no private reflection.
    log_in(browser, live_server, life["principal"].email, PASSWORD)
    browser.get(url + life["activity"].get_absolute_url())
    page = browser.page_source
    assert str(life["shared_photo"].uid) in page
    assert str(life["private_photo"].uid) not in page
    assert "Catatan pribadi Ani." not in page
    browser.get(url + life["private_photo"].get_absolute_url())
    assert "tidak ditemukan" in browser.title
    # A member's page shows who they are, not their file.
    browser.get(f"{url}/k/{community.slug}/orang/{life['member'].uid}/")
    assert browser.find_element(By.CSS_SELECTOR, ".member-record-note").text.startswith("Karya dan refleksi")
    assert str(life["private"].uid) not in browser.page_source

    # 2. The coordinator makes the community members-only; the form asks about the publication.
    log_in(browser, live_server, life["coordinator"].email, PASSWORD)
    browser.get(f"{url}/k/{community.slug}/ubah/")
    links = browser.find_elements(By.CSS_SELECTOR, ".public-items a")
    assert [link.text for link in links] == ["Membaca nyaring di kelas 2"]
    browser.find_element(By.CSS_SELECTOR, "select[name=visibility] option[value=members]").click()
    submit(browser)
    wait_for_text(browser, "pilih apakah dibiarkan publik atau ditarik")
    community.refresh_from_db()
    assert community.visibility == Community.Visibility.SCHOOL
    browser.find_element(By.CSS_SELECTOR, "select[name=visibility] option[value=members]").click()
    click_button(browser, "input[name=public_items][value=withdraw]")
    submit(browser)
    WebDriverWait(browser, 10).until(lambda b: VisibilityChange.objects.exists())
    wait_for_text(browser, "telah ditarik dari etalase publik")
    community.refresh_from_db()
    assert community.visibility == Community.Visibility.MEMBERS
    assert Publication.objects.get().status == Publication.Status.WITHDRAWN

    # 3. The showcase shows plain text, never Markdown.
    PublicationFactory(
        activity=ActivityFactory(community=CommunityFactory(home_school=community.home_school), status="held"),
        summary="Kami mencoba **model batang** untuk soal cerita.",
    )
    browser.delete_all_cookies()
    browser.get(url + "/publik/")
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "Kami mencoba model batang untuk soal cerita." in text
    assert "**" not in text
