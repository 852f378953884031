"""Publishing with consent, the public showcase, the principal's dashboard and feedback,
and the portfolio PDF, on a phone-sized screen in Indonesian."""

import time
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from activities import services as practice
from activities.models import Activity, Attendance, Reflection
from communities.models import Community, Membership, Stage
from publishing.models import Publication
from schools.models import Feedback
from tests.browser.conftest import log_in
from tests.browser.test_community_flow import click_button, fill, submit
from tests.factories import (
    PASSWORD,
    CommunityFactory,
    MembershipFactory,
    PrincipalFactory,
    ProblemFactory,
    SchoolFactory,
    UserFactory,
)

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def photo(name, colour):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def school_life(transactional_db):
    school = SchoolFactory(npsn="20400123", name="SMP Negeri 1 Sleman")
    principal = PrincipalFactory(school=school, email="kepsek@smpn1.sch.id", full_name="Sri Wahyuni")
    coordinator = UserFactory(school=school, email="budi@smpn1.sch.id", full_name="Budi Santoso")
    member = UserFactory(school=school, email="ani@smpn1.sch.id", full_name="Ani Rahmawati")
    community = CommunityFactory(name="Literasi Kelas Rendah", home_school=school, stage=Stage.MENUMBUHKAN)
    MembershipFactory(user=coordinator, community=community, role=Membership.Role.COORDINATOR)
    MembershipFactory(user=member, community=community)
    problem = ProblemFactory(community=community, raised_by=member, title="Siswa sulit menemukan gagasan utama")
    start = timezone.now() - timedelta(days=3)
    activity = Activity.objects.create(
        community=community,
        problem=problem,
        title="Berbagi praktik peta konsep",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status=Activity.Status.HELD,
        proposed_by=coordinator,
        minutes="Setiap guru mencoba peta konsep di kelas.",
    )
    Attendance.objects.create(activity=activity, user=member, status=Attendance.Status.PRESENT)
    (consented,) = practice.document_add_many(
        community=community,
        by=coordinator,
        activity=activity,
        files=[photo("izin.jpg", (30, 140, 90))],
        caption="Dengan izin orang tua",
        shows_students=True,
        consent_confirmed=True,
    )
    (unconsented,) = practice.document_add_many(
        community=community,
        by=coordinator,
        activity=activity,
        files=[photo("tanpa-izin.jpg", (160, 60, 40))],
        caption="Belum ada izin",
        shows_students=True,
    )
    Reflection.objects.create(
        community=community,
        author=member,
        activity=activity,
        template="4p",
        in_reports=True,
        answers={"peristiwa": "Siswa menyusun peta konsep berkelompok."},
    )
    # A quiet community: founded months ago, never met.
    quiet = CommunityFactory(name="Numerasi Menyenangkan", home_school=school)
    Community.objects.filter(pk=quiet.pk).update(created_at=timezone.now() - timedelta(days=90))
    MembershipFactory(user=UserFactory(school=school, email="eko@smpn1.sch.id"), community=quiet, role="coordinator")
    return {
        "school": school,
        "principal": principal,
        "coordinator": coordinator,
        "community": community,
        "quiet": quiet,
        "activity": activity,
        "consented": consented,
        "unconsented": unconsented,
    }


@pytest.fixture
def downloads(tmp_path):
    folder = tmp_path / "unduhan"
    folder.mkdir()
    return folder


@pytest.mark.browser
def test_publish_show_oversee_and_take_the_portfolio(browser, live_server, school_life, downloads):
    url = live_server.url
    life = school_life
    community, activity = life["community"], life["activity"]

    # 1. The coordinator publishes the held activity with both student photos chosen.
    log_in(browser, live_server, life["coordinator"].email, PASSWORD)
    browser.get(url + activity.get_absolute_url())
    browser.find_element(By.CSS_SELECTOR, f"a[href*='publikasi/baru/?kegiatan={activity.uid}']").click()
    fill(browser, "summary", "Guru kelas 7 mencoba **peta konsep** untuk menemukan gagasan utama.")
    for box in browser.find_elements(By.CSS_SELECTOR, "input[name=foto]"):
        assert box.is_selected()
    assert not browser.find_elements(By.CSS_SELECTOR, f"input[name=izin][value='{life['consented'].uid}']")
    assert browser.find_elements(By.CSS_SELECTOR, f"input[name=izin][value='{life['unconsented'].uid}']")
    submit(browser)
    WebDriverWait(browser, 10).until(lambda b: Publication.objects.exists())
    publication = Publication.objects.get()
    assert list(publication.photos.all()) == [life["consented"]]
    warning = browser.find_element(By.CSS_SELECTOR, ".alert-warning").text
    assert "1" in warning

    # 2. An anonymous visitor sees the publication with only the consented photo.
    browser.delete_all_cookies()
    browser.get(url + publication.get_absolute_url())
    assert browser.find_element(By.TAG_NAME, "h1").text == publication.title
    shown = [img.get_attribute("src") for img in browser.find_elements(By.CSS_SELECTOR, ".public-photos img")]
    assert len(shown) == 1 and str(life["consented"].uid) in shown[0]
    assert str(life["unconsented"].uid) not in browser.page_source
    browser.execute_script("document.querySelector('.public-photos img').scrollIntoView()")
    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("return document.querySelector('.public-photos img').naturalWidth") > 0
    )
    og_title = browser.find_element(By.CSS_SELECTOR, "meta[property='og:title']").get_attribute("content")
    assert og_title == publication.title
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "public-publication.png"))

    # 3. The principal sees the flags of the quiet community and leaves feedback.
    log_in(browser, live_server, life["principal"].email, PASSWORD)
    browser.get(f"{url}/sekolah/{life['school'].npsn}/")
    quiet_card = browser.find_element(By.CSS_SELECTOR, f"[data-community='{life['quiet'].slug}']")
    flags = {f.get_attribute("data-flag") for f in quiet_card.find_elements(By.CSS_SELECTOR, ".health-flag")}
    assert flags, "the quiet community shows health flags"
    browser.save_screenshot(str(ARTIFACTS / "school-dashboard.png"))
    browser.get(f"{url}/k/{life['quiet'].slug}/umpan-balik/")
    fill(browser, "body", "Sudah tiga bulan belum bertemu. Ada yang bisa saya bantu?")
    click_button(browser, "form.feedback-form button[type=submit]")
    WebDriverWait(browser, 10).until(lambda b: Feedback.objects.filter(community=life["quiet"]).exists())
    browser.get(f"{url}/k/{community.slug}/umpan-balik/")
    fill(browser, "body", "Dokumentasinya rapi, silakan bagikan di rapat guru.")
    click_button(browser, "form.feedback-form button[type=submit]")
    WebDriverWait(browser, 10).until(lambda b: Feedback.objects.filter(community=community).exists())

    # 4. The coordinator sees the feedback and downloads the PDF portfolio.
    log_in(browser, live_server, life["coordinator"].email, PASSWORD)
    assert "Dokumentasinya rapi" in browser.find_element(By.TAG_NAME, "main").text
    browser.get(f"{url}/k/{community.slug}/laporan/portofolio/")
    WebDriverWait(browser, 10).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "a[href*='portofolio.pdf']"))
    )
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    click_button(browser, "a[href*='portofolio.pdf']")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(downloads.glob("*.pdf")):
        time.sleep(0.2)
    (pdf,) = downloads.glob("*.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert community.name in text
    assert activity.title in text
    assert "Siswa menyusun peta konsep berkelompok." in text
