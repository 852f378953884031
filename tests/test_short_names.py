"""Short names (nama panggilan): what Kompra calls a person when it greets them, never
a title. The default is worked out from the full name; the person may change it."""

import pytest
from django.contrib.messages import get_messages

from kompra.accounts.models import User
from kompra.accounts.names import short_name_from
from tests.factories import PASSWORD, PrincipalFactory, UserFactory
from tests.html import Page
from tests.migrations import apps_before, migrate_to_latest

# Full names as teachers and principals write them (and as school records hold them),
# with the name a colleague would greet them by.
NAMES = [
    ("Dra. Sri Wahyuni, M.Pd.", "Sri"),
    ("Drs. H. Sutrisno, M.Si.", "Sutrisno"),
    ("Dr. Ir. Bambang Suryadi, M.T.", "Bambang"),
    ("Prof. Dr. Hj. Siti Aminah, M.Pd.", "Siti"),
    ("Hj. Endang Sri Rahayu, S.Pd.I", "Endang"),
    ("H. Ahmad Fauzi, S.Pd., M.Pd.", "Ahmad"),
    ("Dra Hj Endang Sulastri", "Endang"),
    ("Drs Sutrisno MPd", "Sutrisno"),
    ("DRS. SUTRISNO", "Sutrisno"),
    ("dra. sri wahyuni", "Sri"),
    ("Sri Wahyuni M.Pd", "Sri"),
    ("Siti Rahmawati S.Pd., M.Pd., Gr.", "Siti"),
    ("Nurhayati, S.Pd.SD", "Nurhayati"),
    ("Dewi Kartika Sari, A.Md.", "Dewi"),
    ("Agus Salim, SE, MM", "Agus"),
    ("Yohanes Paulus Setiawan, S.S., M.Hum.", "Yohanes"),
    ("Rudi Hartono Siregar, S.T.", "Rudi"),
    ("Ust. Abdul Hakim, Lc.", "Abdul"),
    ("KH. Ahmad Mustofa Bisri", "Ahmad"),
    ("dr. Andi Pratama, Sp.A.", "Andi"),
    ("Ir. Joko Widodo", "Joko"),
    ("Muhammad Rizky Pratama, S.Kom.", "Rizky"),
    ("Moh. Ikhsan S.Pd", "Ikhsan"),
    ("M. Arif Hidayat, S.Pd., Gr.", "Arif"),
    ("Mochammad Ali", "Ali"),
    ("Muhammad", "Muhammad"),
    ("I Wayan Sudarsana, S.Pd.", "Wayan"),
    ("Ni Made Ayu Lestari, S.Pd.", "Made"),
    ("Budi Santoso", "Budi"),
    ("Suparmi", "Suparmi"),
    ("  Tari   Wulandari ", "Tari"),
    ("Ni", "Ni"),
    ("Dr.", ""),
    ("", ""),
]


@pytest.mark.parametrize(("full_name", "short"), NAMES)
def test_short_name_from_full_name(full_name, short):
    assert short_name_from(full_name) == short


pytestmark = pytest.mark.django_db


def test_a_new_account_gets_the_default_and_keeps_a_chosen_one():
    assert UserFactory(full_name="Dra. Sri Wahyuni, M.Pd.").short_name == "Sri"
    assert UserFactory(full_name="Dra. Sri Wahyuni, M.Pd.", short_name="Bu Yuni").short_name == "Bu Yuni"
    assert UserFactory(full_name="Dr.", email="kepala@sekolah.sch.id").get_short_name() == "kepala@sekolah.sch.id"


def test_the_principals_dashboard_greets_by_name_not_title(school, login):
    principal = PrincipalFactory(school=school, full_name="Dra. Sri Wahyuni, M.Pd.")
    client = login(principal)
    client.cookies["django_language"] = "id"
    page = client.get("/dasbor/").content.decode()
    assert '<h1 class="h3">Halo, Sri!</h1>' in page
    assert "Dra." not in page
    assert "M.Pd" not in page


def test_the_sign_in_message_names_the_person_briefly(school, client):
    principal = PrincipalFactory(school=school, full_name="Dra. Sri Wahyuni, M.Pd.", email="kepsek@sekolah.sch.id")
    client.cookies["django_language"] = "id"
    response = client.post("/akun/login/", {"login": principal.email, "password": PASSWORD})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Berhasil masuk sebagai Sri."]


def test_the_short_name_is_edited_on_the_profile(teacher, login):
    client = login(teacher)
    client.cookies["django_language"] = "id"
    form = Page(client.get("/profil/").content.decode())
    assert "Nama panggilan" in form.text
    response = client.post(
        "/profil/",
        {"full_name": teacher.full_name, "short_name": "Bu Tari", "language": "id", "time_zone": "Asia/Jakarta"},
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.short_name == "Bu Tari"
    assert "Halo, Bu Tari!" in client.get("/dasbor/").content.decode()


def test_an_emptied_short_name_goes_back_to_the_default(teacher, login):
    teacher.short_name = "Bu Tari"
    teacher.save()
    login(teacher).post(
        "/profil/",
        {"full_name": "Dra. Tari Wulandari", "short_name": " ", "language": "id", "time_zone": "Asia/Jakarta"},
    )
    teacher.refresh_from_db()
    assert teacher.short_name == "Tari"


@pytest.mark.django_db(transaction=True)
def test_migration_gives_existing_people_a_short_name():
    OldUser = apps_before("accounts", "0002_user_short_name").get_model("accounts", "User")
    old = OldUser.objects.create(email="kepsek@sekolah.sch.id", full_name="Dra. Sri Wahyuni, M.Pd.")
    migrate_to_latest()
    assert User.objects.get(pk=old.pk).short_name == "Sri"
