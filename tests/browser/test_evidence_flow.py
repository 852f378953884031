"""A teacher's own evidence on a 360x740 phone, in Indonesian: the teacher opens their
portfolio and downloads its PDF; the principal approves a certificate the coordinator
asked for; an anonymous visitor verifies it from its code."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from activities.models import Activity, Attendance
from communities.models import Membership
from evidence.models import Certificate
from tests.browser.conftest import log_in
from tests.browser.test_community_flow import click_button
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, PrincipalFactory, SchoolFactory, UserFactory


@pytest.fixture
def evidence_life(transactional_db):
    school = SchoolFactory(npsn="20400123", name="SMP Negeri 1 Sleman")
    principal = PrincipalFactory(
        school=school, email="kepsek@smpn1.sch.id", full_name="Sri Wahyuni", nip="197501012000031002"
    )
    coordinator = UserFactory(school=school, email="budi@smpn1.sch.id", full_name="Budi Santoso")
    member = UserFactory(school=school, email="ani@smpn1.sch.id", full_name="Ani Rahmawati", nip="198503152010011002")
    community = CommunityFactory(name="Literasi Kelas Rendah", home_school=school)
    MembershipFactory(user=coordinator, community=community, role=Membership.Role.COORDINATOR)
    MembershipFactory(user=member, community=community, joined_at=timezone.now() - timedelta(days=60))
    start = timezone.now() - timedelta(days=10)
    activity = Activity.objects.create(
        community=community,
        title="Berbagi praktik peta konsep",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        status=Activity.Status.HELD,
        proposed_by=coordinator,
    )
    Attendance.objects.create(activity=activity, user=member, status=Attendance.Status.PRESENT)
    certificate = Certificate.objects.create(
        community=community,
        holder=member,
        start=timezone.localdate() - timedelta(days=30),
        end=timezone.localdate(),
        requested_by=coordinator,
    )
    return {"principal": principal, "member": member, "activity": activity, "certificate": certificate}


def no_horizontal_scroll(browser):
    return browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
def test_portfolio_pdf_certificate_approval_and_public_verification(browser, live_server, evidence_life, tmp_path):
    url = live_server.url
    life = evidence_life
    downloads = tmp_path / "unduhan"
    downloads.mkdir()

    # 1. The teacher opens their portfolio and downloads the PDF.
    log_in(browser, live_server, life["member"].email, PASSWORD)
    browser.get(url + "/portofolio-saya/")
    WebDriverWait(browser, 10).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "a[href*='portofolio-saya.pdf']"))
    )
    assert "Pertemuan yang dihadiri" in browser.find_element(By.TAG_NAME, "main").text
    assert life["activity"].title in browser.find_element(By.TAG_NAME, "main").text
    assert no_horizontal_scroll(browser)
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    click_button(browser, "a[href*='portofolio-saya.pdf']")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(downloads.glob("*.pdf")):
        time.sleep(0.2)
    (pdf,) = downloads.glob("*.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Ani Rahmawati" in text
    assert life["activity"].title in text

    # 2. The principal approves the certificate the coordinator asked for.
    log_in(browser, live_server, life["principal"].email, PASSWORD)
    browser.get(url + "/sertifikat/persetujuan/")
    assert "Ani Rahmawati" in browser.find_element(By.TAG_NAME, "main").text
    assert no_horizontal_scroll(browser)
    click_button(browser, f"form[action$='{life['certificate'].uid}/setujui/'] button")
    certificate = life["certificate"]
    WebDriverWait(browser, 30).until(lambda b: Certificate.objects.filter(pk=certificate.pk, state="approved").exists())
    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as stored:
        text = "\n".join(page.extract_text() for page in PdfReader(stored).pages)
    assert certificate.code in text
    assert "197501012000031002" in text and "Sri Wahyuni" in text

    # 3. An anonymous visitor verifies it from its code.
    browser.delete_all_cookies()
    browser.get(f"{url}/verifikasi/{certificate.code}/")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Sertifikat ini berlaku." in main
    assert "Ani Rahmawati" in main and certificate.sha256 in main
    assert no_horizontal_scroll(browser)
