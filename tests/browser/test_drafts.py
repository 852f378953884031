"""Writing survives a dropped line: a half-written reflection comes back after a reload
and is cleared once saved; minutes written while the login expired come back after
signing in again."""

import time

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from activities.models import Activity, Reflection
from tests.browser.conftest import coordinator_and_activity, log_in
from tests.browser.test_community_flow import click_button
from tests.factories import PASSWORD

HALF_WRITTEN = "Siswa lebih berani bertanya ketika bekerja berpasangan, tetapi"


def drafts(browser):
    return browser.execute_script(
        "return Object.keys(localStorage).filter((k) => k.startsWith('kompra-draft:'))"
        ".map((k) => [k, JSON.parse(localStorage.getItem(k)).text]);"
    )


def field(browser, name):
    return browser.find_element(By.CSS_SELECTOR, f"main textarea[name={name}]")


def type_into(browser, name, text):
    box = field(browser, name)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", box)
    box.send_keys(text)
    WebDriverWait(browser, 5).until(lambda b: any(text in saved for _key, saved in drafts(b)))


@pytest.fixture
def held(transactional_db):
    return coordinator_and_activity(status=Activity.Status.HELD)


@pytest.mark.browser
def test_a_half_written_reflection_survives_a_reload_and_saving_clears_it(browser, live_server, held):
    teacher, activity = held
    log_in(browser, live_server, teacher.email, PASSWORD)
    form_url = live_server.url + reverse("activities:reflect_activity", args=[activity.community.slug, activity.uid])
    browser.get(form_url)
    first_question = browser.find_element(By.CSS_SELECTOR, "main form textarea[data-draft]").get_attribute("name")
    type_into(browser, first_question, HALF_WRITTEN)

    browser.refresh()
    WebDriverWait(browser, 5).until(lambda b: field(b, first_question).get_attribute("value") == HALF_WRITTEN)
    assert browser.find_element(By.CSS_SELECTOR, "[data-draft-note]").is_displayed()

    type_into(browser, first_question, " setelah dicoba dua minggu.")
    click_button(browser, "main form button[type=submit]")
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, '[data-message-level="success"]'))
    saved = Reflection.objects.get(activity=activity, author=teacher)
    assert saved.answers[first_question] == HALF_WRITTEN + " setelah dicoba dua minggu."
    assert drafts(browser) == []

    # Coming back to write another one starts empty.
    browser.get(form_url)
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-draft-note]")


@pytest.mark.browser
def test_minutes_written_while_the_login_expired_come_back_after_signing_in(browser, live_server, held):
    teacher, activity = held
    log_in(browser, live_server, teacher.email, PASSWORD)
    minutes_url = reverse("activities:minutes", args=[activity.community.slug, activity.uid])
    browser.get(live_server.url + minutes_url)
    type_into(browser, "minutes", "Kesepakatan: membaca berpasangan tiap pagi.")

    browser.delete_cookie("sessionid")  # the session ends while the teacher writes
    click_button(browser, "main form [type=submit]")
    WebDriverWait(browser, 10).until(lambda b: "/akun/login/" in b.current_url)
    browser.find_element(By.NAME, "login").send_keys(teacher.email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    click_button(browser, "main form button[type=submit]")
    WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith(minutes_url))
    WebDriverWait(browser, 5).until(
        lambda b: field(b, "minutes").get_attribute("value") == "Kesepakatan: membaca berpasangan tiap pagi."
    )
    activity.refresh_from_db()
    assert activity.minutes == ""  # nothing was saved: the text lives on in the browser only

    click_button(browser, "main form [type=submit]")
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, '[data-message-level="success"]'))
    activity.refresh_from_db()
    assert activity.minutes == "Kesepakatan: membaca berpasangan tiap pagi."
    time.sleep(0.2)
    assert drafts(browser) == []
