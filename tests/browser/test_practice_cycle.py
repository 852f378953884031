"""One turn of the practice cycle on a phone-sized screen, in Indonesian: a meeting on a
shared problem, check-ins, a photo with location data, minutes, two 4P reflections, an
action plan carried out, the cycle view, and the readiness checklist moving."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from activities.models import ActionPlan, Activity, Document, Reflection
from communities.models import Membership, Stage
from tests.browser.conftest import log_in
from tests.browser.test_community_flow import click_button, fill, submit
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, ProblemFactory, SchoolFactory, UserFactory

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
FORMAT = "%Y-%m-%dT%H:%M"


@pytest.fixture
def circle(transactional_db):
    school = SchoolFactory(npsn="20400123", name="SMP Negeri 1 Sleman")
    community = CommunityFactory(name="Literasi Kelas Rendah", home_school=school, stage=Stage.MENUMBUHKAN)
    coordinator = UserFactory(school=school, email="budi@smpn1.sch.id", full_name="Budi Santoso")
    members = [
        UserFactory(school=school, email="ani@smpn1.sch.id", full_name="Ani Rahmawati"),
        UserFactory(school=school, email="dewi@smpn1.sch.id", full_name="Dewi Lestari"),
    ]
    MembershipFactory(user=coordinator, community=community, role=Membership.Role.COORDINATOR)
    for member in members:
        MembershipFactory(user=member, community=community)
    problem = ProblemFactory(
        community=community,
        raised_by=members[0],
        title="Siswa sulit menemukan gagasan utama",
        created_at=timezone.now() - timedelta(days=7),
    )
    return {"community": community, "coordinator": coordinator, "members": members, "problem": problem}


def gps_photo(path):
    """A real camera-like JPEG carrying GPS coordinates and a camera model in EXIF."""
    image = Image.new("RGB", (1200, 900), (180, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "KameraHP"
    exif[0x0110] = "Model X"
    exif[0x8825] = {1: "S", 2: (7.0, 46.0, 30.0), 3: "E", 4: (110.0, 21.0, 15.0)}
    image.save(path, "JPEG", exif=exif.tobytes(), quality=90)
    assert Image.open(path).getexif().get_ifd(0x8825)
    return path


def readiness(browser, live_server, slug):
    browser.get(f"{live_server.url}/k/{slug}/tahap/")
    items = browser.find_elements(By.CSS_SELECTOR, "ul.readiness li[data-indicator]")
    return {item.get_attribute("data-indicator"): "readiness-met" in item.get_attribute("class") for item in items}


@pytest.mark.browser
def test_one_turn_of_the_practice_cycle(browser, live_server, circle, tmp_path):
    url = live_server.url
    community, problem = circle["community"], circle["problem"]
    coordinator, members = circle["coordinator"], circle["members"]

    log_in(browser, live_server, coordinator.email, PASSWORD)
    before = readiness(browser, live_server, community.slug)
    assert before["action_plan"] is False
    assert before["documented"] is False
    assert before["reflected"] is False

    # 1. The coordinator plans a meeting on the shared problem, starting now.
    browser.get(f"{url}/k/{community.slug}/kegiatan/baru/?masalah={problem.uid}")
    now = timezone.localtime()
    fill(browser, "title", "Pertemuan: strategi menemukan gagasan utama")
    for name, value in (("starts_at", now - timedelta(minutes=5)), ("ends_at", now + timedelta(hours=1))):
        browser.execute_script(
            "document.querySelector(`main [name=${arguments[0]}]`).value = arguments[1]", name, value.strftime(FORMAT)
        )
    fill(browser, "place", "Perpustakaan")
    assert Select(browser.find_element(By.NAME, "problem")).first_selected_option.text == problem.title
    submit(browser)
    WebDriverWait(browser, 10).until(lambda b: Activity.objects.exists())
    activity = Activity.objects.get()
    assert activity.problem == problem

    # 2. Members check themselves in.
    for member in members:
        log_in(browser, live_server, member.email, PASSWORD)
        browser.get(url + activity.get_absolute_url())
        click_button(browser, "form[action$='/hadir/'] button")
        WebDriverWait(browser, 10).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".alert-success"))
        )
    assert activity.attendances.filter(status="present").count() == 2

    # 3. The coordinator uploads a photo with GPS data, confirms consent, writes minutes, marks it held.
    log_in(browser, live_server, coordinator.email, PASSWORD)
    browser.get(url + activity.get_absolute_url())
    browser.execute_script("document.querySelector('form.upload-form').closest('details').open = true")
    browser.find_element(By.CSS_SELECTOR, "input[type=file][name=files]").send_keys(
        str(gps_photo(tmp_path / "kelas.jpg"))
    )
    fill(browser, "caption", "Siswa berdiskusi dalam kelompok")
    click_button(browser, "input[name=shows_students]")
    click_button(browser, "input[name=consent_confirmed]")
    click_button(browser, ".upload-form button[type=submit]")
    WebDriverWait(browser, 15).until(lambda b: Document.objects.exists())
    photo = Document.objects.get()
    assert photo.shows_students and photo.consent_confirmed
    stored = Image.open(photo.file.path)
    assert dict(stored.getexif()) == {}
    assert b"KameraHP" not in Path(photo.file.path).read_bytes()

    browser.get(f"{url}/k/{community.slug}/kegiatan/{activity.uid}/notulen/")
    fill(browser, "minutes", "Kesepakatan: setiap guru mencoba **peta konsep** di kelas minggu ini.")
    submit(browser)
    WebDriverWait(browser, 10).until(lambda b: Activity.objects.get().minutes != "")
    Select(browser.find_element(By.ID, "activity-status")).select_by_value("held")
    click_button(browser, "form[action$='/status/'] button")
    WebDriverWait(browser, 10).until(lambda b: Activity.objects.get().status == Activity.Status.HELD)

    # 4. Two members write 4P reflections.
    for number, member in enumerate(members, start=1):
        log_in(browser, live_server, member.email, PASSWORD)
        assert (
            activity.title in browser.find_element(By.CSS_SELECTOR, "#dash-reflect").find_element(By.XPATH, "..").text
        )
        browser.get(f"{url}/k/{community.slug}/kegiatan/{activity.uid}/refleksi/?model=4p")
        fill(browser, "peristiwa", f"Refleksi {number}: siswa memetakan gagasan dengan peta konsep.")
        fill(browser, "pembelajaran", "Peta konsep membantu siswa melihat hubungan antarkalimat.")
        fill(browser, "penerapan", "Saya akan memakainya lagi minggu depan.")
        submit(browser)
        WebDriverWait(browser, 10).until(lambda b, n=number: Reflection.objects.count() == n)
    assert {r.template for r in Reflection.objects.all()} == {"4p"}

    # 5. An action plan is created from the problem and completed.
    log_in(browser, live_server, coordinator.email, PASSWORD)
    browser.get(f"{url}/k/{community.slug}/masalah/{problem.uid}/aksi/baru/")
    fill(browser, "what", "Setiap guru mencoba peta konsep di satu kelas dan membawa hasil kerja siswa.")
    browser.execute_script(
        "document.querySelector('main [name=due]').value = arguments[0]",
        (timezone.localdate() + timedelta(days=7)).isoformat(),
    )
    submit(browser)
    WebDriverWait(browser, 10).until(lambda b: ActionPlan.objects.exists())
    plan = ActionPlan.objects.get()
    browser.get(url + plan.get_absolute_url())
    Select(browser.find_element(By.CSS_SELECTOR, "main [name=status]")).select_by_value("done")
    fill(browser, "outcome", "Semua anggota mencoba; hasil kerja siswa dibawa ke pertemuan.")
    submit(browser)
    WebDriverWait(browser, 10).until(expected_conditions.url_contains(f"/aksi/{plan.uid}/refleksi/"))
    assert ActionPlan.objects.get().status == ActionPlan.Status.DONE

    # 6. The problem's cycle view shows it all, in order.
    browser.get(url + problem.get_absolute_url())
    kinds = [li.get_attribute("data-kind") for li in browser.find_elements(By.CSS_SELECTOR, ".cycle-timeline li")]
    assert kinds[0] == "problem"
    assert kinds.index("activity") < kinds.index("document") < kinds.index("reflection")
    assert kinds.count("reflection") == 2 and "action" in kinds
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "practice-cycle.png"))

    # 7. The stage page's readiness checklist has moved.
    after = readiness(browser, live_server, community.slug)
    assert after["action_plan"] is True
    assert after["documented"] is True
    assert after["reflected"] is True
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "id"
