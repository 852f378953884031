"""Installable and friendly offline: once a signed-in teacher has used the site, the service
worker's cache holds static files and the offline page only, never a page they saw."""

import pytest
from django.urls import reverse
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import coordinator_and_activity, log_in
from tests.factories import PASSWORD

CACHED_URLS = """
const done = arguments[arguments.length - 1];
(async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
  }
  done(urls);
})();
"""


@pytest.mark.browser
def test_the_worker_keeps_static_files_and_the_offline_page_only(browser, live_server, transactional_db):
    teacher, activity = coordinator_and_activity(status="planned")
    log_in(browser, live_server, teacher.email, PASSWORD)
    browser.get(live_server.url + activity.get_absolute_url())
    browser.set_script_timeout(20)
    WebDriverWait(browser, 20).until(
        lambda b: (
            b.execute_script("return navigator.serviceWorker && !!navigator.serviceWorker.controller") or b.refresh()
        )
    )
    browser.refresh()  # a page seen while the worker is in charge
    cached = browser.execute_async_script(CACHED_URLS)
    assert reverse("offline") in cached
    assert all(url.startswith("/static/") or url == reverse("offline") for url in cached), cached
    assert activity.get_absolute_url() not in cached

    # The offline page itself: Chrome's network emulation does not reach the worker's own
    # requests, so the worker's fallback is checked in tests/test_site_access.py instead.
    browser.get(live_server.url + reverse("offline"))
    assert "Sedang tidak ada koneksi" in browser.page_source
    assert teacher.full_name not in browser.page_source
