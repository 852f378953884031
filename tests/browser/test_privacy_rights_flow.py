"""On a phone (360x740) a teacher downloads a copy of their data, then deletes their
account: the real pages, the real task worker, the real login form."""

import io
import zipfile

import pytest
from django.conf import settings
from django.test import Client
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from activities.models import Attendance
from communities.models import Membership
from privacy_rights.models import DeletionRequest, ExportRequest
from tests.browser.conftest import VIEWPORT, log_in
from tests.conftest import run_queued_tasks
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, SchoolFactory, UserFactory, held_activity


@pytest.fixture
def teacher(transactional_db):
    school = SchoolFactory(npsn="20400123", name="SMP Negeri 1 Sleman")
    community = CommunityFactory(name="Literasi Kelas Rendah", home_school=school)
    coordinator = UserFactory(school=school, email="budi@smpn1.sch.id", full_name="Budi Santoso")
    MembershipFactory(user=coordinator, community=community, role=Membership.Role.COORDINATOR)
    teacher = UserFactory(school=school, email="ani@smpn1.sch.id", full_name="Ani Rahmawati")
    MembershipFactory(user=teacher, community=community)
    activity = held_activity(community, proposed_by=coordinator, title="Berbagi praktik baik")
    Attendance.objects.create(activity=activity, user=teacher, status="present")
    return teacher


def fits_the_phone(browser):
    width = browser.execute_script("return document.documentElement.scrollWidth;")
    assert width <= VIEWPORT[0], width


def click(browser, selector, by=By.CSS_SELECTOR):
    # Bootstrap scrolls smoothly, so a native click could land mid-scroll (as in test_community_flow).
    element = browser.find_element(by, selector)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


@pytest.mark.browser
def test_a_teacher_downloads_their_data_then_deletes_their_account(browser, live_server, teacher):
    wait = WebDriverWait(browser, 15)
    log_in(browser, live_server, teacher.email, PASSWORD)

    # Download my data: from the profile, ask, the worker prepares it, the page offers it.
    browser.get(live_server.url + "/profil/")
    fits_the_phone(browser)
    click(browser, "Unduh data saya", By.LINK_TEXT)
    wait.until(expected_conditions.url_contains("/privasi/data-saya/"))
    fits_the_phone(browser)
    click(browser, "main form button[type=submit]")
    wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".alert-success")))
    assert ExportRequest.objects.get(user=teacher).state == ExportRequest.State.QUEUED
    run_queued_tasks()
    browser.refresh()
    link = wait.until(expected_conditions.presence_of_element_located((By.LINK_TEXT, "Unduh")))
    href = link.get_attribute("href")

    # The same session fetches the zip (a headless browser keeps downloads out of reach).
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = browser.get_cookie(settings.SESSION_COOKIE_NAME)["value"]
    response = client.get(href.removeprefix(live_server.url))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "index.html" in archive.namelist()
    assert "Ani Rahmawati" in archive.read("index.html").decode()
    assert "Berbagi praktik baik" in archive.read("attendance.json").decode()

    # Delete my account: a wrong password changes nothing, the right one closes it.
    browser.get(live_server.url + "/profil/")
    click(browser, "Hapus akun saya", By.LINK_TEXT)
    wait.until(expected_conditions.url_contains("/privasi/hapus-akun/"))
    fits_the_phone(browser)
    browser.find_element(By.NAME, "password").send_keys("bukan-sandinya")
    click(browser, "main form [type=submit]")
    wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".alert-danger, .alert-block")))
    teacher.refresh_from_db()
    assert teacher.is_active

    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    click(browser, "main form [type=submit]")
    wait.until(expected_conditions.url_contains("/privasi/hapus-akun/terjadwal/"))
    assert "Akun Anda ditutup" in browser.find_element(By.TAG_NAME, "h1").text
    fits_the_phone(browser)
    teacher.refresh_from_db()
    assert not teacher.is_active
    assert DeletionRequest.objects.get(user=teacher).state == DeletionRequest.State.PENDING
    # Signed out: the dashboard asks to log in.
    browser.get(live_server.url + "/dasbor/")
    assert "/akun/login/" in browser.current_url
