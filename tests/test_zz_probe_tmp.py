import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.conftest import client_for
from tests.factories import *

pytestmark = pytest.mark.django_db

def test_probe(school, community, coordinator, member):
    pub = CommunityFactory(home_school=school, visibility="public")
    a = held_activity(pub)
    ph = DocumentFactory(activity=a, shows_students=True, consent_confirmed=True)
    p = PublicationFactory(activity=a, photos=[ph])
    c = client_for(None)
    for url in ["/publik/", f"/publik/sekolah/{school.npsn}/", f"/publik/k/{pub.slug}/", p.get_absolute_url(), f"/publik/p/{p.uid}/foto/{ph.uid}/"]:
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(url)
        print(url, r.status_code, len(ctx.captured_queries), dict(r.headers), r.cookies)
    print(c.get(p.get_absolute_url()).content.decode())
