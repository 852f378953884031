from django.urls import path

from supervision import views

app_name = "supervision"

urlpatterns = [
    path("pengawasan/", views.dashboard, name="dashboard"),
    path("pengawasan/laporan/", views.report, name="report"),
    path("pengawasan/sekolah.csv", views.export, name="export"),
    path("sekolah/<str:npsn>/umpan-balik/", views.feedback, name="feedback"),
    path("sekolah/<str:npsn>/umpan-balik/baru/", views.feedback_new, name="feedback_new"),
    path("sekolah/<str:npsn>/umpan-balik/<uuid:uid>/balas/", views.feedback_reply, name="feedback_reply"),
]
