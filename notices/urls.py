from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("pemberitahuan/", views.notice_list, name="list"),
    path("pemberitahuan/<uuid:uid>/buka/", views.notice_open, name="open"),
    path("pemberitahuan/baca-semua/", views.read_all, name="read_all"),
    path("pemberitahuan/pengaturan/", views.preferences, name="preferences"),
    path("pemberitahuan/bisukan/<int:pk>/hapus/", views.unmute, name="unmute"),
    path("pemberitahuan/berhenti/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
