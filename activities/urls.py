from django.urls import path

from activities import calendar, record, series, views

app_name = "activities"

K = "k/<slug:slug>/"

urlpatterns = [
    path(K + "kegiatan/", views.activity_list, name="list"),
    path(K + "kegiatan/baru/", views.activity_new, name="new"),
    path(K + "kegiatan/catat/", record.record_past, name="record_past"),
    path(K + "kegiatan/rutin/", series.plan_series, name="plan_series"),
    path(K + "kegiatan/<uuid:uid>/", views.activity_detail, name="detail"),
    path(K + "kegiatan/<uuid:uid>/ubah/", views.activity_edit, name="edit"),
    path(K + "kegiatan/<uuid:uid>/status/", views.activity_status, name="status"),
    path(K + "kegiatan/<uuid:uid>/terlaksana/", record.record_held, name="record_held"),
    path(K + "kegiatan/<uuid:uid>/notulen/", views.activity_minutes, name="minutes"),
    path(K + "kegiatan/<uuid:uid>/hadir/", views.check_in, name="check_in"),
    path(K + "kegiatan/<uuid:uid>/daftar-hadir/", views.attendance, name="attendance"),
    path(K + "kegiatan/<uuid:uid>/daftar-hadir/cetak/", views.attendance_print, name="attendance_print"),
    path(K + "kegiatan/<uuid:uid>/unggah/", views.upload, name="upload"),
    path(K + "kegiatan/<uuid:uid>/refleksi/", views.reflect_activity, name="reflect_activity"),
    path(K + "kegiatan/<uuid:uid>/refleksi/lewati/", views.reflection_dismiss, name="reflection_dismiss"),
    path(K + "dokumentasi/", views.gallery, name="gallery"),
    path(K + "berkas/<uuid:uid>/", views.document, name="document"),
    path(K + "berkas/<uuid:uid>/kecil/", views.thumbnail, name="thumbnail"),
    path(K + "berkas/<uuid:uid>/hapus/", views.document_delete, name="document_delete"),
    path(K + "masalah/<uuid:problem_uid>/aksi/baru/", views.action_new, name="action_new"),
    path(K + "aksi/<uuid:uid>/", views.action_detail, name="action"),
    path(K + "aksi/<uuid:uid>/refleksi/", views.reflect_action, name="reflect_action"),
    path(K + "tahap/<uuid:uid>/refleksi/", views.reflect_stage, name="reflect_stage"),
    path(K + "refleksi/", views.reflections, name="reflections"),
    path(K + "refleksi/<uuid:uid>/", views.reflection_detail, name="reflection"),
    path(K + "refleksi/<uuid:uid>/ubah/", views.reflection_edit, name="reflection_edit"),
    path(K + "karya/", views.products, name="products"),
    path(K + "karya/baru/", views.product_new, name="product_new"),
    path(K + "karya/<uuid:uid>/", views.product_detail, name="product"),
    path(K + "karya/<uuid:uid>/unggah/", views.product_upload, name="product_upload"),
    path(K + "orang/<uuid:uid>/", views.member_profile, name="member_profile"),
    path("kalender/", calendar.settings_page, name="calendar"),
    path("kalender/atur-ulang/", calendar.reset, name="calendar_reset"),
    path("kalender/<str:token>/saya.ics", calendar.person_feed, name="calendar_person"),
    path("kalender/<str:token>/k/<slug:slug>.ics", calendar.community_feed, name="calendar_community"),
]
