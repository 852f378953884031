"""Accounts: schools and their NPSN, email sign-in through allauth, language and profile
preferences, the admin behind allauth's login, and the site's own error pages."""

import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from pytest_django.asserts import assertTemplateUsed

from kompra.accounts.models import School, User
from tests.factories import PASSWORD, UserFactory
from tests.html import Page

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"https?://testserver(/akun/password/reset/key/[^\s/]+/)")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth keeps its rate-limit counters in the cache; every test starts clean."""
    cache.clear()
    yield
    cache.clear()


def school_data(**overrides):
    data = {
        "npsn": "20999001",
        "name": "SMA Negeri 3 Contoh",
        "level": School.Level.SMA,
        "district": "Kota Yogyakarta",
        "province": "DI Yogyakarta",
        "time_zone": "Asia/Jakarta",
    }
    data.update(overrides)
    return data


def login_post(client, email, password):
    return client.post("/akun/login/", {"login": email, "password": password})


# --- NPSN ----------------------------------------------------------------------------


@pytest.mark.parametrize("npsn", ["1234567", "123456789", "12 34567", "abcd!234"])
def test_school_rejects_malformed_npsn(npsn):
    school = School(**school_data(npsn=npsn))
    with pytest.raises(ValidationError) as excinfo:
        school.full_clean()
    assert "npsn" in excinfo.value.message_dict


@pytest.mark.parametrize("npsn", ["20400123", "P9999ABC"])
def test_school_accepts_well_formed_npsn(npsn):
    school = School(**school_data(npsn=npsn))
    school.full_clean()
    school.save()
    assert School.objects.get(npsn=npsn).name == "SMA Negeri 3 Contoh"


def test_school_clean_normalises_npsn_to_upper_case():
    school = School(**school_data(npsn=" p9999abc "))
    school.clean_fields()
    assert school.npsn == "P9999ABC"


def test_school_full_clean_accepts_lower_case_npsn_as_upper_case():
    school = School(**school_data(npsn="p9999abc"))
    school.full_clean()
    assert school.npsn == "P9999ABC"


@pytest.mark.parametrize("npsn", ["1234567", "abcd1234", "12 34567"])
def test_database_rejects_malformed_npsn(npsn):
    with pytest.raises(IntegrityError), transaction.atomic():
        School.objects.create(**school_data(npsn=npsn))
    assert not School.objects.exists()


def test_admin_add_school_rejects_malformed_npsn(login, staff):
    before = School.objects.count()
    response = login(staff).post("/admin/accounts/school/add/", school_data(npsn="1234567"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "npsn" in form.errors
    assert "Harap perbaiki kesalahan dibawah." in response.content.decode()
    assert School.objects.count() == before


def test_admin_add_school_rejects_duplicate_npsn(login, staff, school):
    before = School.objects.count()
    response = login(staff).post("/admin/accounts/school/add/", school_data(npsn=school.npsn))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["npsn"]
    assert any("telah ada" in error for error in errors)  # "... already exists", in Indonesian
    assert School.objects.count() == before


def test_admin_add_school_creates_a_valid_school(login, staff):
    response = login(staff).post("/admin/accounts/school/add/", school_data())
    assert response.status_code == 302
    assert School.objects.filter(npsn="20999001", name="SMA Negeri 3 Contoh").exists()


# --- email addresses are unique whatever their case ----------------------------------


def test_user_full_clean_rejects_an_email_that_differs_only_in_case(teacher):
    other = User(email="Tari@SMPN1.sch.id", full_name="Tari Kembar", school=teacher.school)
    other.set_password(PASSWORD)
    with pytest.raises(ValidationError) as excinfo:
        other.full_clean()
    assert "email" in excinfo.value.message_dict


def test_database_rejects_an_email_that_differs_only_in_case(teacher):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="Tari@SMPN1.sch.id", full_name="Tari Kembar", school=teacher.school)
    assert User.objects.filter(email__iexact="tari@smpn1.sch.id").count() == 1


def test_admin_add_user_rejects_an_email_that_differs_only_in_case(login, staff, teacher):
    before = User.objects.count()
    response = login(staff).post(
        "/admin/accounts/user/add/",
        {
            "email": "Tari@SMPN1.sch.id",
            "full_name": "Tari Kembar",
            "school": teacher.school.pk,
            "role": User.Role.TEACHER,
            "password1": "sandi-baru-yang-panjang-1",
            "password2": "sandi-baru-yang-panjang-1",
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.count() == before


# --- signing in and out --------------------------------------------------------------


def test_login_page_offers_each_thing_once_in_natural_indonesian(client):
    client.cookies["django_language"] = "id"
    page = Page(client.get("/akun/login/").content.decode())
    reset_links = [text for href, text in page.links if href == "/akun/password/reset/"]
    assert reset_links == ["Lupa kata sandi?"]
    assert page.text.count("Lupa kata sandi?") == 1
    assert "Ingat saya" in page.text
    assert "Ingat Saya" not in page.text
    (form,) = page.forms_to("/akun/login/")
    assert (form.csrf_fields, form.submits) == (1, ["Masuk"])


def test_login_page_in_english_says_remember_me(client):
    client.cookies["django_language"] = "en"
    page = Page(client.get("/akun/login/").content.decode())
    assert "Remember me" in page.text
    assert [text for href, text in page.links if href == "/akun/password/reset/"] == ["Forgot your password?"]


def test_login_with_email_and_password_leads_to_the_dashboard(client, teacher):
    response = login_post(client, teacher.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/dasbor/"
    dashboard = client.get(response["Location"])
    assert dashboard.status_code == 200
    assert dashboard.wsgi_request.user == teacher
    assert teacher.school.name in dashboard.content.decode()


def test_login_ignores_the_case_of_the_email(client, teacher):
    response = login_post(client, teacher.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert client.get("/dasbor/").wsgi_request.user == teacher


def test_logout_is_a_post_and_ends_the_session(client, teacher):
    client.force_login(teacher)
    response = client.post("/akun/logout/")
    assert response.status_code == 302
    after = client.get("/dasbor/")
    assert after.status_code == 302
    assert after["Location"].startswith("/akun/login/")


def test_wrong_password_shows_an_error_and_does_not_sign_in(client, teacher):
    response = login_post(client, teacher.email, "bukan-sandinya")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "Alamat e-mail dan/atau kata sandi yang anda masukkan tidak benar." in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert client.get("/dasbor/").status_code == 302


def test_repeated_wrong_passwords_lock_the_account_for_a_while(client, teacher):
    # ACCOUNT_RATE_LIMITS["login_failed"] allows 5 failures per address in 5 minutes.
    for _attempt in range(5):
        response = login_post(client, teacher.email, "bukan-sandinya")
        assert "tidak benar" in response.content.decode()
    # The sixth attempt is refused before the password is checked, even the right one.
    response = login_post(client, teacher.email, PASSWORD)
    assert response.status_code == 200
    assert "Terlalu banyak percobaan masuk yang gagal. Coba lagi nanti." in response.content.decode()
    assert client.get("/dasbor/").status_code == 302


def test_other_accounts_are_not_locked_by_someone_elses_failures(client, teacher, principal):
    for _attempt in range(5):
        login_post(client, teacher.email, "bukan-sandinya")
    response = login_post(client, principal.email, PASSWORD)
    assert response.status_code == 302
    assert client.get("/dasbor/").wsgi_request.user == principal


def test_flooding_the_login_form_gets_429(client, teacher):
    # ACCOUNT_RATE_LIMITS["login"] allows 30 posts a minute from one address.
    statuses = [login_post(client, f"orang{n}@contoh.sch.id", "x").status_code for n in range(31)]
    assert set(statuses[:30]) == {200}
    assert statuses[30] == 429


# --- password reset ------------------------------------------------------------------


def test_password_reset_mails_a_link_that_sets_a_new_password(client, teacher, mailoutbox):
    response = client.post("/akun/password/reset/", {"email": teacher.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [teacher.email]
    link = RESET_LINK.search(message.body)
    assert link, message.body

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    # allauth moves the key into the session and shows the form at a key-less address.
    set_password_url = form_page.redirect_chain[-1][0]
    assert set_password_url.endswith("-set-password/")
    assert "password1" in form_page.context["form"].fields
    new_password = "sandi-baru-yang-panjang-7"
    done = client.post(set_password_url, {"password1": new_password, "password2": new_password})
    assert done.status_code == 302

    teacher.refresh_from_db()
    assert teacher.check_password(new_password)
    assert login_post(Client(), teacher.email, PASSWORD).status_code == 200  # the old one is gone
    assert login_post(Client(), teacher.email, new_password)["Location"] == "/dasbor/"


def test_password_reset_for_an_unknown_email_reveals_nothing(client, teacher, mailoutbox):
    known = client.post("/akun/password/reset/", {"email": teacher.email})
    unknown = client.post("/akun/password/reset/", {"email": "tidak-ada@contoh.sch.id"})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    unknown_mail = [m for m in mailoutbox if m.to == ["tidak-ada@contoh.sch.id"]]
    # allauth may tell the unknown address that it has no account, but never sends a link.
    assert all(not RESET_LINK.search(m.body) for m in unknown_mail)
    assert len([m for m in mailoutbox if RESET_LINK.search(m.body)]) == 1


# --- language ------------------------------------------------------------------------


def test_language_switch_sets_the_cookie_and_the_page_language(client):
    response = client.post("/bahasa/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["django_language"].value == "en"
    page = client.get("/")
    assert 'lang="en"' in page.content.decode()
    assert page["Content-Language"] == "en"


def test_language_switch_rejects_an_outside_next_url(client):
    response = client.post("/bahasa/", {"language": "en", "next": "https://jahat.example/"})
    assert response.status_code == 302
    assert "jahat.example" not in response["Location"]


def test_language_switch_saves_the_choice_on_the_account(login, teacher):
    assert teacher.language == "id"
    login(teacher).post("/bahasa/", {"language": "en", "next": "/dasbor/"})
    teacher.refresh_from_db()
    assert teacher.language == "en"


def test_language_switch_ignores_unknown_languages(login, teacher):
    client = login(teacher)
    client.post("/bahasa/", {"language": "xx", "next": "/dasbor/"})
    teacher.refresh_from_db()
    assert teacher.language == "id"
    assert 'lang="id"' in client.get("/dasbor/").content.decode()


def test_saved_language_applies_without_a_cookie(login, school):
    user = UserFactory(school=school, language="en")
    client = login(user)
    assert "django_language" not in client.cookies
    response = client.get("/dasbor/")
    assert 'lang="en"' in response.content.decode()
    assert response["Content-Language"] == "en"


def test_cookie_choice_wins_over_the_saved_language(login, school):
    user = UserFactory(school=school, language="en")
    client = login(user)
    client.cookies["django_language"] = "id"
    assert 'lang="id"' in client.get("/dasbor/").content.decode()


# --- admin ---------------------------------------------------------------------------


def test_admin_sends_anonymous_visitors_to_the_allauth_login(client):
    response = client.get("/admin/", follow=True)
    final_url = response.redirect_chain[-1][0]
    assert final_url.startswith("/akun/login/")
    assert "next=%2Fadmin%2F" in final_url
    assertTemplateUsed(response, "account/login.html")


def test_admin_login_page_itself_redirects_to_allauth(client):
    response = client.get("/admin/login/?next=/admin/accounts/school/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/login/?next=")


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/accounts/user/", "/admin/accounts/school/", "/admin/accounts/school/add/"]
)
def test_staff_reach_the_admin(login, staff, url):
    assert login(staff).get(url).status_code == 200


def test_admin_user_search_finds_people(login, staff, teacher, other_teacher):
    response = login(staff).get("/admin/accounts/user/", {"q": "Tari"})
    assert response.status_code == 200
    found = list(response.context["cl"].result_list)
    assert found == [teacher]


def test_admin_user_search_by_npsn(login, staff, teacher, other_teacher):
    response = login(staff).get("/admin/accounts/user/", {"q": other_teacher.school.npsn})
    assert list(response.context["cl"].result_list) == [other_teacher]


def test_admin_school_search_finds_schools(login, staff, school, other_school):
    response = login(staff).get("/admin/accounts/school/", {"q": "Malang"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [other_school]


def test_teachers_are_kept_out_of_the_admin(login, teacher):
    response = login(teacher).get("/admin/", follow=True)
    assert response.status_code == 403
    assertTemplateUsed(response, "403.html")
    changelist = login(teacher).get("/admin/accounts/user/")
    assert changelist.status_code == 302
    assert changelist["Location"].startswith("/admin/login/")


def test_inactive_staff_cannot_sign_in(client, db):
    user = UserFactory(school=None, email="mantan@kompra.test", is_staff=True, is_active=False)
    response = login_post(client, user.email, PASSWORD)
    assert not response.wsgi_request.user.is_authenticated
    assert client.get("/admin/").status_code == 302


# --- pages ---------------------------------------------------------------------------


def test_missing_page_uses_our_404_template(client):
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assertTemplateUsed(response, "404.html")
    assertTemplateUsed(response, "base.html")
    assert 'lang="id"' in response.content.decode()


def test_home_speaks_indonesian(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="id"' in html
    assert 'href="/akun/login/"' in html


def test_home_sends_signed_in_people_to_their_dashboard(login, teacher):
    response = login(teacher).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/dasbor/"


def test_dashboard_shows_school(login, teacher):
    response = login(teacher).get("/dasbor/")
    assert response.status_code == 200
    assert teacher.school.name in response.content.decode()


def test_dashboard_needs_a_login(client):
    response = client.get("/dasbor/")
    assert response.status_code == 302
    assert response["Location"] == "/akun/login/?next=/dasbor/"


# --- profile -------------------------------------------------------------------------


def test_profile_saves_name_language_and_time_zone(login, teacher, other_school):
    school_before = teacher.school
    response = login(teacher).post(
        "/profil/",
        {
            "full_name": "Tari Wulandari",
            "language": "en",
            "time_zone": User.TimeZone.WITA,
            # Not on the form: must be ignored.
            "role": User.Role.PRINCIPAL,
            "school": other_school.pk,
            "is_staff": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/profil/"
    teacher.refresh_from_db()
    assert teacher.full_name == "Tari Wulandari"
    assert teacher.language == "en"
    assert teacher.time_zone == "Asia/Makassar"
    assert teacher.role == User.Role.TEACHER
    assert teacher.school == school_before
    assert teacher.is_staff is False
    assert response.cookies["django_language"].value == "en"


def test_profile_rejects_an_unknown_time_zone(login, teacher):
    response = login(teacher).post(
        "/profil/", {"full_name": "Nama Baru", "language": "en", "time_zone": "Europe/Paris"}
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert "Masukkan pilihan yang valid" in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.full_name == "Tari Guru Sekolah"
    assert teacher.language == "id"
    assert teacher.time_zone == "Asia/Jakarta"


def test_profile_needs_a_login(client):
    response = client.get("/profil/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/login/")
