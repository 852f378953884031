"""Supervisors (pengawas, dinas pendidikan): which schools each oversees, the dashboard's
figures against direct counts, sorting, the chart, the report and CSV, read-only school
dashboards, a fixed number of queries, and feedback to principals."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from communities.models import Community, Stage, StageChange
from kompra.accounts.admin import UserEditForm
from kompra.accounts.models import School, User
from schools import selectors as school_selectors
from supervision import selectors
from supervision.models import SchoolFeedback
from tests.builders import DISTRICT, PROVINCE, build_district
from tests.factories import CommunityFactory, PrincipalFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def dinas_of(district, province, **kwargs):
    return UserFactory(school=None, role=User.Role.DINAS, office_district=district, office_province=province, **kwargs)


def english(client):
    client.cookies["django_language"] = "en"
    return client


DASHBOARD = reverse("supervision:dashboard")


# --- Who oversees which school ---------------------------------------------------------------


def test_pengawas_oversees_the_assigned_schools(school, other_school, pengawas, other_pengawas):
    assert list(School.objects.supervised_by(pengawas)) == [school]
    assert school not in School.objects.supervised_by(other_pengawas)
    assert other_school in School.objects.supervised_by(other_pengawas)


def test_district_dinas_oversees_early_and_basic_schools_of_its_district(school, dinas):
    sd = SchoolFactory(level=School.Level.SD, district=school.district, province=school.province)
    paud = SchoolFactory(level=School.Level.PAUD, district=school.district.upper(), province=school.province)
    sma = SchoolFactory(level=School.Level.SMA, district=school.district, province=school.province)
    slb = SchoolFactory(level=School.Level.SLB, district=school.district, province=school.province)
    elsewhere = SchoolFactory(level=School.Level.SMP, district="Kabupaten Bantul", province=school.province)
    same_name = SchoolFactory(level=School.Level.SMP, district=school.district, province="Jawa Tengah")
    overseen = set(School.objects.supervised_by(dinas))
    assert overseen == {school, sd, paud}
    assert not overseen & {sma, slb, elsewhere, same_name}


def test_province_dinas_oversees_upper_secondary_and_special_schools(school):
    sma = SchoolFactory(level=School.Level.SMA, district=school.district, province=school.province)
    smk = SchoolFactory(level=School.Level.SMK, district="Kota Yogyakarta", province=school.province)
    slb = SchoolFactory(level=School.Level.SLB, district="Kabupaten Bantul", province=school.province)
    SchoolFactory(level=School.Level.SMA, district="Kota Malang", province="Jawa Timur")
    office = dinas_of("", school.province)
    assert set(School.objects.supervised_by(office)) == {sma, smk, slb}


def test_nobody_else_supervises(school, teacher, principal, staff):
    for user in (teacher, principal, staff):
        assert not School.objects.supervised_by(user).exists()


def test_supervisors_see_only_their_schools_dashboards(school, other_school, pengawas, dinas, other_dinas, login):
    for user, allowed, refused in ((pengawas, school, other_school), (dinas, school, other_school)):
        for name in ("schools:dashboard", "schools:report", "supervision:feedback"):
            assert login(user).get(reverse(name, args=[allowed.npsn])).status_code == 200
            assert login(user).get(reverse(name, args=[refused.npsn])).status_code == 404
    assert login(other_dinas).get(reverse("schools:dashboard", args=[school.npsn])).status_code == 404
    assert login(other_dinas).get(reverse("schools:dashboard", args=[other_school.npsn])).status_code == 200


def test_supervisor_sees_no_community_page(community, coordinator, pengawas, dinas, login):
    """DESIGN.md: supervisors get "counts only"; a community's pages are not theirs, even
    of a school they oversee (a public community is open to every signed-in person)."""
    hidden = CommunityFactory(home_school=community.home_school, visibility=Community.Visibility.MEMBERS)
    for user in (pengawas, dinas):
        for target in (community, hidden):
            assert login(user).get(target.get_absolute_url()).status_code == 404


# --- Accounts ---------------------------------------------------------------------------------


def test_a_dinas_needs_a_province():
    user = User(email="disdik@example.go.id", full_name="Dinas", role=User.Role.DINAS)
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "office_province" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()


def test_a_supervisor_has_no_school(school):
    user = User(email="pengawas@example.go.id", full_name="Pengawas", role=User.Role.PENGAWAS, school=school)
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "school" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()


def test_only_a_pengawas_is_assigned_schools_in_the_admin(school, teacher):
    data = {
        "email": teacher.email,
        "full_name": teacher.full_name,
        "role": User.Role.TEACHER,
        "school": school.pk,
        "supervised_schools": [school.pk],
        "language": "id",
        "time_zone": "Asia/Jakarta",
        "date_joined": "2026-01-01 08:00:00",
        "is_active": True,
    }
    form = UserEditForm(data, instance=teacher)
    assert not form.is_valid()
    assert "supervised_schools" in form.errors
    data.update(role=User.Role.PENGAWAS, school="")
    form = UserEditForm(data, instance=teacher)
    assert form.is_valid(), form.errors
    form.save()
    assert list(School.objects.supervised_by(teacher)) == [school]


# --- The dashboard's figures, against direct counts -------------------------------------------


@pytest.fixture
def district():
    built = build_district(6, communities_per_school=4)
    office = dinas_of(DISTRICT, PROVINCE, email="disdik@uji.go.id", full_name="Disdik Uji")
    # A school of another district, and one of the district's own SMAs: neither is the office's.
    build_district(1, npsn_start=31000000, district="Kabupaten Lain", province=PROVINCE)
    SchoolFactory(npsn="32000000", level=School.Level.SMA, district=DISTRICT, province=PROVINCE)
    return built, office


def figures(response):
    """{npsn: {figure: text}} from the dashboard's table."""
    html = response.content.decode()
    table = {}
    for npsn, body in re.findall(r'<tr data-npsn="(\d+)">(.*?)</tr>', html, re.S):
        table[npsn] = {
            name: re.sub(r"<[^>]+>", " ", value).split()[0]
            for name, value in re.findall(r'data-figure="(\w+)">(.*?)</td>', body, re.S)
        }
        table[npsn]["stages"] = re.findall(r'data-stage="(\w+)">(\d+)<', body)
    return table


def test_dashboard_numbers_equal_direct_counts(district, login):
    built, office = district
    response = login(office).get(DASHBOARD)
    assert response.status_code == 200
    shown = figures(response)
    assert set(shown) == {school.npsn for school in built.schools}
    now = timezone.now()
    for school in built.schools:
        live = Community.objects.filter(home_school=school, archived=False)
        health = school_selectors.school_overview(school)
        held = Activity.objects.filter(
            community__in=live,
            status=Activity.Status.HELD,
            starts_at__lte=now,
            starts_at__gte=now - timedelta(days=90),
        )
        changes = StageChange.objects.filter(community__in=live, created_at__gte=now - timedelta(days=365))
        advances = sum(1 for change in changes if change.is_advance)
        row = shown[school.npsn]
        assert int(row["communities"]) == live.count()
        assert row["stages"] == [(stage, str(live.filter(stage=stage).count())) for stage in Stage.values]
        assert int(row["flagged"]) == sum(1 for h in health if h.flags)
        assert int(row["held_recent"]) == held.count()
        assert row["readiness"] == str(sum(h.readiness_met for h in health))
        assert f"{row['readiness']} / {sum(h.readiness_total for h in health)}" in response.content.decode()
        assert row["movement"] == f"↑{advances}"
        rows = {r.school.pk: r for r in selectors.oversight_rows(office)}
        assert rows[school.pk].slips == changes.count() - advances
        assert rows[school.pk].active_communities == held.values("community").distinct().count()
        assert rows[school.pk].flag_counts == {
            key: sum(1 for h in health if key in h.flags) for key in school_selectors.FLAGS
        }


def test_totals_and_chart(district, login):
    built, office = district
    html = login(office).get(DASHBOARD).content.decode()
    live = Community.objects.filter(home_school__in=built.schools, archived=False)
    assert f'data-total="communities">{live.count()}<' in html
    for stage in Stage.values:
        count = live.filter(stage=stage).count()
        assert f'data-stage="{stage}" data-count="{count}"' in html
    assert "<svg" in html and "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("key", list(selectors.SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_sorting(key, descending, district, login):
    built, office = district
    sort = f"-{key}" if descending else key
    html = login(office).get(DASHBOARD, {"urut": sort}).content.decode()
    order = re.findall(r'<tr data-npsn="(\d+)">', html)
    rows = {r.school.npsn: r for r in selectors.oversight_rows(office)}
    measure = selectors.SORTS[key][1]
    values = [measure(rows[npsn]) for npsn in order]
    assert values == sorted(values, reverse=descending)
    assert f'aria-sort="{"descending" if descending else "ascending"}"' in html


def test_an_unknown_sort_falls_back_to_names(district, login):
    built, office = district
    html = login(office).get(DASHBOARD, {"urut": "'; drop table"}).content.decode()
    order = re.findall(r'<tr data-npsn="(\d+)">', html)
    names = {s.npsn: s.name for s in built.schools}
    assert [names[n] for n in order] == sorted(names[n] for n in order)


def test_no_teacher_is_named(district, login):
    built, office = district
    client = login(office)
    pages = [
        client.get(DASHBOARD).content.decode(),
        client.get(reverse("supervision:report")).content.decode(),
        client.get(reverse("supervision:export")).content.decode("utf-8-sig"),
        client.get(reverse("schools:dashboard", args=[built.schools[0].npsn])).content.decode(),
    ]
    for teachers in built.teachers:
        for teacher in teachers:
            for page in pages:
                assert teacher.full_name not in page
                assert teacher.email not in page


def test_csv(district, login):
    built, office = district
    response = english(login(office)).get(reverse("supervision:export"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert sorted(row[0] for row in body) == sorted(s.npsn for s in built.schools)
    direct = {r.school.npsn: r for r in selectors.oversight_rows(office)}
    for row in body:
        assert int(row[header.index("Communities")]) == direct[row[0]].communities
        assert int(row[header.index("With a health flag")]) == direct[row[0]].flagged


def test_csv_is_safe_from_formula_injection(login):
    school = SchoolFactory(name="=HYPERLINK(1)", district="Kabupaten Uji", province="Provinsi Uji")
    office = dinas_of(school.district, school.province)
    body = login(office).get(reverse("supervision:export")).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body


def test_report_is_printable(district, login):
    built, office = district
    html = english(login(office)).get(reverse("supervision:report")).content.decode()
    assert "Report on the schools' communities of practice" in html
    assert html.count('<tr data-npsn="') == len(built.schools)
    assert "supervision.css" in html


def test_an_office_without_schools_is_told_so(login):
    office = dinas_of("Kabupaten Kosong", "Provinsi Kosong")
    html = english(login(office)).get(DASHBOARD).content.decode()
    assert "No school is assigned to you yet" in html


# --- Read-only drill-down -----------------------------------------------------------------------


def test_school_dashboard_is_read_only_for_supervisors(school, community, coordinator, pengawas, principal, login):
    StageChange.objects.create(
        community=community, from_stage="merintis", to_stage="menumbuhkan", changed_by=coordinator, note="Siap."
    )
    url = reverse("schools:dashboard", args=[school.npsn])
    as_principal = login(principal).get(url).content.decode()
    as_pengawas = login(pengawas).get(url).content.decode()
    assert community.get_absolute_url() in as_principal
    assert community.get_absolute_url() not in as_pengawas
    assert reverse("communities:stage", args=[community.slug]) not in as_pengawas
    assert reverse("schools:feedback", args=[community.slug]) not in as_pengawas
    assert reverse("schools:export_activities", args=[school.npsn]) not in as_pengawas
    assert reverse("communities:stage_endorse", args=[community.slug, community.stage_changes.get().uid]) not in (
        as_pengawas
    )
    assert community.name in as_pengawas
    assert reverse("supervision:feedback", args=[school.npsn]) in as_pengawas
    assert "read-only-note" in as_pengawas and "read-only-note" not in as_principal


# --- One page, a fixed number of queries -----------------------------------------------------


# Measured: session and user (2), the schools (1), their live communities (1), the readiness
# facts (8), the health aggregates but the monthly chart (5), recent activities, stage
# movement and feedback (3), the notice bell's unread count (1).
DASHBOARD_QUERIES = 21


def test_query_count_does_not_grow_with_schools(django_assert_max_num_queries, login):
    counts = []
    for n, start, district in ((5, 33000000, "Kabupaten Lima"), (50, 34000000, "Kabupaten Lima Puluh")):
        build_district(n, npsn_start=start, district=district)
        office = dinas_of(district, PROVINCE)
        client = login(office)
        with django_assert_max_num_queries(DASHBOARD_QUERIES), CaptureQueriesContext(connection) as captured:
            response = client.get(DASHBOARD)
        assert response.status_code == 200
        assert response.content.decode().count('<tr data-npsn="') == n
        counts.append(len(captured))
    assert counts[0] == counts[1], f"{counts[0]} queries for 5 schools, {counts[1]} for 50"


# --- Feedback to principals ---------------------------------------------------------------------


def feedback_url(school):
    return reverse("supervision:feedback", args=[school.npsn])


def test_feedback_thread_tells_the_principal_and_the_supervisor(
    school, principal, pengawas, login, django_capture_on_commit_callbacks
):
    principal.language = "en"
    principal.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(pengawas).post(
            reverse("supervision:feedback_new", args=[school.npsn]), {"body": "Komunitas literasi **tumbuh** baik."}
        )
    thread = SchoolFeedback.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#umpan-balik-{thread.uid}")
    assert [message.to for message in mail.outbox] == [[principal.email]]
    assert "Feedback on the communities of practice" in mail.outbox[0].subject  # the principal's language
    assert feedback_url(school) in mail.outbox[0].body

    dashboard = login(principal).get(reverse("dashboard")).content.decode()
    assert "Komunitas literasi" in dashboard and f"#umpan-balik-{thread.uid}" in dashboard

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        login(principal).post(
            reverse("supervision:feedback_reply", args=[school.npsn, thread.uid]), {"body": "Terima kasih, Pak."}
        )
    assert [message.to for message in mail.outbox] == [[pengawas.email]]
    assert "Komunitas literasi" not in login(principal).get(reverse("dashboard")).content.decode()
    page = login(pengawas).get(feedback_url(school)).content.decode()
    assert "<strong>tumbuh</strong>" in page and "Terima kasih, Pak." in page


@pytest.mark.parametrize(("body", "message"), [("   ", "Tulis sesuatu"), ("x" * 5001, "5000")])
def test_bad_feedback_changes_nothing(body, message, school, pengawas, login):
    response = login(pengawas).post(
        reverse("supervision:feedback_new", args=[school.npsn]), {"body": body}, follow=True
    )
    assert message in response.content.decode()
    assert not SchoolFeedback.objects.exists()


def test_reply_to_another_schools_thread_is_404(school, other_school, pengawas, other_pengawas, login):
    thread = SchoolFeedback.objects.create(school=other_school, author=other_pengawas, body="Halo.")
    url = reverse("supervision:feedback_reply", args=[school.npsn, thread.uid])
    assert login(pengawas).post(url, {"body": "Masuk?"}).status_code == 404
    assert thread.replies.count() == 0


def test_feedback_body_is_sanitised(school, pengawas, principal, login):
    SchoolFeedback.objects.create(school=school, author=pengawas, body="<script>alert(1)</script> hati-hati")
    page = login(principal).get(feedback_url(school)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "hati-hati" in page


def test_other_principals_do_not_get_the_email(school, principal, pengawas, login, django_capture_on_commit_callbacks):
    PrincipalFactory(school=SchoolFactory(npsn="20400888"), email="lain@sekolah.sch.id")
    with django_capture_on_commit_callbacks(execute=True):
        login(pengawas).post(reverse("supervision:feedback_new", args=[school.npsn]), {"body": "Catatan."})
    assert [m.to for m in mail.outbox] == [[principal.email]]
