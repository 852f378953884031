from django.urls import path

from schools import views

app_name = "schools"

urlpatterns = [
    path("sekolah/", views.mine, name="mine"),
    path("sekolah/<str:npsn>/", views.dashboard, name="dashboard"),
    path("sekolah/<str:npsn>/laporan/", views.report, name="report"),
    path("sekolah/<str:npsn>/ekspor/kegiatan.csv", views.export_activities, name="export_activities"),
    path("k/<slug:slug>/umpan-balik/", views.feedback_list, name="feedback"),
    path("k/<slug:slug>/umpan-balik/baru/", views.feedback_new, name="feedback_new"),
    path("k/<slug:slug>/umpan-balik/<uuid:uid>/balas/", views.feedback_reply, name="feedback_reply"),
]
