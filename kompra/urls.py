from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from kompra import pwa
from kompra.accounts import views as account_views
from kompra.home import views as home_views

# The admin signs in through allauth, so rate limits and verification apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Kompra"
admin.site.site_title = "Kompra admin"

urlpatterns = [
    path("", home_views.home, name="home"),
    path("dasbor/", home_views.dashboard, name="dashboard"),
    path("profil/", account_views.profile, name="profile"),
    path("bahasa/", account_views.set_language, name="set_language"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("luring/", pwa.offline, name="offline"),
    path("akun/", include("allauth.urls")),
    path("", include("notices.urls")),
    path("", include("communities.urls")),
    path("", include("activities.urls")),
    path("", include("publishing.urls")),
    path("", include("schools.urls")),
    path("", include("reports.urls")),
    path("", include("evidence.urls")),
    path("", include("kompra.ops.urls")),
    path("", include("supervision.urls")),
    path("", include("search.urls")),
    path("", include("privacy_rights.urls")),
    path("admin/", admin.site.urls),
]
