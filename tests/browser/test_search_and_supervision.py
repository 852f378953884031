"""On a phone-sized screen, in Indonesian: a teacher searches from the navigation and opens
a result; the dinas pendidikan opens the district dashboard and drills into a school."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from activities.models import Activity
from communities.models import Membership, Stage
from kompra.accounts.models import User
from tests.browser.conftest import log_in
from tests.browser.test_community_flow import click_button
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


@pytest.fixture
def district(transactional_db):
    smp = SchoolFactory(npsn="20400123", name="SMP Negeri 1 Sleman")
    sd = SchoolFactory(npsn="20401234", name="SD Negeri Caturtunggal 1", level="sd")
    SchoolFactory(npsn="20533456", name="SD Negeri Kauman 2 Malang", district="Kota Malang", province="Jawa Timur")
    PrincipalFactory(school=smp, email="kepsek@smpn1.sch.id")
    teacher = UserFactory(school=smp, email="ani@smpn1.sch.id", full_name="Ani Rahmawati")
    coordinator = UserFactory(school=smp, email="budi@smpn1.sch.id", full_name="Budi Santoso")
    community = CommunityFactory(
        name="Literasi Membaca Kelas 7",
        home_school=smp,
        stage=Stage.MENUMBUHKAN,
        concern="Siswa belum memahami bacaan.",
    )
    MembershipFactory(user=coordinator, community=community, role=Membership.Role.COORDINATOR)
    MembershipFactory(user=teacher, community=community)
    ProblemFactory(community=community, raised_by=teacher, title="Siswa sulit menemukan gagasan utama")
    start = timezone.now() - timedelta(days=5)
    activity = Activity.objects.create(
        community=community,
        title="Berbagi praktik peta konsep",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status=Activity.Status.HELD,
        proposed_by=coordinator,
        minutes="Guru membacakan cerita lalu siswa menyusun peta konsep bacaan.",
    )
    CommunityFactory(name="Bermain Sambil Berhitung", home_school=sd)
    dinas = UserFactory(
        school=None,
        role=User.Role.DINAS,
        email="dinas@disdiksleman.go.id",
        full_name="Dinas Pendidikan Kabupaten Sleman",
        office_district="Kabupaten Sleman",
        office_province="DI Yogyakarta",
    )
    return {"smp": smp, "teacher": teacher, "community": community, "activity": activity, "dinas": dinas}


def open_menu(browser):
    toggler = browser.find_element(By.CSS_SELECTOR, ".navbar-toggler")
    if toggler.is_displayed():
        toggler.click()
        WebDriverWait(browser, 5).until(expected_conditions.visibility_of_element_located((By.ID, "nav-search-q")))


@pytest.mark.browser
def test_a_teacher_searches_and_the_dinas_drills_down(browser, live_server, district):
    ARTIFACTS.mkdir(exist_ok=True)

    # 1. The teacher searches from the menu: "membaca" finds the minutes that say "membacakan".
    log_in(browser, live_server, district["teacher"].email, PASSWORD)
    open_menu(browser)
    field = browser.find_element(By.ID, "nav-search-q")
    field.send_keys("membaca")
    field.submit()
    WebDriverWait(browser, 10).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".search-results"))
    )
    marks = [m.text.lower() for m in browser.find_elements(By.CSS_SELECTOR, ".search-results mark")]
    assert "membacakan" in marks or "membaca" in marks
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360, f"the results page scrolls sideways ({width}px)"
    browser.save_screenshot(str(ARTIFACTS / "search-results.png"))
    minutes = browser.find_element(By.CSS_SELECTOR, "[data-kind='minutes'] a.result-link")
    click_button(browser, "[data-kind='minutes'] a.result-link")
    WebDriverWait(browser, 10).until(expected_conditions.url_contains(str(district["activity"].uid)))
    assert district["activity"].title in browser.find_element(By.TAG_NAME, "h1").text + browser.page_source
    assert minutes  # the result was a link to the activity's minutes
    assert browser.find_element(By.ID, "notulen")

    # 2. The dinas opens the district dashboard from the menu, sorts it and drills into a school.
    log_in(browser, live_server, district["dinas"].email, PASSWORD)
    open_menu(browser)
    click_button(browser, "a.nav-link[href='/pengawasan/']")
    WebDriverWait(browser, 10).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".oversight-table"))
    )
    rows = browser.find_elements(By.CSS_SELECTOR, ".oversight-table tbody tr")
    assert {row.get_attribute("data-npsn") for row in rows} == {"20400123", "20401234"}
    assert browser.find_element(By.CSS_SELECTOR, "svg.stage-chart")
    click_button(browser, "a.sort-link[data-sort='komunitas']")
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("urut=-komunitas"))
    browser.save_screenshot(str(ARTIFACTS / "supervision-dashboard.png"))
    click_button(browser, f"tr[data-npsn='{district['smp'].npsn}'] th a")
    WebDriverWait(browser, 10).until(expected_conditions.url_contains(f"/sekolah/{district['smp'].npsn}/"))
    card = browser.find_element(By.CSS_SELECTOR, f"[data-community='{district['community'].slug}']")
    assert district["community"].name in card.text
    assert not card.find_elements(By.CSS_SELECTOR, f"a[href='{district['community'].get_absolute_url()}']")
    assert browser.find_element(By.CSS_SELECTOR, ".read-only-note")
    browser.save_screenshot(str(ARTIFACTS / "supervisor-school-dashboard.png"))
