"""A headless Chromium, sized like a small phone, for tests against pytest-django's live server.

Debian's chromium and chromium-driver packages provide the browser and its driver. Without
them the browser tests are skipped on a workstation, but fail in CI (CI=true), where
.ci/run installs them.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from communities.models import Membership
from tests import (
    test_activities_access,
    test_communities_access,
    test_evidence_access,
    test_notices_access,
    test_privacy_rights_access,
    test_publishing_access,
    test_reports_schools_access,
    test_supervision_access,
)
from tests.factories import ActivityFactory, CommunityFactory, MembershipFactory, SchoolFactory, UserFactory

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGUMENTS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
CHROMEDRIVER = Path("/usr/bin/chromedriver")
VIEWPORT = (360, 740)


@pytest.fixture
def browser_language():
    """What the browser asks for in Accept-Language; a module can override this fixture."""
    return "id-ID,id"


@pytest.fixture
def browser(tmp_path, browser_language):
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        message = f"Browser tests need {' and '.join(missing)} (apt-get install chromium chromium-driver)."
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    width, height = VIEWPORT
    options = chromium_options(width=width, height=height, profile=tmp_path / "chromium-profile")
    options.add_experimental_option("prefs", {"intl.accept_languages": browser_language})

    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True},
        )
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()


def chromium_options(*, width, height, profile):
    """Headless Chromium's options, shared by the browser tests and scripts/bench_phone.py."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (*CHROMIUM_ARGUMENTS, f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        options.add_argument(argument)
    return options


def coordinator_and_activity(*, status):
    """A school, a community, its coordinator and one activity the coordinator proposed."""
    school = SchoolFactory(npsn="20400123", name="SMP Negeri 1 Sleman")
    community = CommunityFactory(name="Literasi Kelas Rendah", home_school=school)
    teacher = UserFactory(school=school, email="budi@smpn1.sch.id", full_name="Budi Santoso")
    MembershipFactory(user=teacher, community=community, role=Membership.Role.COORDINATOR)
    return teacher, ActivityFactory(community=community, proposed_by=teacher, status=status)


def log_in(browser, live_server, email, password):
    """Signs in through the real login form, starting from a clean browser session."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    browser.delete_all_cookies()
    browser.get(live_server.url + "/akun/login/")
    browser.find_element(By.NAME, "login").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 15).until(expected_conditions.url_to_be(live_server.url + "/dasbor/"))


@pytest.fixture
def worlds(community, coordinator, member, problem, principal, school, pengawas):
    return {
        "communities": test_communities_access.build_world(community, coordinator, member, problem),
        "activities": test_activities_access.build_world(community, coordinator, member, problem),
        "publishing": test_publishing_access.build_world(community, coordinator, member, school),
        "reports": test_reports_schools_access.build_world(community, principal),
        "privacy": test_privacy_rights_access.build_world(community, coordinator, member),
        "evidence": test_evidence_access.build_world(member, coordinator, community, approved_by=principal),
        "notices": test_notices_access.build_world(community, member),
        "supervision": test_supervision_access.build_world(community, pengawas),
    }


def sign_in(browser, live_server, user):
    """Starts this persona's session in the browser without the login form."""
    browser.delete_all_cookies()
    if user is None:
        return None
    client = Client()
    client.force_login(user)
    browser.get(live_server.url + reverse("offline"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    browser.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "path": "/"})
    assert client.session[SESSION_KEY] == str(user.pk)
    return client
