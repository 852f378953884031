"""On a phone (360x740): the bell shows a new notice, the notices page opens it, and the
activity's WhatsApp link carries its title, time with zone and place."""

from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from activities.models import Activity
from activities.services import activity_save
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.browser


def test_bell_notice_and_whatsapp_share(browser, live_server, transactional_db):
    school = SchoolFactory(npsn="20499001")
    community = CommunityFactory(name="Literasi Pagi", home_school=school)
    coordinator = UserFactory(school=school, full_name="Budi Koordinator")
    member = UserFactory(school=school, full_name="Ani Anggota", time_zone="Asia/Makassar")
    MembershipFactory(user=coordinator, community=community, role="coordinator")
    MembershipFactory(user=member, community=community)

    log_in(browser, live_server, member.email, PASSWORD)
    bell = browser.find_element(By.ID, "notice-bell")
    assert bell.is_displayed()  # beside the menu button, not hidden in it
    assert not browser.find_elements(By.CSS_SELECTOR, "#notice-bell .notice-count")

    start = (timezone.now() + timedelta(days=2)).replace(hour=6, minute=30, second=0, microsecond=0)
    activity = Activity(
        community=community,
        title="Bedah Buku Cerita",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Perpustakaan",
        proposed_by=coordinator,
    )
    activity_save(activity=activity, by=coordinator)

    browser.refresh()
    count = browser.find_element(By.CSS_SELECTOR, "#notice-bell .notice-count")
    assert count.is_displayed() and count.text == "1"
    browser.find_element(By.ID, "notice-bell").click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("/pemberitahuan/"))
    notice = browser.find_element(By.CSS_SELECTOR, ".notice-unread .notice-open")
    assert "Bedah Buku Cerita" in notice.text and "WITA" in notice.text
    notice.click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains(str(activity.uid)))
    assert not browser.find_elements(By.CSS_SELECTOR, "#notice-bell .notice-count")  # read now

    share = browser.find_element(By.CSS_SELECTOR, "a.share-whatsapp")
    assert share.is_displayed()
    # Fully on screen at 360 px: nothing to scroll sideways to reach it.
    assert share.location["x"] + share.size["width"] <= 360
    href = share.get_attribute("href")
    assert href.startswith("https://wa.me/?text=")
    text = unquote(href.split("text=", 1)[1])
    assert "*Bedah Buku Cerita*" in text
    assert "14.30 WITA" in text
    assert "Perpustakaan" in text
    assert str(activity.uid) in text
