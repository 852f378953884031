"""What a phone on a slow connection downloads and uploads.

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python scripts/bench_phone.py

Builds the school of scripts/bench_school.py (50 communities, six months of meetings) in a
throwaway test database, serves it on a free local port, and drives headless Chromium at
360x740:
- for the main pages, the bytes transferred (compressed, as the network carries them) on
  the first view (empty cache, no service worker) and on the repeat view;
- the upload of a 4 MB, 4000x3000 camera photo at 400 kbit/s up: the time it would take
  sent whole (estimated from its size) and the time through the real form, where the
  browser shrinks it first (measured, until the page confirms the upload).
Prints numbers; it is not a test.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.testcases import LiveServerThread  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

UPLINK_BITS_PER_SECOND = 400_000
WIDTH, HEIGHT = 360, 740


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from tests.browser.conftest import chromium_options

    options = chromium_options(width=WIDTH, height=HEIGHT, profile=tempfile.mkdtemp(prefix="kompra-bench-"))
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": True}
    )
    driver.execute_cdp_cmd("Network.enable", {})
    return driver


def events(driver):
    return [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]


def transferred(driver, url, client):
    """Bytes the page's requests carried over the network, loading `url` once. A page that
    the service worker fetched shows 0 bytes in the page's own log (the worker's request
    is its own), so its size is taken as the server sends it, compressed, to this person."""
    events(driver)  # drop what came before
    driver.get(url)
    time.sleep(0.5)  # late images and scripts
    log = events(driver)
    total = sum(e["params"]["encodedDataLength"] for e in log if e["method"] == "Network.loadingFinished")
    requests = sum(1 for e in log if e["method"] == "Network.loadingFinished")
    for event in log:
        response = event["params"].get("response", {})
        is_page = event["method"] == "Network.responseReceived" and event["params"].get("type") == "Document"
        if is_page and response.get("fromServiceWorker"):
            total += len(client.get(response["url"], headers={"accept-encoding": "gzip"}).content)
    return total, requests


def forget_everything(driver, origin):
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.execute_cdp_cmd(
        "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "cache_storage,service_workers"}
    )


def sign_in(driver, base, user):
    """The person's session in the browser, and a test client with the same session."""
    driver.delete_all_cookies()
    driver.get(base + "/luring/")
    client = Client()
    if user is not None:
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        driver.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": session, "path": "/"})
    return client


def real_thumbnails(community):
    """bench_school records photos without files; the pages a phone opens here get real ones."""
    from tests.factories import jpeg_bytes

    for document in community.documents.all():
        default_storage.save(document.thumbnail.name, ContentFile(jpeg_bytes((400, 300), (90, 140, 60))))


def upload(driver, base, activity, photo):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 150,
            "downloadThroughput": 1_600_000 / 8,
            "uploadThroughput": UPLINK_BITS_PER_SECOND / 8,
        },
    )
    driver.get(base + activity.get_absolute_url())
    driver.execute_script("document.querySelector('form[data-upload]').closest('details').open = true")
    driver.find_element(By.CSS_SELECTOR, "form[data-upload] input[type=file]").send_keys(str(photo))
    events(driver)
    started = time.monotonic()
    driver.execute_script("document.querySelector('form[data-upload]').requestSubmit()")
    WebDriverWait(driver, 600).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-message-level]"))
    seconds = time.monotonic() - started
    sent = None
    for event in events(driver):
        if event["method"] == "Network.requestWillBeSentExtraInfo":
            headers = {k.lower(): v for k, v in event["params"].get("headers", {}).items()}
            if headers.get(":method", "POST") == "POST" and "content-length" in headers:
                sent = int(headers["content-length"])
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    return seconds, sent


def main():
    from bench_school import build

    from publishing.models import Publication
    from tests.browser.test_phone_uploads import camera_photo

    setup_test_environment()
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="kompra-bench-media-")
    # Static files as production serves them: hashed names, precompressed by WhiteNoise.
    settings.STATIC_ROOT = tempfile.mkdtemp(prefix="kompra-bench-static-")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", interactive=False, verbosity=0)
    # A database file, so the server's threads each open their own connection.
    settings.DATABASES["default"]["TEST"]["NAME"] = str(Path(settings.MEDIA_ROOT) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    server = None
    driver = None
    try:
        school, principal, (community, coordinator, activity) = build()
        real_thumbnails(community)
        publication = Publication.objects.filter(community=community).first()
        server = LiveServerThread("localhost", lambda application: application, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        base = f"http://localhost:{server.port}"
        driver = browser()

        pages = [
            ("login", None, "/akun/login/"),
            ("public showcase", None, "/publik/"),
            ("public publication", None, publication.get_absolute_url()),
            ("personal dashboard", coordinator, "/dasbor/"),
            ("community overview", coordinator, community.get_absolute_url()),
            ("activity list", coordinator, f"/k/{community.slug}/kegiatan/"),
            ("activity page", coordinator, activity.get_absolute_url()),
            ("gallery (24 photos)", coordinator, f"/k/{community.slug}/dokumentasi/"),
            ("school dashboard", principal, f"/sekolah/{school.npsn}/"),
        ]
        print(f"Transferred bytes at {WIDTH}x{HEIGHT} (compressed, all requests of the page)")
        print(f"{'page':26} {'first view':>12} {'requests':>9} {'repeat view':>12} {'requests':>9}")
        for label, user, address in pages:
            client = sign_in(driver, base, user)
            forget_everything(driver, base)
            first, first_count = transferred(driver, base + address, client)
            time.sleep(1)  # the service worker installs and takes over
            repeat, repeat_count = transferred(driver, base + address, client)
            print(f"{label:26} {first:12,d} {first_count:9d} {repeat:12,d} {repeat_count:9d}")

        photo = camera_photo(Path(tempfile.mkdtemp(prefix="kompra-bench-photo-")) / "IMG_20260312_101500.jpg")
        size = photo.stat().st_size
        sign_in(driver, base, coordinator)
        seconds, sent = upload(driver, base, activity, photo)
        print()
        print(f"Camera photo 4000x3000, {size:,d} bytes, uplink {UPLINK_BITS_PER_SECOND // 1000} kbit/s")
        print(f"  sent whole (estimated from its size):  {size * 8 / UPLINK_BITS_PER_SECOND:6.1f} s")
        sent_text = f", {sent:,d} bytes sent" if sent else ""
        print(f"  shrunk in the browser (measured{sent_text}): {seconds:6.1f} s")
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.terminate()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
