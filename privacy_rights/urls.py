from django.urls import path

from privacy_rights import views

app_name = "privacy"

urlpatterns = [
    path("privasi/", views.notice, name="notice"),
    path("privasi/data-saya/", views.exports, name="exports"),
    path("privasi/data-saya/<uuid:uid>/", views.export_download, name="export_download"),
    path("privasi/hapus-akun/", views.account_delete, name="delete"),
    path("privasi/hapus-akun/terjadwal/", views.deletion_scheduled, name="deletion_scheduled"),
    path("k/<slug:slug>/foto-murid/", views.student_photos, name="student_photos"),
    path("k/<slug:slug>/foto-murid/<uuid:uid>/tarik-izin/", views.photo_withdraw, name="photo_withdraw"),
    path("k/<slug:slug>/foto-murid/hapus-lama/", views.student_photos_purge, name="student_photos_purge"),
]
