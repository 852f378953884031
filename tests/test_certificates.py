"""Certificates of participation: the coordinator requests, the principal of the
community's home school approves (or declines, or later revokes), anyone verifies."""

import hashlib
import io
from datetime import date, datetime, timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from communities.models import Membership
from evidence.models import Certificate
from tests.factories import ActivityFactory, AttendanceFactory
from tests.html import Page

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 6, 30)


def meeting(community, month, hours=2, status="held"):
    starts = timezone.make_aware(datetime(2026, month, 10, 14))
    return ActivityFactory(
        community=community, status=status, starts_at=starts, ends_at=starts + timedelta(hours=hours)
    )


@pytest.fixture
def attended(community, member, coordinator):
    AttendanceFactory(activity=meeting(community, 2), user=member)
    AttendanceFactory(activity=meeting(community, 3, hours=1.5), user=member)
    AttendanceFactory(activity=meeting(community, 4), user=member, status="absent")
    AttendanceFactory(activity=meeting(community, 5, status="cancelled"), user=member)
    AttendanceFactory(activity=meeting(community, 9), user=member)  # after the period
    AttendanceFactory(activity=meeting(community, 2, hours=3), user=coordinator)  # someone else


def request_certificate(login, coordinator, community, member, **overrides):
    data = {"holder": member.pk, "start": START.isoformat(), "end": END.isoformat(), **overrides}
    return login(coordinator).post(reverse("evidence:certificates", args=[community.slug]), data)


def test_request_approve_verify_revoke(login, community, coordinator, member, principal, attended):
    principal.nip = "197501012000031002"
    principal.save()
    response = request_certificate(login, coordinator, community, member)
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.state == "requested"
    # Nothing to verify or download before approval.
    assert Client().get(reverse("evidence:verify", args=[certificate.code])).status_code == 404
    assert login(member).get(reverse("evidence:certificate_pdf", args=[certificate.uid])).status_code == 404

    inbox = login(principal).get(reverse("evidence:approvals"))
    assert inbox.context["waiting"] == [certificate]
    response = login(principal).post(reverse("evidence:approve", args=[certificate.uid]))
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.state == "approved"
    assert (certificate.meetings, float(certificate.hours)) == (2, 3.5)
    assert certificate.roles == "anggota"
    assert (certificate.approver_name, certificate.approver_nip) == (principal.full_name, "197501012000031002")
    with default_storage.open(certificate.pdf.name, "rb") as stored:
        pdf = stored.read()
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    text = page.extract_text()
    for fact in (member.full_name, certificate.code, "197501012000031002", principal.full_name, "3,5"):
        assert fact in text, fact
    assert "/verifikasi/" + certificate.code in text.replace("\n", "")
    # The QR code is drawn as vector paths: hundreds of them.
    assert page.get_contents().get_data().count(b" m") > 100

    # The holder finds it on their portfolio page; the coordinator only sees its state.
    pdf_url = reverse("evidence:certificate_pdf", args=[certificate.uid])
    assert pdf_url in login(member).get(reverse("evidence:mine")).content.decode()
    coordinator_page = login(coordinator).get(reverse("evidence:certificates", args=[community.slug]))
    assert pdf_url not in coordinator_page.content.decode()
    assert "disetujui" in coordinator_page.content.decode()
    download = login(member).get(pdf_url)
    assert b"".join(download.streaming_content) == pdf

    page = Client().get(reverse("evidence:verify", args=[certificate.code]))
    assert page.status_code == 200
    text = Page(page.content.decode()).text
    assert member.full_name in text and certificate.sha256 in text
    assert "berlaku" in text.lower()
    # Nothing else: not the community, hours, roles nor the principal.
    for private in (community.name, principal.full_name, "3,5", "197501012000031002"):
        assert private not in text

    login(principal).post(reverse("evidence:revoke", args=[certificate.uid]))
    certificate.refresh_from_db()
    assert certificate.state == "revoked"
    text = Page(Client().get(reverse("evidence:verify", args=[certificate.code])).content.decode()).text
    assert "dicabut" in text


def test_tampered_or_unknown_codes_are_404(login, community, coordinator, member, principal):
    request_certificate(login, coordinator, community, member)
    certificate = Certificate.objects.get()
    login(principal).post(reverse("evidence:approve", args=[certificate.uid]))
    certificate.refresh_from_db()
    tampered = ("B" if certificate.code[0] == "A" else "A") + certificate.code[1:]
    for code in (tampered, certificate.code[:-1], "TIDAKADA", certificate.code + "X"):
        assert Client().get(reverse("evidence:verify", args=[code])).status_code == 404
    # The code is not case-sensitive, as people type it from paper.
    assert Client().get(reverse("evidence:verify", args=[certificate.code.lower()])).status_code == 200


def test_declined_certificates_are_not_verifiable(login, community, coordinator, member, principal):
    request_certificate(login, coordinator, community, member)
    certificate = Certificate.objects.get()
    login(principal).post(reverse("evidence:decline", args=[certificate.uid]))
    certificate.refresh_from_db()
    assert certificate.state == "declined"
    assert not certificate.pdf
    assert Client().get(reverse("evidence:verify", args=[certificate.code])).status_code == 404
    # A decided request is not decided again.
    login(principal).post(reverse("evidence:approve", args=[certificate.uid]))
    certificate.refresh_from_db()
    assert certificate.state == "declined"


def test_only_the_home_principal_decides(login, community, coordinator, member, other_principal, staff):
    request_certificate(login, coordinator, community, member)
    certificate = Certificate.objects.get()
    for person in (other_principal, coordinator, member, staff):
        assert login(person).post(reverse("evidence:approve", args=[certificate.uid])).status_code == 404
    certificate.refresh_from_db()
    assert certificate.state == "requested"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end": "2025-12-31"}, "tidak boleh lebih awal"),
        ({"end": "2099-01-01"}, "paling lambat hari ini"),
    ],
)
def test_bad_requests_are_refused(login, community, coordinator, member, overrides, message):
    response = request_certificate(login, coordinator, community, member, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Certificate.objects.exists()


def test_only_members_get_certificates_and_a_request_is_open_once(login, community, coordinator, member, teacher):
    response = request_certificate(login, coordinator, community, teacher)
    assert response.status_code == 200
    assert "holder" in response.context["form"].errors
    request_certificate(login, coordinator, community, member)
    response = request_certificate(login, coordinator, community, member)
    assert response.status_code == 200
    assert Certificate.objects.count() == 1
    # A member who left keeps their certificate.
    Membership.objects.filter(user=member).update(status="left")
    assert Certificate.objects.count() == 1


def test_the_approvals_page_does_not_grow_with_the_certificates(
    login, community, coordinator, member, principal, school, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    def add(n):
        for _ in range(n):
            person = UserFactory(school=school)
            Membership.objects.create(user=person, community=community, status="active")
            Certificate.objects.create(
                community=community, holder=person, start=START, end=END, requested_by=coordinator
            )

    client = login(principal)
    add(2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("evidence:approvals"))
    add(10)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("evidence:approvals"))
    assert len(response.context["waiting"]) == 12


def test_site_admins_read_certificates_and_shares_in_the_admin(login, staff, community, coordinator, member):
    request_certificate(login, coordinator, community, member)
    certificate = Certificate.objects.get()
    client = login(staff)
    assert client.get("/admin/evidence/certificate/").status_code == 200
    assert client.get(f"/admin/evidence/certificate/{certificate.pk}/change/").status_code == 200
    assert client.get("/admin/evidence/certificate/add/").status_code == 403
    assert client.get("/admin/evidence/portfolioshare/").status_code == 200


def test_the_way_in_for_coordinators_and_principals(login, community, coordinator, member, principal):
    certificates_url = reverse("evidence:certificates", args=[community.slug])
    overview = reverse("communities:detail", args=[community.slug])
    assert certificates_url in login(coordinator).get(overview).content.decode()
    assert certificates_url not in login(member).get(overview).content.decode()
    dashboard = login(principal).get(reverse("schools:dashboard", args=[community.home_school.npsn]))
    assert reverse("evidence:approvals") in dashboard.content.decode()
    assert reverse("evidence:shared_list") in dashboard.content.decode()


def test_the_principal_and_the_holder_are_told(login, community, coordinator, member, principal, other_principal):
    from notices.models import Notice

    request_certificate(login, coordinator, community, member)
    certificate = Certificate.objects.get()
    (told,) = Notice.objects.filter(kind="certificate_requested")
    assert told.recipient == principal
    assert told.url == reverse("evidence:approvals")
    login(principal).post(reverse("evidence:approve", args=[certificate.uid]))
    (told,) = Notice.objects.filter(kind="certificate_approved")
    assert told.recipient == member
    # The notices page lists them to whom they are for.
    assert "Sertifikat" in login(principal).get(reverse("notices:list")).content.decode()
