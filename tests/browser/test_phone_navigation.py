"""A community on a 360 x 740 phone: the main sections in one row, the rest behind "More"
(which then carries the active section's name), the title block and the tabs within a
fifth of the screen, nothing sideways, and real links that work without JavaScript."""

import pytest
from selenium.webdriver.common.by import By

from tests import test_activities_access
from tests.browser.conftest import VIEWPORT, sign_in

WIDTH, HEIGHT = VIEWPORT

MEASURE = """
const nav = document.querySelector('.section-nav');
const shown = Array.from(nav.querySelectorAll('.section-tabs > li'))
  .filter((li) => getComputedStyle(li).display !== 'none');
const active = Array.from(nav.querySelectorAll('.active'))
  .filter((el) => el.getClientRects().length && el.getBoundingClientRect().width > 0)[0];
const box = active ? active.getBoundingClientRect() : null;
return {
  header: document.querySelector('body > header').getBoundingClientRect().height,
  navBottom: nav.getBoundingClientRect().bottom,
  rows: new Set(shown.map((li) => Math.round(li.getBoundingClientRect().top))).size,
  shown: shown.map((li) => li.textContent.trim().replace(/\\s+/g, ' ')),
  active: active ? active.textContent.trim() : null,
  activeInView: box ? box.left >= 0 && box.right <= innerWidth && box.bottom <= innerHeight : false,
  scrollWidth: document.documentElement.scrollWidth,
};
"""


@pytest.mark.browser
@pytest.mark.parametrize(
    ("name", "active"),
    [("detail", "Kegiatan"), ("attendance", "Kegiatan"), ("reflections", "Refleksi"), ("gallery", "Dokumentasi")],
)
def test_community_sections_fit_a_phone(browser, live_server, worlds, coordinator, name, active):
    sign_in(browser, live_server, coordinator)
    browser.get(live_server.url + test_activities_access.url_for(name, worlds["activities"]))
    page = browser.execute_script(MEASURE)
    assert page["scrollWidth"] <= WIDTH
    assert page["rows"] == 1, page["shown"]
    assert page["shown"][:4] == ["Ringkasan", "Anggota", "Masalah", "Kegiatan"]
    assert len(page["shown"]) == 5
    assert page["active"] == active
    assert page["activeInView"]
    # The site header, the community's name and its tabs: at most a fifth of the screen.
    assert page["header"] <= HEIGHT / 5
    assert page["navBottom"] <= HEIGHT / 5, page["navBottom"]


@pytest.mark.browser
def test_more_opens_real_links_without_javascript(browser, live_server, worlds, coordinator):
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    sign_in(browser, live_server, coordinator)
    browser.get(live_server.url + test_activities_access.url_for("list", worlds["activities"]))
    browser.find_element(By.CSS_SELECTOR, ".tab-more summary").click()
    link = browser.find_element(By.LINK_TEXT, "Refleksi")
    assert link.is_displayed()
    link.click()
    assert browser.current_url.endswith("/refleksi/")
    assert browser.find_element(By.CSS_SELECTOR, ".tab-more summary").text.startswith("Refleksi")
