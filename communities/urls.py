from django.urls import path

from communities import views

app_name = "communities"

urlpatterns = [
    path("komunitas/", views.my_communities, name="mine"),
    path("komunitas/direktori/", views.directory, name="directory"),
    path("komunitas/baru/", views.found, name="found"),
    path("undangan/<uuid:token>/", views.invitation, name="invitation"),
    path("k/<slug:slug>/", views.detail, name="detail"),
    path("k/<slug:slug>/rintis/tujuan/", views.found_goal, name="found_goal"),
    path("k/<slug:slug>/rintis/pengaturan/", views.found_settings, name="found_settings"),
    path("k/<slug:slug>/ubah/", views.edit, name="edit"),
    path("k/<slug:slug>/arsip/", views.archive, name="archive"),
    path("k/<slug:slug>/bisukan/", views.mute, name="mute"),
    path("k/<slug:slug>/anggota/", views.members, name="members"),
    path("k/<slug:slug>/anggota/undang/", views.invite, name="invite"),
    path("k/<slug:slug>/anggota/gabung/", views.request_join, name="request_join"),
    path("k/<slug:slug>/anggota/undangan/", views.respond_invitation, name="respond_invitation"),
    path("k/<slug:slug>/anggota/keluar/", views.leave, name="leave"),
    path(
        "k/<slug:slug>/anggota/<uuid:uid>/<str:action>/",
        views.member_action,
        name="member_action",
    ),
    path("k/<slug:slug>/tahap/", views.stage, name="stage"),
    path("k/<slug:slug>/tahap/ubah/", views.stage_change, name="stage_change"),
    path("k/<slug:slug>/tahap/<uuid:uid>/dukung/", views.stage_endorse, name="stage_endorse"),
    path("k/<slug:slug>/tahap/beri-tahu-kepala-sekolah/", views.inform_principal, name="inform_principal"),
    path("k/<slug:slug>/masalah/", views.problems, name="problems"),
    path("k/<slug:slug>/masalah/baru/", views.problem_new, name="problem_new"),
    path("k/<slug:slug>/masalah/<uuid:uid>/", views.problem_detail, name="problem"),
    path("k/<slug:slug>/masalah/<uuid:uid>/ubah/", views.problem_edit, name="problem_edit"),
    path("k/<slug:slug>/masalah/<uuid:uid>/saya-juga/", views.problem_support, name="problem_support"),
    path("k/<slug:slug>/masalah/<uuid:uid>/komentar/", views.problem_comment, name="problem_comment"),
    path("k/<slug:slug>/masalah/<uuid:uid>/status/", views.problem_status, name="problem_status"),
    path("k/<slug:slug>/masalah/<uuid:uid>/fokus/", views.problem_focus, name="problem_focus"),
]
