"""A demo teacher signs in on a phone-sized screen and lands on their dashboard."""

import io
import re
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from kompra.accounts.models import User
from tests.browser.conftest import VIEWPORT

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@pytest.fixture
def browser_language():
    # The browser asks for English; the signed-in teacher's saved language must still win.
    return "en-US,en"


@pytest.fixture
def demo_teacher(transactional_db, settings):
    """Runs seed_demo as `make run` does and returns (teacher, printed password)."""
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    settings.DEBUG = False
    password = re.search(r"Password for every demo account:\s*(\S+)", out.getvalue()).group(1)
    teacher = User.objects.filter(role=User.Role.TEACHER, school__isnull=False).order_by("pk").first()
    return teacher, password


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (live server URL)
        return response.status, response.headers.get("Content-Type", ""), response.read()


@pytest.mark.browser
def test_teacher_logs_in_on_a_phone_and_sees_their_school(browser, live_server, demo_teacher):
    teacher, password = demo_teacher

    status, content_type, body = fetch(live_server.url + "/static/bootstrap/css/bootstrap.min.css")
    assert status == 200
    assert content_type.startswith("text/css")
    assert b"Bootstrap" in body[:200]

    browser.get(live_server.url + "/akun/login/")
    assert browser.execute_script("return [window.innerWidth, window.innerHeight]") == list(VIEWPORT)
    # Bootstrap really styles the page: its navbar is a flex container.
    navbar_display = browser.execute_script("return getComputedStyle(document.querySelector('nav.navbar')).display")
    assert navbar_display == "flex"

    browser.find_element(By.NAME, "login").send_keys(teacher.email)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()

    WebDriverWait(browser, 15).until(expected_conditions.url_to_be(live_server.url + "/dasbor/"))
    school_name = WebDriverWait(browser, 10).until(
        expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, ".school-name"))
    )
    assert school_name.text == teacher.school.name
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "id"
    # Nothing sticks out sideways on a narrow screen.
    assert browser.execute_script("return document.documentElement.scrollWidth") <= VIEWPORT[0]

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "login-dashboard.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 0
