"""A teacher on a phone with a slow uplink (400 kbit/s, set through the Chrome DevTools
Protocol) documents an activity with a 4000 x 3000 camera photo through the real form:
the photo shrinks in the browser, the progress bar moves, the stored photo arrives
upright, and sending it again (twice at once) keeps one copy."""

import time

import pytest
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from activities.models import Activity, Document
from tests.browser.conftest import coordinator_and_activity, log_in
from tests.browser.test_community_flow import click_button
from tests.factories import PASSWORD

UPLINK_BITS_PER_SECOND = 400_000
EXIF_ORIENTATION = 0x0112
ROTATED_90 = 6  # the camera was held upright: the pixels lie on their side


def camera_photo(path, size=(4000, 3000)):
    """A JPEG like a phone camera's: 12 megapixels of fine detail (about 4 MB), stored
    sideways with an EXIF orientation saying "turn me upright"."""
    width, height = size
    noise = Image.effect_noise((width // 2, height // 2), 25).resize(size, Image.Resampling.NEAREST)
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (noise, gradient, Image.eval(noise, lambda v: 255 - v)))
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = ROTATED_90
    exif[0x0110] = "Model X"
    image.save(path, "JPEG", quality=88, exif=exif.tobytes())
    return path


def throttle(browser, *, up_bits_per_second, down_bits_per_second=1_600_000, latency_ms=150):
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": latency_ms,
            "downloadThroughput": down_bits_per_second / 8,
            "uploadThroughput": up_bits_per_second / 8,
        },
    )


def upload_watching_progress(browser, timeout=120):
    """Presses Upload and samples the progress bar until the page moves on: the percents seen."""
    seen = []
    click_button(browser, ".upload-form button[type=submit]")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = browser.execute_script(
            "const f = document.querySelector('form[data-upload]');"
            "if (!f) return null;"
            "const p = f.querySelector('[data-upload-progress]');"
            "return {shown: !p.hidden, value: p.querySelector('progress').value,"
            " disabled: f.querySelector('button[type=submit]').disabled};"
        )
        if state is None or browser.find_elements(By.CSS_SELECTOR, "[data-message-level]"):
            return seen
        if state["shown"]:
            seen.append((state["value"], state["disabled"]))
        time.sleep(0.1)
    raise AssertionError(f"the upload did not finish in {timeout} s; progress seen: {seen[-5:]}")


@pytest.fixture
def meeting(transactional_db):
    return coordinator_and_activity(status=Activity.Status.PLANNED)


@pytest.mark.browser
def test_a_camera_photo_over_a_slow_uplink_arrives_once(browser, live_server, meeting, tmp_path):
    teacher, activity = meeting
    photo = camera_photo(tmp_path / "IMG_20260312_101500.jpg")
    assert photo.stat().st_size > 3_000_000

    log_in(browser, live_server, teacher.email, PASSWORD)
    throttle(browser, up_bits_per_second=UPLINK_BITS_PER_SECOND)
    page = live_server.url + activity.get_absolute_url()
    browser.get(page)
    browser.execute_script("document.querySelector('form[data-upload]').closest('details').open = true")
    browser.find_element(By.CSS_SELECTOR, "form[data-upload] input[type=file]").send_keys(str(photo))

    started = time.monotonic()
    seen = upload_watching_progress(browser)
    seconds = time.monotonic() - started

    # The bar moved through the middle, never backwards, with the button held down.
    values = [value for value, _disabled in seen]
    assert any(5 <= value <= 95 for value in values), values
    assert len({value for value in values if 0 < value < 100}) >= 3, values
    assert values == sorted(values)
    assert all(disabled for _value, disabled in seen), seen
    # Sent whole, 4 MB would need over 80 s at 400 kbit/s; shrunk, it goes in a fraction.
    assert seconds < photo.stat().st_size * 8 / UPLINK_BITS_PER_SECOND / 3

    stored = Document.objects.get()
    assert (stored.width, stored.height) == (1200, 1600)  # upright, long side 1600
    assert stored.size < 600_000
    assert Image.open(stored.file.path).size == (1200, 1600)
    assert browser.find_elements(By.CSS_SELECTOR, '[data-message-level="success"]')

    # The same photo again, submitted twice at once: nothing new is stored.
    browser.get(page)
    browser.execute_script("document.querySelector('form[data-upload]').closest('details').open = true")
    browser.find_element(By.CSS_SELECTOR, "form[data-upload] input[type=file]").send_keys(str(photo))
    browser.execute_script(
        "const f = document.querySelector('form[data-upload]'); f.requestSubmit(); f.requestSubmit();"
    )
    WebDriverWait(browser, 120).until(lambda b: b.find_elements(By.CSS_SELECTOR, '[data-message-level="info"]'))
    assert Document.objects.count() == 1
    assert activity.documents.get() == stored
