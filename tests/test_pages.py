import pytest


@pytest.mark.django_db
def test_home_speaks_indonesian(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="id"' in response.content.decode()


def test_dashboard_shows_school(login, teacher):
    response = login(teacher).get("/dasbor/")
    assert response.status_code == 200
    assert teacher.school.name in response.content.decode()
