"""A community is founded, grows by invitation and moves a stage, on a phone-sized screen
in Indonesian: the whole of the Communities acceptance story in one browser."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from communities.models import Community, Membership, StageChange
from tests.browser.conftest import log_in
from tests.conftest import run_queued_tasks
from tests.factories import PASSWORD, PrincipalFactory, SchoolFactory, UserFactory

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@pytest.fixture
def people(transactional_db):
    school = SchoolFactory(npsn="20400123", name="SMP Negeri 1 Sleman")
    other = SchoolFactory(npsn="20533456", name="SD Negeri Kauman 2 Malang", district="Kota Malang")
    return {
        "founder": UserFactory(school=school, email="tari@smpn1.sch.id", full_name="Tari Wulandari"),
        "colleague": UserFactory(school=school, email="ani@smpn1.sch.id", full_name="Ani Rahmawati"),
        "principal": PrincipalFactory(school=school, email="kepsek@smpn1.sch.id", full_name="Sri Wahyuni"),
        "outsider": UserFactory(school=other, email="oki@sdkauman.sch.id", full_name="Oki Saputra"),
    }


def submit(browser):
    click_button(browser, "main form [type=submit]")


def wait_for_text(browser, text):
    WebDriverWait(browser, 10).until(expected_conditions.text_to_be_present_in_element((By.TAG_NAME, "main"), text))


def fill(browser, name, value):
    field = browser.find_element(By.CSS_SELECTOR, f"main [name={name}]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].value = '';", field)
    field.send_keys(value)


def click_button(browser, css):
    # A script click: the emulated phone viewport confuses WebDriver's hit test on long pages.
    element = browser.find_element(By.CSS_SELECTOR, css)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


@pytest.mark.browser
def test_found_invite_share_a_problem_advance_and_endorse(browser, live_server, people):
    url = live_server.url

    # 1. A teacher founds a community through the three short steps.
    log_in(browser, live_server, people["founder"].email, PASSWORD)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "id"
    browser.get(url + "/komunitas/baru/")
    fill(browser, "name", "Literasi Kelas Rendah")
    fill(browser, "concern", "Banyak siswa kelas rendah belum lancar membaca.")
    submit(browser)
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("/rintis/tujuan/"))
    fill(browser, "goal", "Semua siswa kelas 2 lancar membaca di akhir semester.")
    fill(browser, "norms", "Tepat waktu, saling menghargai, membawa cerita dari kelas.")
    fill(browser, "rhythm_weeks", "3")
    submit(browser)
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("/rintis/pengaturan/"))

    # 2. Invite one existing colleague and one new address, as co-founders.
    click_button(browser, "input[name=visibility][value=school]")
    fill(browser, "cofounders", f"{people['colleague'].email}\nbaru@smpn1.sch.id")
    submit(browser)
    community = Community.objects.get(name="Literasi Kelas Rendah")
    WebDriverWait(browser, 10).until(expected_conditions.url_to_be(url + community.get_absolute_url()))
    assert community.memberships.get(user=people["founder"]).role == Membership.Role.COORDINATOR

    # 3a. The colleague accepts on their dashboard.
    log_in(browser, live_server, people["colleague"].email, PASSWORD)
    click_button(browser, "form[action$='/anggota/undangan/'] button[value='1']")
    WebDriverWait(browser, 10).until(expected_conditions.url_to_be(url + community.get_absolute_url()))

    # 3b. The new address signs up through the emailed link (sent by the task worker).
    run_queued_tasks()
    invitation_mail = next(m for m in mail.outbox if "baru@smpn1.sch.id" in m.to)
    link = re.search(r"https?://\S+/undangan/[0-9a-f-]+/", invitation_mail.body).group(0)
    browser.delete_all_cookies()
    browser.get(url + link[link.index("/undangan/") :])
    fill(browser, "full_name", "Bayu Guru Baru")
    fill(browser, "password1", "membaca-itu-menyenangkan-7")
    fill(browser, "password2", "membaca-itu-menyenangkan-7")
    submit(browser)
    WebDriverWait(browser, 10).until(expected_conditions.url_to_be(url + community.get_absolute_url()))
    newcomer = Membership.objects.get(community=community, user__email="baru@smpn1.sch.id")
    assert newcomer.status == Membership.Status.ACTIVE
    assert newcomer.user.school == people["founder"].school

    # 4. The coordinator records a shared problem; a member says "me too".
    log_in(browser, live_server, people["founder"].email, PASSWORD)
    browser.get(url + f"/k/{community.slug}/masalah/baru/")
    fill(browser, "title", "Siswa sulit menemukan gagasan utama")
    fill(browser, "description", "Sebagian besar siswa **menyalin** kalimat pertama.")
    submit(browser)
    wait_for_text(browser, "Siswa sulit menemukan gagasan utama")
    problem = community.problems.get()

    log_in(browser, live_server, people["colleague"].email, PASSWORD)
    browser.get(url + problem.get_absolute_url())
    click_button(browser, "form[action$='/saya-juga/'] button")
    WebDriverWait(browser, 10).until(lambda b: "1" in b.find_element(By.CSS_SELECTOR, ".support-count").text)
    assert list(problem.supporters.all()) == [people["colleague"]]

    # 5. The coordinator advances the stage with a note.
    log_in(browser, live_server, people["founder"].email, PASSWORD)
    browser.get(url + f"/k/{community.slug}/tahap/")
    Select(browser.find_element(By.NAME, "to_stage")).select_by_value("menumbuhkan")
    fill(browser, "note", "Tiga anggota aktif dan masalah pertama sudah dipilih.")
    click_button(browser, "form[action$='/tahap/ubah/'] button[type=submit]")
    WebDriverWait(browser, 10).until(lambda b: StageChange.objects.filter(community=community).exists())
    community.refresh_from_db()
    assert community.stage == "menumbuhkan"

    # 6. The principal sees the community and endorses the change.
    log_in(browser, live_server, people["principal"].email, PASSWORD)
    browser.get(url + "/komunitas/direktori/")
    browser.find_element(By.LINK_TEXT, "Literasi Kelas Rendah").click()
    browser.get(url + f"/k/{community.slug}/tahap/")
    click_button(browser, "form[action$='/dukung/'] button")
    WebDriverWait(browser, 10).until(lambda b: StageChange.objects.get(community=community).endorsed_at is not None)
    wait_for_text(browser, people["principal"].full_name)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "community-stage-endorsed.png"))

    # 7. A teacher of the other school can neither open it nor find it.
    log_in(browser, live_server, people["outsider"].email, PASSWORD)
    browser.get(url + community.get_absolute_url())
    assert "Literasi Kelas Rendah" not in browser.find_element(By.TAG_NAME, "main").text
    browser.get(url + "/komunitas/direktori/")
    assert "Literasi Kelas Rendah" not in browser.find_element(By.TAG_NAME, "main").text
